// gemmlowp-style fixed-point helpers used by TFLM's reference kernels, written out in C99.
// Every function reproduces the integer arithmetic of gemmlowp/fixedpoint.h (scalar int32 and
// int16 paths) or TFLite's quantization_util.cc exactly: the kernels built on them must be bit
// exact with TFLM. `ib` arguments are the FixedPoint integer-bit counts of the templates.
#ifndef TML_FIXEDPOINT_H
#define TML_FIXEDPOINT_H

#include <math.h>
#include <stdint.h>

static inline int32_t tml_fp_srdhm(int32_t a, int32_t b) {
    // SaturatingRoundingDoublingHighMul: the only overflow is INT32_MIN * INT32_MIN.
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    // C99 '/' truncates toward zero, as the C++ of gemmlowp does.
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static inline int32_t tml_fp_rdbpot(int32_t x, int exponent) {
    // RoundingDivideByPOT: round half away from zero.
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// MultiplyByQuantizedMultiplier (TFLite common.h, double-rounding variant that TFLM builds use).
static inline int32_t tml_fp_mbqm(int32_t x, int32_t multiplier, int shift) {
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    return tml_fp_rdbpot(tml_fp_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

// QuantizeMultiplier (quantization_util.cc): double in, Q31 multiplier and power-of-two shift.
static inline void tml_fp_quantize_multiplier(double m, int32_t *q, int *shift) {
    if (m == 0.0) {
        *q = 0;
        *shift = 0;
        return;
    }
    double frac = frexp(m, shift);
    int64_t q_fixed = (int64_t)round(frac * (double)((int64_t)1 << 31));
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        ++*shift;
    }
    if (*shift < -31) {
        *shift = 0;
        q_fixed = 0;
    }
    *q = (int32_t)q_fixed;
}

// CalculateInputRadius (quantization_util.cc), used by LOGISTIC / TANH.
static inline int32_t tml_fp_input_radius(int input_integer_bits, int input_left_shift, int total_signed_bits) {
    const double max_input_rescaled = 1.0 * ((1 << input_integer_bits) - 1) *
        (double)((int64_t)1 << (total_signed_bits - input_integer_bits)) /
        (double)((int64_t)1 << input_left_shift);
    return (int32_t)floor(max_input_rescaled);
}

// SaturatingRoundingMultiplyByPOT<exponent> on int32.
static inline int32_t tml_fp_sat_mul_pot(int32_t x, int exponent) {
    if (exponent == 0) {
        return x;
    }
    if (exponent < 0) {
        return tml_fp_rdbpot(x, -exponent);
    }
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

static inline int32_t tml_fp_rounding_half_sum(int32_t a, int32_t b) {
    int64_t sum = (int64_t)a + (int64_t)b;
    int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

// exp(x) for x in [-1/4, 0), Q0.31 in and out.
static inline int32_t tml_fp_exp_quarter(int32_t a) {
    const int32_t constant_term = 1895147668;     // exp(-1/8)
    const int32_t constant_1_over_3 = 715827883;  // 1/3
    int32_t x = a + (1 << 28);                    // a + 1/8
    int32_t x2 = tml_fp_srdhm(x, x);
    int32_t x3 = tml_fp_srdhm(x2, x);
    int32_t x4 = tml_fp_srdhm(x2, x2);
    int32_t x4_over_4 = tml_fp_sat_mul_pot(x4, -2);
    int32_t poly = tml_fp_sat_mul_pot(tml_fp_srdhm(x4_over_4 + x3, constant_1_over_3) + x2, -1);
    return constant_term + tml_fp_srdhm(constant_term, x + poly);
}

// gemmlowp::exp_on_negative_values for FixedPoint<int32, ib>; result Q0.31.
static inline int32_t tml_fp_exp_on_negative_values(int32_t a, int ib) {
    static const int32_t mults[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int fb = 31 - ib;
    const int32_t one_quarter = (int32_t)1 << (fb - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
    int32_t result = tml_fp_exp_quarter(tml_fp_sat_mul_pot(a_mod_quarter_minus_one_quarter, ib));
    const int32_t remainder = a_mod_quarter_minus_one_quarter - a;
    for (int e = -2; e <= 4; e++) {
        if (ib > e) {
            const int shift = fb + e;
            if (remainder & ((int32_t)1 << shift)) {
                result = tml_fp_srdhm(result, mults[e + 2]);
            }
        }
    }
    if (ib > 5) {
        const int32_t clamp = -((int32_t)1 << (36 - ib));  // -32.0
        if (a < clamp) {
            result = 0;
        }
    }
    if (a == 0) {
        result = INT32_MAX;
    }
    return result;
}

// Newton-Raphson 1/(1+x) core shared by the two functions below; returns x in Q2.29.
static inline int32_t tml_fp_nr_reciprocal_q2(int32_t half_denominator) {
    const int32_t c48_17 = 1515870810;
    const int32_t cneg32_17 = -1010580540;
    int32_t x = c48_17 + tml_fp_srdhm(half_denominator, cneg32_17);
    for (int i = 0; i < 3; i++) {
        int32_t hdx = tml_fp_srdhm(half_denominator, x);         // Q2
        int32_t one_minus = ((int32_t)1 << 29) - hdx;             // Q2
        x = x + tml_fp_sat_mul_pot(tml_fp_srdhm(x, one_minus), 2);  // Q4 -> Q2
    }
    return x;
}

// 1/(1+a) for a in [0,1], Q0.31.
static inline int32_t tml_fp_one_over_one_plus_x(int32_t a) {
    int32_t half_denominator = tml_fp_rounding_half_sum(a, INT32_MAX);
    int32_t x = tml_fp_nr_reciprocal_q2(half_denominator);
    return tml_fp_sat_mul_pot(x, 1);  // ExactMulByPot<-1> (Q2 -> Q1 raw), then Rescale<0>
}

// (1-a)/(1+a) for a in [0,1], Q0.31.
static inline int32_t tml_fp_one_minus_x_over_one_plus_x(int32_t a) {
    int32_t half_denominator = tml_fp_rounding_half_sum(a, INT32_MAX);
    int32_t x = tml_fp_nr_reciprocal_q2(half_denominator);
    return tml_fp_sat_mul_pot(x - ((int32_t)1 << 29), 2);
}

// gemmlowp::logistic for FixedPoint<int32, ib>; Q0.31 result.
static inline int32_t tml_fp_logistic(int32_t a, int ib) {
    if (a == 0) {
        return (int32_t)1 << 30;
    }
    int32_t abs_a = a > 0 ? a : -a;
    int32_t pos = tml_fp_one_over_one_plus_x(tml_fp_exp_on_negative_values(-abs_a, ib));
    return a > 0 ? pos : INT32_MAX - pos;
}

// gemmlowp::tanh for FixedPoint<int32, ib>; Q0.31 result.
static inline int32_t tml_fp_tanh(int32_t a, int ib) {
    if (a == 0) {
        return 0;
    }
    int32_t n = a < 0 ? a : -a;
    // ExactMulByPot<1>: same raw, one more integer bit, i.e. exp(2n).
    int32_t t = tml_fp_one_minus_x_over_one_plus_x(tml_fp_exp_on_negative_values(n, ib + 1));
    return a < 0 ? -t : t;
}

// ---- int16 variants (HARD_SWISH) ----
static inline int16_t tml_fp_srdhm16(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    int32_t ab = (int32_t)a * (int32_t)b;
    int16_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (int16_t)((ab + nudge) / (1 << 15));
}

static inline int16_t tml_fp_rdbpot16(int16_t x, int exponent) {
    const int16_t mask = (int16_t)((1LL << exponent) - 1);
    const int16_t remainder = (int16_t)(x & mask);
    const int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

#endif
