// gemmlowp fixed-point functions beyond what kernels/tml_qmath.h has: logistic, tanh, the
// (1-x)/(1+x) step, int16 variants (HARD_SWISH) and CalculateInputRadius. Built on tml_qmath.h's
// primitives, libm-free like it; bit exact with gemmlowp/fixedpoint.h for int32/int16 scalars.
#ifndef TML_FIXEDPOINT_H
#define TML_FIXEDPOINT_H

#include <stdint.h>

#include "kernels/tml_qmath.h"

// CalculateInputRadius(input_integer_bits, input_left_shift, 31) of quantization_util.cc:
// floor((2^ib - 1) * 2^(31 - ib) / 2^shift), done in integers (exact).
static inline int32_t tml_fp_input_radius(int input_integer_bits, int input_left_shift) {
    int64_t v = (((int64_t)1 << input_integer_bits) - 1) << (31 - input_integer_bits);
    if (input_left_shift >= 0) {
        v = input_left_shift > 62 ? 0 : v >> input_left_shift;
    } else {
        v = -input_left_shift > 30 ? INT32_MAX : v << -input_left_shift;
    }
    return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

// (1 - a) / (1 + a) for a in [0, 1], Q0.31 (gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1).
static inline int32_t tml_fp_one_minus_x_over_one_plus_x(int32_t a) {
    int64_t sum = (int64_t)a + INT32_MAX;  // RoundingHalfSum(a, One)
    int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    int32_t x = 1515870810 + tml_srdhm(half_denominator, -1010580540);  // 48/17 - 32/17 * d, Q2.29
    for (int i = 0; i < 3; i++) {
        int32_t one_minus = (1 << 29) - tml_srdhm(half_denominator, x);
        x = x + tml_sat_shift_left(tml_srdhm(x, one_minus), 2);
    }
    return tml_sat_shift_left(x - (1 << 29), 2);  // Rescale<0>(x - One) from Q2.29
}

// gemmlowp::logistic for FixedPoint<int32, ib>; Q0.31 result.
static inline int32_t tml_fp_logistic(int32_t a, int ib) {
    if (a == 0) {
        return (int32_t)1 << 30;  // one half
    }
    int32_t abs_a = a > 0 ? a : -a;
    int32_t pos = tml_one_over_one_plus_x_for_x_in_0_1(tml_exp_on_negative_values(-abs_a, ib));
    return a > 0 ? pos : INT32_MAX - pos;
}

// gemmlowp::tanh for FixedPoint<int32, ib>; Q0.31 result.
static inline int32_t tml_fp_tanh(int32_t a, int ib) {
    if (a == 0) {
        return 0;
    }
    int32_t n = a < 0 ? a : -a;
    // ExactMulByPot<1>: the same raw with one more integer bit, i.e. exp(2n).
    int32_t t = tml_fp_one_minus_x_over_one_plus_x(tml_exp_on_negative_values(n, ib + 1));
    return a < 0 ? -t : t;
}

// gemmlowp SaturatingRoundingDoublingHighMul on int16.
static inline int16_t tml_fp_srdhm16(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    int32_t ab = (int32_t)a * (int32_t)b;
    int16_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (int16_t)((ab + nudge) / (1 << 15));
}

// gemmlowp RoundingDivideByPOT on int16.
static inline int16_t tml_fp_rdbpot16(int16_t x, int exponent) {
    const int16_t mask = (int16_t)((1LL << exponent) - 1);
    const int16_t remainder = (int16_t)(x & mask);
    const int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

#endif
