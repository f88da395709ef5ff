// HARD_SWISH (TFLM hard_swish.cc, reference_ops::HardSwish): int16 fixed-point x*relu6(x+3)/6.
#include "tml_act.h"
#include "tml_fixedpoint.h"

// DownScaleInt32ToInt16Multiplier (quantization_util.h).
static int16_t downscale_mult(int32_t m) {
    const int32_t rounding = 1 << 15;
    if (m >= INT32_MAX - rounding) {
        return INT16_MAX;
    }
    return (int16_t)((m + rounding) >> 16);
}

int tml_hard_swish_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, tml_hard_swish_params_t *p) {
    p->input_zero_point = in_zp;
    p->output_zero_point = out_zp;
    const float hires_input_scale = (1.0f / 128.0f) * in_scale;
    const float reluish_scale = 3.0f / 32768.0f;
    int32_t m32;
    tml_quantize_multiplier((double)(hires_input_scale / out_scale), &m32, &p->output_exponent);
    p->output_mult16 = downscale_mult(m32);
    if (p->output_exponent > 0) {
        return -1;
    }
    tml_quantize_multiplier((double)(hires_input_scale / reluish_scale), &m32, &p->reluish_exponent);
    p->reluish_mult16 = downscale_mult(m32);
    return 0;
}

static int16_t sat_left_shift16(int16_t v, int amount) {
    int64_t r = (int64_t)v * ((int64_t)1 << amount);
    r = r > INT16_MAX ? INT16_MAX : r;
    r = r < INT16_MIN ? INT16_MIN : r;
    return (int16_t)r;
}

// SQDMULH-like: doubling high multiply rounding toward zero (cancels the SRDHM bias above).
static int16_t sat_doubling_high_mul16(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

void tml_hard_swish_s8(const int8_t *in, int8_t *out, int32_t n, const tml_hard_swish_params_t *p) {
    for (int32_t i = 0; i < n; i++) {
        const int16_t x = (int16_t)(in[i] - p->input_zero_point);
        const int16_t x_hires = (int16_t)(x * (1 << 7));
        const int16_t x_preshift_out = tml_fp_srdhm16(x_hires, p->output_mult16);
        int16_t reluish = x_hires;
        if (p->reluish_exponent > 0) {
            reluish = sat_left_shift16(reluish, p->reluish_exponent - 1);
        }
        reluish = tml_fp_srdhm16(reluish, p->reluish_mult16);
        if (p->reluish_exponent > 0) {
            reluish = sat_left_shift16(reluish, 1);
        }
        if (p->reluish_exponent < 0) {
            reluish = tml_fp_rdbpot16(reluish, -p->reluish_exponent);
        }
        reluish = (int16_t)((reluish + (1 << 15)) >> 1);  // [-1, 1] -> [0, 1]
        const int16_t preshift = sat_doubling_high_mul16(reluish, x_preshift_out);
        int16_t v = tml_fp_rdbpot16(preshift, -p->output_exponent);
        v = (int16_t)(v + p->output_zero_point);
        v = v > 127 ? 127 : v;
        v = v < -128 ? -128 : v;
        out[i] = (int8_t)v;
    }
}

void tml_hard_swish_f32(const float *in, float *out, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        const float x = in[i];
        float r = x + 3.0f;
        r = r > 0.0f ? r : 0.0f;
        r = r < 6.0f ? r : 6.0f;
        out[i] = x * r / 6.0f;
    }
}
