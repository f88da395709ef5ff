// Analysis windows. Both are PERIODIC (DFT-even), as used for spectral analysis:
//   hann[i]    = 0.5  - 0.5  * cos(2*pi*i/n)
//   hamming[i] = 0.54 - 0.46 * cos(2*pi*i/n)     for i = 0..n-1
#ifndef TML_WINDOW_H
#define TML_WINDOW_H

#include <stdint.h>
#include "tml_dsp_status.h"

typedef enum {
    TML_WINDOW_NONE = 0,   // rectangular: all ones
    TML_WINDOW_HANN = 1,
    TML_WINDOW_HAMMING = 2,
} tml_window_kind_t;

tml_dsp_status_t tml_window_fill(float *w, uint32_t n, int kind);

#endif
