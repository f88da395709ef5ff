// Mel filter bank, log-mel energies and MFCC on one audio frame (float32).
// THE definition is host/tinydev/ml/features.py; this file computes the same thing:
//   x      = frame (int16 / 32768, or float as given), length frame_len
//   X      = rfft(window * x zero-padded to n_fft);  P[k] = |X[k] / n_fft|^2, k = 0..n_fft/2
//            (dividing by n_fft keeps the level, and so the meaning of eps, the same for every
//            FFT size; it is a power of two, so the scaling adds no rounding)
//   mel(f) = 2595 * log10(1 + f / 700)              (HTK)
//   p_i    = mel^-1(mel(fmin) + i * (mel(fmax) - mel(fmin)) / (n_mels + 1)),  i = 0..n_mels+1
//   band b = triangle rising on (p_b, p_b+1], falling on (p_b+1, p_b+2), peak 1, over the bin
//            frequencies f_k = k * sample_rate / n_fft (no area normalisation)
//   logmel = ln(E + TML_LOGMEL_EPS)
//   mfcc   = orthonormal DCT-II of logmel (scipy norm="ortho"), first n_mfcc coefficients
// Each bin lies on the rising edge of at most one band and the falling edge of the one before,
// with weights t and 1-t, so the bank is stored as one (band, t) pair per bin.
#ifndef TML_MEL_H
#define TML_MEL_H

#include <stdint.h>
#include "tml_dsp_status.h"
#include "tml_fft.h"

// -100 dB below a full-scale band: under int16 quantisation noise, above float32 round-off.
#define TML_LOGMEL_EPS (1e-10f)
#define TML_MEL_MAX_BANDS (128)

typedef struct {
    float sample_rate;
    uint32_t frame_len;   // samples per frame, <= n_fft
    uint32_t n_fft;       // power of two, TML_FFT_MIN..TML_FFT_MAX
    uint32_t n_mels;      // 1..TML_MEL_MAX_BANDS
    uint32_t n_mfcc;      // 0..n_mels (0: no DCT table, log-mel only)
    float fmin, fmax;     // 0 <= fmin < fmax <= sample_rate / 2
    int window;           // tml_window_kind_t
} tml_mel_config_t;

typedef struct {
    tml_mel_config_t cfg;
    tml_rfft_t fft;
    uint32_t n_bins;
    float scale_f32;      // 1 / n_fft
    float scale_i16;      // 1 / (32768 * n_fft)      // n_fft / 2 + 1
    const float *window;  // frame_len
    const float *rise;    // n_bins: weight t of bin k on the rising edge of band band[k]
    const int16_t *band;  // n_bins: that band (n_mels: falling edge of the last band only; -1: none)
    const float *dct;     // n_mfcc * n_mels, row-major
    float *scratch;       // n_fft
} tml_mel_t;

// Floats of workspace init needs for this configuration.
uint32_t tml_mel_workspace_len(const tml_mel_config_t *cfg);

tml_dsp_status_t tml_mel_init(tml_mel_t *mel, const tml_mel_config_t *cfg, float *ws, uint32_t ws_len);

// One frame in (frame_len samples), features out. The frame is not modified.
void tml_mel_power_i16(const tml_mel_t *mel, const int16_t *frame, float *power);   // n_bins
void tml_mel_power_f32(const tml_mel_t *mel, const float *frame, float *power);     // n_bins
void tml_mel_energies(const tml_mel_t *mel, const float *power, float *energies);   // n_mels
void tml_mel_log(const tml_mel_t *mel, float *energies);                            // in place
void tml_mel_dct(const tml_mel_t *mel, const float *logmel, float *mfcc);           // n_mfcc

#endif
