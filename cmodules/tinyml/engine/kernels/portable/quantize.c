// QUANTIZE / DEQUANTIZE kernels.
#include "tml_fixedpoint.h"
#include "tml_quantize.h"

enum { T_UINT8 = 3, T_INT16 = 7, T_INT8 = 9 };

static int32_t load_int(const void *p, int type, int32_t i) {
    switch (type) {
        case T_UINT8: return ((const uint8_t *)p)[i];
        case T_INT16: return ((const int16_t *)p)[i];
        default: return ((const int8_t *)p)[i];
    }
}

static void store_clamped(void *p, int type, int32_t i, int32_t v) {
    switch (type) {
        case T_UINT8:
            ((uint8_t *)p)[i] = (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
            break;
        case T_INT16:
            ((int16_t *)p)[i] = (int16_t)(v < INT16_MIN ? INT16_MIN : (v > INT16_MAX ? INT16_MAX : v));
            break;
        default:
            ((int8_t *)p)[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
            break;
    }
}

void tml_affine_quantize_f32(const float *in, void *out, int32_t n, float scale, int32_t zp, int out_type) {
    for (int32_t i = 0; i < n; i++) {
        // TFLM: static_cast<int32_t>(round(val / (float)scale)) + zp, then clamp. Out of int32
        // range TFLM's cast is undefined; we saturate (as an ARM VCVT would).
        const float v = in[i] / scale;
        int64_t q = v != v ? 0 : (int64_t)tml_roundf_i32(v);
        q += zp;
        store_clamped(out, out_type, i, q > INT32_MAX ? INT32_MAX : (q < INT32_MIN ? INT32_MIN : (int32_t)q));
    }
}

void tml_requant_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, tml_requant_params_t *p) {
    tml_quantize_multiplier((double)in_scale / (double)out_scale, &p->multiplier, &p->shift);
    p->input_zp = in_zp;
    p->output_zp = out_zp;
}

void tml_requantize(const void *in, int in_type, void *out, int out_type, int32_t n, const tml_requant_params_t *p) {
    // Same scale and int8 <-> uint8 with zero points 128 apart: TFLM flips the top bit, which
    // equals the general formula below, so no special case is needed.
    for (int32_t i = 0; i < n; i++) {
        const int32_t x = load_int(in, in_type, i) - p->input_zp;
        store_clamped(out, out_type, i, tml_mbqm(x, p->multiplier, p->shift) + p->output_zp);
    }
}

void tml_dequantize(const void *in, int in_type, float *out, int32_t n, float scale, int32_t zp) {
    const double s = (double)scale;
    for (int32_t i = 0; i < n; i++) {
        out[i] = (float)(s * (double)(load_int(in, in_type, i) - zp));
    }
}
