// LOGISTIC and TANH, int8 (reference_integer_ops::Logistic / Tanh as TFLM calls them): the input
// is rescaled to Q4.27 and fed to gemmlowp's fixed-point logistic/tanh; outside a radius the
// result saturates without computing.
#include <math.h>  // expf, tanhf for the float paths

#include "tml_act.h"
#include "tml_fixedpoint.h"

#define INPUT_INTEGER_BITS 4

void tml_sigmoid_params(float in_scale, int32_t in_zp, tml_sigmoid_params_t *p) {
    const double real = (double)in_scale * (double)(1 << (31 - INPUT_INTEGER_BITS));
    // TFLM uses frexp + round directly here (not QuantizeMultiplier).
    const double q = tml_frexp(real, &p->input_left_shift);
    p->input_multiplier = (int32_t)tml_round_i64(q * (double)((int64_t)1 << 31));
    p->input_range_radius = tml_fp_input_radius(INPUT_INTEGER_BITS, p->input_left_shift);
    p->input_zero_point = in_zp;
}

void tml_logistic_s8(const int8_t *in, int8_t *out, int32_t n, const tml_sigmoid_params_t *p) {
    for (int32_t i = 0; i < n; i++) {
        const int32_t x = (int32_t)in[i] - p->input_zero_point;
        if (x <= -p->input_range_radius) {
            out[i] = -128;
        } else if (x >= p->input_range_radius) {
            out[i] = 127;
        } else {
            const int32_t x_q4 = tml_mbqm(x, p->input_multiplier, p->input_left_shift);
            const int32_t y_q0 = tml_fp_logistic(x_q4, INPUT_INTEGER_BITS);
            int32_t y = tml_rdbpot(y_q0, 31 - 8) - 128;  // output scale 1/256, zero point -128
            y = y < -128 ? -128 : (y > 127 ? 127 : y);
            out[i] = (int8_t)y;
        }
    }
}

void tml_tanh_s8(const int8_t *in, int8_t *out, int32_t n, const tml_sigmoid_params_t *p) {
    for (int32_t i = 0; i < n; i++) {
        const int32_t x = (int32_t)in[i] - p->input_zero_point;
        if (x <= -p->input_range_radius) {
            out[i] = -128;
        } else if (x >= p->input_range_radius) {
            out[i] = 127;
        } else {
            const int32_t x_q4 = tml_mbqm(x, p->input_multiplier, p->input_left_shift);
            const int32_t y_q0 = tml_fp_tanh(x_q4, INPUT_INTEGER_BITS);
            int32_t y = tml_rdbpot(y_q0, 31 - 7);  // output scale 1/128, zero point 0
            y = y < -128 ? -128 : (y > 127 ? 127 : y);
            out[i] = (int8_t)y;
        }
    }
}

// Float paths: reference_ops::Logistic cuts off both tails (as the optimised kernels do);
// Tanh is std::tanh on float.
void tml_logistic_f32(const float *in, float *out, int32_t n) {
    const float cutoff_upper = 16.619047164916992188f;
    const float cutoff_lower = -9.0f;
    for (int32_t i = 0; i < n; i++) {
        const float v = in[i];
        if (v > cutoff_upper) {
            out[i] = 1.0f;
        } else if (v < cutoff_lower) {
            out[i] = expf(v);
        } else {
            out[i] = 1.0f / (1.0f + expf(-v));
        }
    }
}

void tml_tanh_f32(const float *in, float *out, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        out[i] = tanhf(in[i]);
    }
}
