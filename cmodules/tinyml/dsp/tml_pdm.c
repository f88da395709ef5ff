#include <string.h>
#include "tml_pdm.h"

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
    for (uint32_t k = 0; k < TML_PDM_MAX_ORDER; k++) {   // all five: decode runs five stages
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

static int16_t output(tml_pdm_t *p, uint32_t c) {
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
    // All five integrators run whatever the order (the unused ones cost little and wrap
    // harmlessly); the states stay in locals. After 8 bits, integrator K gains
    // sum over M < K of C(7 + K - M, K - M) * s_M (1, 8, 36, 120, 330) plus its table entry.
    const uint16_t *l0 = p->lut[0], *l1 = p->lut[1], *l2 = p->lut[2], *l3 = p->lut[3], *l4 = p->lut[4];
    uint32_t s0 = p->integ[0], s1 = p->integ[1], s2 = p->integ[2], s3 = p->integ[3], s4 = p->integ[4];
    uint32_t n = 0, ones = 0, phase = p->phase, per = p->bytes_per_out;
    p->abs_sum = 0;
    nbytes &= ~(size_t)1;
    for (size_t i = 0; i < nbytes; i++) {
        uint32_t b = src[i ^ 1];                 // the high byte of each word is received first
        ones += l0[b];
        s4 += 8u * s3 + 36u * s2 + 120u * s1 + 330u * s0 + l4[b];
        s3 += 8u * s2 + 36u * s1 + 120u * s0 + l3[b];
        s2 += 8u * s1 + 36u * s0 + l2[b];
        s1 += 8u * s0 + l1[b];
        s0 += l0[b];
        if (++phase == per) {
            phase = 0;
            uint32_t top = p->order == 5 ? s4 : p->order == 4 ? s3 : p->order == 3 ? s2 : s1;
            dst[n++] = output(p, top);
        }
    }
    p->integ[0] = s0;
    p->integ[1] = s1;
    p->integ[2] = s2;
    p->integ[3] = s3;
    p->integ[4] = s4;
    p->phase = (uint16_t)phase;
    p->ones = ones;
    return n;
}
