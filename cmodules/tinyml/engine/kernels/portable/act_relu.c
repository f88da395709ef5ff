// RELU and RELU6 (TFLM activations.cc / activations_common.cc).
#include "tml_act.h"
#include "tml_fixedpoint.h"

void tml_relu_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, tml_relu_params_t *p) {
    double real = (double)in_scale / (double)out_scale;
    tml_quantize_multiplier(real, &p->multiplier, &p->shift);
    // act_min = 0.0f: zp + round(0 / scale); act_max is +inf, i.e. the type's max.
    int32_t lo = out_zp + tml_roundf_i32(0.0f / out_scale);
    p->act_min = lo > -128 ? lo : -128;
    p->act_max = 127;
    p->input_offset = in_zp;
    p->output_offset = out_zp;
}

void tml_relu_s8(const int8_t *in, int8_t *out, int32_t n, const tml_relu_params_t *p) {
    for (int32_t i = 0; i < n; i++) {
        int32_t v = p->output_offset + tml_mbqm((int32_t)in[i] - p->input_offset, p->multiplier, p->shift);
        v = v < p->act_min ? p->act_min : v;
        v = v > p->act_max ? p->act_max : v;
        out[i] = (int8_t)v;
    }
}

void tml_relu_f32(const float *in, float *out, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        out[i] = in[i] < 0.0f ? 0.0f : in[i];  // NaN passes, as in TFLM
    }
}

void tml_relu6_bounds(float in_scale, int32_t in_zp, int8_t *lower, int8_t *upper) {
    // FloatToQuantizedType<int8_t>(6.0f, scale, zp)
    int32_t six = tml_roundf_i32(6.0f / in_scale) + in_zp;
    six = six < -128 ? -128 : (six > 127 ? 127 : six);
    *upper = (int8_t)six;
    *lower = (int8_t)in_zp;
}

void tml_relu6_s8(const int8_t *in, int8_t *out, int32_t n, int8_t lower, int8_t upper) {
    for (int32_t i = 0; i < n; i++) {
        int8_t v = in[i];
        out[i] = v > upper ? upper : (v < lower ? lower : v);
    }
}

void tml_relu6_f32(const float *in, float *out, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        const float v = in[i];
        out[i] = v > 6.0f ? 6.0f : (v < 0.0f ? 0.0f : v);
    }
}
