#include <math.h>
#include "tml_window.h"

tml_dsp_status_t tml_window_fill(float *w, uint32_t n, int kind) {
    float a0, a1;
    switch (kind) {
        case TML_WINDOW_NONE: a0 = 1.0f; a1 = 0.0f; break;
        case TML_WINDOW_HANN: a0 = 0.5f; a1 = 0.5f; break;
        case TML_WINDOW_HAMMING: a0 = 0.54f; a1 = 0.46f; break;
        default: return TML_DSP_BAD_PARAM;
    }
    if (n == 0) {
        return TML_DSP_BAD_SIZE;
    }
    // The angle is formed from the exact fraction i/n so rounding does not grow with i.
    for (uint32_t i = 0; i < n; i++) {
        w[i] = a0 - a1 * cosf(6.28318530717958648f * ((float)i / (float)n));
    }
    return TML_DSP_OK;
}
