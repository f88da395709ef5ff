#include <string.h>
#include "tml_pdm.h"

// C(7 + d, d): how much integrator K - d (before 8 bits) adds to integrator K (after them).
static const uint32_t STEP[TML_PDM_MAX_ORDER] = {1, 8, 36, 120, 330};

// Floor shift of a signed value (x >> s with the sign kept, defined for negative x in C99).
static int32_t asr(int32_t x, unsigned s) {
    return x >= 0 ? (int32_t)((uint32_t)x >> s) : -(int32_t)(((uint32_t)(-(x + 1)) >> s)) - 1;
}

static uint32_t binom(uint32_t n, uint32_t k) {
    uint32_t r = 1;
    for (uint32_t i = 1; i <= k; i++) {
        r = r * (n - k + i) / i;
    }
    return r;
}

tml_dsp_status_t tml_pdm_init(tml_pdm_t *p, uint32_t decimation, uint32_t order, uint32_t hpf, uint32_t gain) {
    uint32_t lg = 0;
    while (lg < 8 && (1u << lg) != decimation) {
        lg++;
    }
    if (lg < 3 || lg > 7) {
        return TML_DSP_BAD_SIZE;                 // R a power of two in 8..128
    }
    if (order < 2 || order > TML_PDM_MAX_ORDER || lg * order > 30 || (hpf != 0 && (hpf < 4 || hpf > 15)) || gain > 9) {
        return TML_DSP_BAD_PARAM;
    }
    memset(p, 0, sizeof(*p));
    p->order = (uint8_t)order;
    p->hpf = (uint8_t)hpf;
    p->gain = (uint8_t)gain;
    p->bytes_per_out = (uint16_t)(decimation / 8);
    uint32_t e = lg * order - 1;                 // full scale of the centred CIC output: 2^e
    p->half_gain = 1u << e;
    p->norm_left = e < 24;
    p->norm_shift = (uint8_t)(e < 24 ? 24 - e : e - 24);
    for (uint32_t k = 0; k < order; k++) {
        for (uint32_t b = 0; b < 256; b++) {
            uint32_t v = 0;
            for (uint32_t j = 0; j < 8; j++) {   // j = 0: bit 7, the first of the byte
                if (b & (0x80u >> j)) {
                    v += binom(7 - j + k, k);
                }
            }
            p->lut[k][b] = (uint16_t)v;          // <= C(12, 5) = 792
        }
    }
    return TML_DSP_OK;
}

void tml_pdm_reset(tml_pdm_t *p) {
    memset(p->integ, 0, sizeof(p->integ));
    memset(p->comb, 0, sizeof(p->comb));
    p->hp_x = p->hp_y = 0;
    p->phase = 0;
    p->ones = p->abs_sum = 0;
}

uint32_t tml_pdm_outputs(const tml_pdm_t *p, size_t nbytes) {
    return (uint32_t)((p->phase + nbytes) / p->bytes_per_out);
}

static void integrate(tml_pdm_t *p, uint32_t b) {
    uint32_t *s = p->integ;
    for (int k = p->order - 1; k >= 0; k--) {    // highest first: each uses the old lower states
        uint32_t acc = p->lut[k][b];
        for (int m = 0; m <= k; m++) {
            acc += STEP[k - m] * s[m];
        }
        s[k] = acc;
    }
}

static int16_t output(tml_pdm_t *p) {
    uint32_t c = p->integ[p->order - 1];
    for (int k = 0; k < p->order; k++) {
        uint32_t t = c - p->comb[k];
        p->comb[k] = c;
        c = t;
    }
    int32_t x = (int32_t)c - (int32_t)p->half_gain;   // c in 0..2^30: centred, +-2^e
    x = p->norm_left ? x * (int32_t)(1u << p->norm_shift) : asr(x, p->norm_shift);   // Q24
    int32_t y = x;
    if (p->hpf) {
        y = x - p->hp_x + p->hp_y - asr(p->hp_y, p->hpf);
        p->hp_x = x;
        p->hp_y = y;
    }
    y = asr(y, 9u - p->gain);
    if (y > 32767) {
        y = 32767;
    } else if (y < -32768) {
        y = -32768;
    }
    p->abs_sum += (uint32_t)(y < 0 ? -y : y);
    return (int16_t)y;
}

uint32_t tml_pdm_decode(tml_pdm_t *p, const uint8_t *src, size_t nbytes, int16_t *dst) {
    uint32_t n = 0, ones = 0;
    p->abs_sum = 0;
    for (size_t i = 0; i + 1 < nbytes; i += 2) {
        for (size_t h = 0; h < 2; h++) {         // the high byte of the word is received first
            uint32_t b = src[i + 1 - h];
            ones += p->lut[0][b];
            integrate(p, b);
            if (++p->phase == p->bytes_per_out) {
                p->phase = 0;
                dst[n++] = output(p);
            }
        }
    }
    p->ones = ones;
    return n;
}
