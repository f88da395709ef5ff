// LEAKY_RELU (TFLM leaky_relu_common.cc): two requantisations, one per sign of the input.
#include "tml_act.h"
#include "tml_fixedpoint.h"

void tml_leaky_relu_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, float alpha,
    tml_leaky_relu_params_t *p) {
    p->input_offset = in_zp;
    p->output_offset = out_zp;
    // TFLM forms both ratios in float, then widens to double.
    double alpha_mult = (double)(in_scale * alpha / out_scale);
    double identity_mult = (double)(in_scale / out_scale);
    tml_quantize_multiplier(alpha_mult, &p->mult_alpha, &p->shift_alpha);
    tml_quantize_multiplier(identity_mult, &p->mult_identity, &p->shift_identity);
}

void tml_leaky_relu_s8(const int8_t *in, int8_t *out, int32_t n, const tml_leaky_relu_params_t *p) {
    for (int32_t i = 0; i < n; i++) {
        int32_t x = (int32_t)in[i] - p->input_offset;
        int32_t v = x >= 0 ? tml_mbqm(x, p->mult_identity, p->shift_identity)
                           : tml_mbqm(x, p->mult_alpha, p->shift_alpha);
        v += p->output_offset;
        out[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
}

void tml_leaky_relu_f32(const float *in, float *out, int32_t n, float alpha) {
    for (int32_t i = 0; i < n; i++) {
        const float v = in[i];
        out[i] = v > 0.0f ? v : v * alpha;  // alpha may be > 1 or < 0: no max()
    }
}
