#include <math.h>
#include <stddef.h>
#include "tml_mel.h"
#include "tml_window.h"

// 2595 * log10(1 + f/700) written with natural logs, which every libm has in float.
#define MEL_SCALE (1127.01048033416f)  // 2595 / ln(10)

static float hz_to_mel(float f) {
    return MEL_SCALE * logf(1.0f + f / 700.0f);
}

static float mel_to_hz(float m) {
    return 700.0f * (expf(m / MEL_SCALE) - 1.0f);
}

static uint32_t int16_slots(uint32_t n) {
    return (n * sizeof(int16_t) + sizeof(float) - 1) / sizeof(float);
}

static tml_dsp_status_t check_config(const tml_mel_config_t *c) {
    if (!tml_rfft_size_ok(c->n_fft) || c->frame_len == 0 || c->frame_len > c->n_fft) {
        return TML_DSP_BAD_SIZE;
    }
    if (c->n_mels == 0 || c->n_mels > TML_MEL_MAX_BANDS || c->n_mfcc > c->n_mels) {
        return TML_DSP_BAD_PARAM;
    }
    if (!(c->sample_rate > 0.0f) || !(c->fmin >= 0.0f) || !(c->fmin < c->fmax)
        || !(c->fmax <= 0.5f * c->sample_rate)) {
        return TML_DSP_BAD_PARAM;
    }
    if (c->window < TML_WINDOW_NONE || c->window > TML_WINDOW_HAMMING) {
        return TML_DSP_BAD_PARAM;
    }
    return TML_DSP_OK;
}

uint32_t tml_mel_workspace_len(const tml_mel_config_t *c) {
    uint32_t n_bins = c->n_fft / 2 + 1;
    return tml_rfft_table_len(c->n_fft) + c->frame_len + n_bins + int16_slots(n_bins)
           + c->n_mfcc * c->n_mels + c->n_fft;
}

static void build_bank(tml_mel_t *mel, float *rise, int16_t *band) {
    const tml_mel_config_t *c = &mel->cfg;
    const uint32_t n_pts = c->n_mels + 2;
    float mlo = hz_to_mel(c->fmin), mhi = hz_to_mel(c->fmax);
    float step = (mhi - mlo) / (float)(c->n_mels + 1);
    float lo = c->fmin;                      // p_j
    float hi = mel_to_hz(mlo + step);         // p_j+1
    uint32_t j = 0;                           // current interval (p_j, p_j+1]
    for (uint32_t k = 0; k < mel->n_bins; k++) {
        float f = (float)k * c->sample_rate / (float)c->n_fft;
        while (j < n_pts - 1 && f > hi) {
            j++;
            lo = hi;
            hi = (j + 1 == n_pts - 1) ? c->fmax : mel_to_hz(mlo + (float)(j + 1) * step);
        }
        if (f <= c->fmin || f > c->fmax || j >= n_pts - 1) {
            band[k] = -1;
            rise[k] = 0.0f;
        } else {
            band[k] = (int16_t)j;
            rise[k] = (f - lo) / (hi - lo);
        }
    }
}

static void build_dct(float *dct, uint32_t n_mfcc, uint32_t n_mels) {
    const float pi = 3.14159265358979324f;
    float s0 = sqrtf(1.0f / (float)n_mels), s = sqrtf(2.0f / (float)n_mels);
    for (uint32_t k = 0; k < n_mfcc; k++) {
        for (uint32_t i = 0; i < n_mels; i++) {
            // Reduce (2i+1)k modulo 4*n_mels first: the cosine has period 2*pi there, and a
            // small argument keeps cosf accurate.
            uint32_t r = ((2 * i + 1) * k) % (4 * n_mels);
            dct[k * n_mels + i] = (k == 0 ? s0 : s) * cosf(pi * (float)r / (float)(2 * n_mels));
        }
    }
}

tml_dsp_status_t tml_mel_init(tml_mel_t *mel, const tml_mel_config_t *cfg, float *ws, uint32_t ws_len) {
    tml_dsp_status_t st = check_config(cfg);
    if (st != TML_DSP_OK) {
        return st;
    }
    if (ws_len < tml_mel_workspace_len(cfg)) {
        return TML_DSP_SMALL_BUFFER;
    }
    mel->cfg = *cfg;
    mel->n_bins = cfg->n_fft / 2 + 1;
    mel->scale_f32 = 1.0f / (float)cfg->n_fft;
    mel->scale_i16 = mel->scale_f32 * (1.0f / 32768.0f);
    float *p = ws;
    tml_rfft_init(&mel->fft, cfg->n_fft, p, tml_rfft_table_len(cfg->n_fft));
    p += tml_rfft_table_len(cfg->n_fft);
    float *window = p;
    tml_window_fill(window, cfg->frame_len, cfg->window);
    p += cfg->frame_len;
    float *rise = p;
    p += mel->n_bins;
    int16_t *band = (int16_t *)(void *)p;
    p += int16_slots(mel->n_bins);
    build_bank(mel, rise, band);
    float *dct = p;
    build_dct(dct, cfg->n_mfcc, cfg->n_mels);
    p += cfg->n_mfcc * cfg->n_mels;
    mel->window = window;
    mel->rise = rise;
    mel->band = band;
    mel->dct = dct;
    mel->scratch = p;
    return TML_DSP_OK;
}

static void finish_power(const tml_mel_t *mel, float *power) {
    float *buf = mel->scratch;
    for (uint32_t i = mel->cfg.frame_len; i < mel->cfg.n_fft; i++) {
        buf[i] = 0.0f;
    }
    tml_rfft_packed(&mel->fft, buf);
    tml_rfft_power(&mel->fft, buf, power);
}

void tml_mel_power_i16(const tml_mel_t *mel, const int16_t *frame, float *power) {
    const float *w = mel->window;
    const float scale = mel->scale_i16;
    float *buf = mel->scratch;
    for (uint32_t i = 0; i < mel->cfg.frame_len; i++) {
        buf[i] = w[i] * ((float)frame[i] * scale);
    }
    finish_power(mel, power);
}

void tml_mel_power_f32(const tml_mel_t *mel, const float *frame, float *power) {
    const float *w = mel->window;
    const float scale = mel->scale_f32;
    float *buf = mel->scratch;
    for (uint32_t i = 0; i < mel->cfg.frame_len; i++) {
        buf[i] = w[i] * (frame[i] * scale);
    }
    finish_power(mel, power);
}

void tml_mel_energies(const tml_mel_t *mel, const float *power, float *energies) {
    const uint32_t n_mels = mel->cfg.n_mels;
    for (uint32_t b = 0; b < n_mels; b++) {
        energies[b] = 0.0f;
    }
    for (uint32_t k = 0; k < mel->n_bins; k++) {
        int32_t b = mel->band[k];
        if (b < 0) {
            continue;
        }
        float t = mel->rise[k], pk = power[k];
        if ((uint32_t)b < n_mels) {
            energies[b] += t * pk;
        }
        if (b > 0) {
            energies[b - 1] += (1.0f - t) * pk;
        }
    }
}

void tml_mel_log(const tml_mel_t *mel, float *energies) {
    for (uint32_t b = 0; b < mel->cfg.n_mels; b++) {
        energies[b] = logf(energies[b] + TML_LOGMEL_EPS);
    }
}

void tml_mel_dct(const tml_mel_t *mel, const float *logmel, float *mfcc) {
    const uint32_t n_mels = mel->cfg.n_mels;
    const float *row = mel->dct;
    for (uint32_t k = 0; k < mel->cfg.n_mfcc; k++, row += n_mels) {
        float acc = 0.0f;
        for (uint32_t i = 0; i < n_mels; i++) {
            acc += row[i] * logmel[i];
        }
        mfcc[k] = acc;
    }
}
