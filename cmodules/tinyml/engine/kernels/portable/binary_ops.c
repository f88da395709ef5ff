// SUB and MUL kernels over a broadcast description (TFLM sub_common.cc / mul_common.cc math).
#include "tml_binary.h"
#include "tml_fixedpoint.h"

void tml_sub_s8_params(float s1, int32_t zp1, float s2, int32_t zp2, float so, int32_t zpo, tml_arith_params_t *p) {
    p->input1_offset = -zp1;
    p->input2_offset = -zp2;
    p->output_offset = zpo;
    p->left_shift = 20;
    // Float steps as in CalculateOpDataSub, widened to double only at the end.
    const float twice_max = 2.0f * (s1 > s2 ? s1 : s2);
    tml_quantize_multiplier((double)(s1 / twice_max), &p->input1_multiplier, &p->input1_shift);
    tml_quantize_multiplier((double)(s2 / twice_max), &p->input2_multiplier, &p->input2_shift);
    tml_quantize_multiplier((double)(twice_max / ((float)(1 << p->left_shift) * so)), &p->output_multiplier,
        &p->output_shift);
}

void tml_mul_s8_params(float s1, int32_t zp1, float s2, int32_t zp2, float so, int32_t zpo, tml_arith_params_t *p) {
    p->input1_offset = -zp1;
    p->input2_offset = -zp2;
    p->output_offset = zpo;
    p->left_shift = 0;
    tml_quantize_multiplier((double)s1 * (double)s2 / (double)so, &p->output_multiplier, &p->output_shift);
}

// Walk the output in row-major order, keeping the two input offsets in step.
#define TML_BCAST_LOOP(b, BODY)                                                   \
    do {                                                                          \
        int32_t idx_[TML_BCAST_MAX_DIMS] = {0};                                   \
        int32_t total_ = 1;                                                       \
        for (int d_ = 0; d_ < (b)->ndims; d_++) total_ *= (b)->out_dims[d_];      \
        int32_t i1 = 0, i2 = 0;                                                   \
        for (int32_t o = 0; o < total_; o++) {                                    \
            BODY;                                                                 \
            for (int d_ = (b)->ndims - 1; d_ >= 0; d_--) {                        \
                i1 += (b)->stride1[d_];                                           \
                i2 += (b)->stride2[d_];                                           \
                if (++idx_[d_] < (b)->out_dims[d_]) break;                        \
                i1 -= (b)->stride1[d_] * (b)->out_dims[d_];                       \
                i2 -= (b)->stride2[d_] * (b)->out_dims[d_];                       \
                idx_[d_] = 0;                                                     \
            }                                                                     \
        }                                                                         \
    } while (0)

static inline int8_t clamp8(int32_t v, const tml_arith_params_t *p) {
    v = v < p->act_min ? p->act_min : v;
    v = v > p->act_max ? p->act_max : v;
    return (int8_t)v;
}

void tml_sub_s8(const tml_bcast_t *b, const int8_t *x, const int8_t *y, int8_t *out, const tml_arith_params_t *p) {
    TML_BCAST_LOOP(b, {
        const int32_t a = (p->input1_offset + x[i1]) * (1 << p->left_shift);
        const int32_t c = (p->input2_offset + y[i2]) * (1 << p->left_shift);
        const int32_t sa = tml_mbqm(a, p->input1_multiplier, p->input1_shift);
        const int32_t sc = tml_mbqm(c, p->input2_multiplier, p->input2_shift);
        out[o] = clamp8(tml_mbqm(sa - sc, p->output_multiplier, p->output_shift) + p->output_offset, p);
    });
}

void tml_mul_s8(const tml_bcast_t *b, const int8_t *x, const int8_t *y, int8_t *out, const tml_arith_params_t *p) {
    TML_BCAST_LOOP(b, {
        const int32_t a = p->input1_offset + x[i1];
        const int32_t c = p->input2_offset + y[i2];
        out[o] = clamp8(p->output_offset + tml_mbqm(a * c, p->output_multiplier, p->output_shift), p);
    });
}

static inline float clampf(float v, float lo, float hi) {
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

void tml_sub_f32(const tml_bcast_t *b, const float *x, const float *y, float *out, float act_min, float act_max) {
    TML_BCAST_LOOP(b, { out[o] = clampf(x[i1] - y[i2], act_min, act_max); });
}

void tml_mul_f32(const tml_bcast_t *b, const float *x, const float *y, float *out, float act_min, float act_max) {
    TML_BCAST_LOOP(b, { out[o] = clampf(x[i1] * y[i2], act_min, act_max); });
}

static inline int32_t clamp32(int32_t v, int32_t lo, int32_t hi) {
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

void tml_sub_i32(const tml_bcast_t *b, const int32_t *x, const int32_t *y, int32_t *out, int32_t act_min, int32_t act_max) {
    TML_BCAST_LOOP(b, { out[o] = clamp32((int32_t)((uint32_t)x[i1] - (uint32_t)y[i2]), act_min, act_max); });
}

void tml_mul_i32(const tml_bcast_t *b, const int32_t *x, const int32_t *y, int32_t *out, int32_t act_min, int32_t act_max) {
    TML_BCAST_LOOP(b, { out[o] = clamp32((int32_t)((uint32_t)x[i1] * (uint32_t)y[i2]), act_min, act_max); });
}
