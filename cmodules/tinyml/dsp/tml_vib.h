// Vibration features over a window of n samples of n_axes interleaved axes (x0 y0 z0 x1 ...).
// Per axis, in this order (THE definition is host/tinydev/ml/features.py):
//   d        = x - mean(x)                      (removes gravity / DC offset)
//   rms      = sqrt(mean(d^2))
//   peak     = max |d|
//   crest    = peak / rms                       (0 when rms == 0)
//   kurtosis = mean(d^4) / mean(d^2)^2          (Pearson, 3 for a Gaussian; 0 when rms == 0)
//   band_b   = sum of P[k] over bins with lo_b <= f_k < hi_b,
//              P = |rfft(hann * d)|^2 / n, f_k = k * fs / n, computed in float32
// int16 input is used as raw counts (no scaling); float input as given.
#ifndef TML_VIB_H
#define TML_VIB_H

#include <stdint.h>
#include "tml_dsp_status.h"
#include "tml_fft.h"

#define TML_VIB_MAX_AXES (8)
#define TML_VIB_MAX_BANDS (32)
#define TML_VIB_STATS (4)   // rms, peak, crest, kurtosis

typedef struct {
    uint32_t n;            // samples per axis: power of two when bands are used, else >= 2
    uint32_t n_axes;       // 1..TML_VIB_MAX_AXES
    uint32_t n_bands;      // 0..TML_VIB_MAX_BANDS
    float fs;              // sample rate, Hz
} tml_vib_config_t;

typedef struct {
    tml_vib_config_t cfg;
    tml_rfft_t fft;
    const float *window;   // n (only with bands)
    uint16_t bin_lo[TML_VIB_MAX_BANDS];   // first bin of each band
    uint16_t bin_hi[TML_VIB_MAX_BANDS];   // one past the last bin
    float *scratch;        // n
} tml_vib_t;

static inline uint32_t tml_vib_out_len(const tml_vib_config_t *cfg) {
    return cfg->n_axes * (TML_VIB_STATS + cfg->n_bands);
}

uint32_t tml_vib_workspace_len(const tml_vib_config_t *cfg);

// lo[b] < hi[b], both in Hz (0 <= lo, hi <= fs/2 + one bin is fine: the bins decide).
tml_dsp_status_t tml_vib_init(tml_vib_t *vib, const tml_vib_config_t *cfg, const float *lo,
    const float *hi, float *ws, uint32_t ws_len);

// out: per axis [rms, peak, crest, kurtosis, band_0 .. band_{n_bands-1}].
void tml_vib_features_i16(const tml_vib_t *vib, const int16_t *samples, float *out);
void tml_vib_features_f32(const tml_vib_t *vib, const float *samples, float *out);

#endif
