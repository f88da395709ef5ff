#include <math.h>
#include "tml_vib.h"
#include "tml_window.h"

uint32_t tml_vib_workspace_len(const tml_vib_config_t *c) {
    uint32_t len = c->n;  // scratch
    if (c->n_bands) {
        len += tml_rfft_table_len(c->n) + c->n;
    }
    return len;
}

tml_dsp_status_t tml_vib_init(tml_vib_t *vib, const tml_vib_config_t *c, const float *lo,
    const float *hi, float *ws, uint32_t ws_len) {
    if (c->n_axes == 0 || c->n_axes > TML_VIB_MAX_AXES || c->n_bands > TML_VIB_MAX_BANDS) {
        return TML_DSP_BAD_PARAM;
    }
    if (c->n < 2 || (c->n_bands && !tml_rfft_size_ok(c->n))) {
        return TML_DSP_BAD_SIZE;
    }
    if (!(c->fs > 0.0f)) {
        return TML_DSP_BAD_PARAM;
    }
    for (uint32_t b = 0; b < c->n_bands; b++) {
        if (!(lo[b] >= 0.0f) || !(lo[b] < hi[b])) {
            return TML_DSP_BAD_PARAM;
        }
    }
    if (ws_len < tml_vib_workspace_len(c)) {
        return TML_DSP_SMALL_BUFFER;
    }
    vib->cfg = *c;
    vib->scratch = ws;
    vib->window = 0;
    if (c->n_bands) {
        float *table = ws + c->n;
        float *window = table + tml_rfft_table_len(c->n);
        tml_rfft_init(&vib->fft, c->n, table, tml_rfft_table_len(c->n));
        tml_window_fill(window, c->n, TML_WINDOW_HANN);
        vib->window = window;
    }
    const uint32_t n_bins = c->n / 2 + 1;
    for (uint32_t b = 0; b < c->n_bands; b++) {
        // Same float32 bin frequencies as the host twin, so edges fall on the same side.
        uint32_t k = 0;
        while (k < n_bins && (float)k * c->fs / (float)c->n < lo[b]) {
            k++;
        }
        vib->bin_lo[b] = (uint16_t)k;
        while (k < n_bins && (float)k * c->fs / (float)c->n < hi[b]) {
            k++;
        }
        vib->bin_hi[b] = (uint16_t)k;
    }
    return TML_DSP_OK;
}

// Features of one axis already copied into vib->scratch (n floats, overwritten).
static void axis_features(const tml_vib_t *vib, float *out) {
    const uint32_t n = vib->cfg.n;
    float *d = vib->scratch;
    // Two-pass mean with a correction pass: accurate even when the DC offset dwarfs the signal.
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; i++) {
        sum += d[i];
    }
    float mean = sum / (float)n;
    float resid = 0.0f;
    for (uint32_t i = 0; i < n; i++) {
        resid += d[i] - mean;
    }
    mean += resid / (float)n;
    float s2 = 0.0f, s4 = 0.0f, peak = 0.0f;
    for (uint32_t i = 0; i < n; i++) {
        float v = d[i] - mean;
        float v2 = v * v;
        d[i] = v;
        s2 += v2;
        s4 += v2 * v2;
        float a = fabsf(v);
        if (a > peak) {
            peak = a;
        }
    }
    float m2 = s2 / (float)n;
    float rms = sqrtf(m2);
    out[0] = rms;
    out[1] = peak;
    out[2] = rms > 0.0f ? peak / rms : 0.0f;
    out[3] = m2 > 0.0f ? (s4 / (float)n) / (m2 * m2) : 0.0f;
    if (vib->cfg.n_bands == 0) {
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        d[i] *= vib->window[i];
    }
    tml_rfft_packed(&vib->fft, d);
    const uint32_t m = n / 2;
    const float inv_n = 1.0f / (float)n;
    for (uint32_t b = 0; b < vib->cfg.n_bands; b++) {
        float e = 0.0f;
        for (uint32_t k = vib->bin_lo[b]; k < vib->bin_hi[b]; k++) {
            float re, im;
            if (k == 0) {
                re = d[0];
                im = 0.0f;
            } else if (k == m) {
                re = d[1];
                im = 0.0f;
            } else {
                re = d[2 * k];
                im = d[2 * k + 1];
            }
            e += re * re + im * im;
        }
        out[TML_VIB_STATS + b] = e * inv_n;
    }
}

void tml_vib_features_i16(const tml_vib_t *vib, const int16_t *samples, float *out) {
    const uint32_t n = vib->cfg.n, axes = vib->cfg.n_axes;
    const uint32_t stride = TML_VIB_STATS + vib->cfg.n_bands;
    for (uint32_t a = 0; a < axes; a++) {
        for (uint32_t i = 0; i < n; i++) {
            vib->scratch[i] = (float)samples[i * axes + a];
        }
        axis_features(vib, out + a * stride);
    }
}

void tml_vib_features_f32(const tml_vib_t *vib, const float *samples, float *out) {
    const uint32_t n = vib->cfg.n, axes = vib->cfg.n_axes;
    const uint32_t stride = TML_VIB_STATS + vib->cfg.n_bands;
    for (uint32_t a = 0; a < axes; a++) {
        for (uint32_t i = 0; i < n; i++) {
            vib->scratch[i] = samples[i * axes + a];
        }
        axis_features(vib, out + a * stride);
    }
}
