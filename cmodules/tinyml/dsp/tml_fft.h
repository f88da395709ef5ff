// Real FFT for power-of-two sizes TML_FFT_MIN..TML_FFT_MAX (float32).
// Method: the n real samples are read as n/2 complex values, transformed by an in-place radix-2
// complex FFT, then split into the n/2+1 bins of the real spectrum. No normalisation:
//   X[k] = sum_i x[i] * exp(-2*pi*j*i*k/n)           (same as numpy.fft.rfft)
// The caller provides the twiddle table (tml_rfft_table_len(n) floats), filled once by init.
#ifndef TML_FFT_H
#define TML_FFT_H

#include <stdint.h>
#include "tml_dsp_status.h"

#define TML_FFT_MIN (64)
#define TML_FFT_MAX (2048)

typedef struct {
    uint32_t n;       // real FFT size
    float *twiddle;   // n floats: cos(2*pi*k/n), -sin(2*pi*k/n) for k = 0..n/2-1
} tml_rfft_t;

static inline uint32_t tml_rfft_table_len(uint32_t n) {
    return n;
}

// 1 when n is a supported FFT size.
int tml_rfft_size_ok(uint32_t n);

tml_dsp_status_t tml_rfft_init(tml_rfft_t *plan, uint32_t n, float *table, uint32_t table_len);

// In place: buf holds n real samples on entry and the packed spectrum on return:
// buf[0] = Re X[0], buf[1] = Re X[n/2], buf[2k], buf[2k+1] = Re, Im X[k] for k = 1..n/2-1.
void tml_rfft_packed(const tml_rfft_t *plan, float *buf);

// From a packed spectrum: |X[k]|^2 and |X[k]| for k = 0..n/2 (n/2+1 values).
void tml_rfft_power(const tml_rfft_t *plan, const float *packed, float *out);
void tml_rfft_magnitude(const tml_rfft_t *plan, const float *packed, float *out);

// From a packed spectrum to n+2 floats: Re, Im of X[k] for k = 0..n/2 (numpy's layout).
// out may equal packed only if it has room for n+2 floats.
void tml_rfft_unpack(const tml_rfft_t *plan, float *packed, float *out);

#endif
