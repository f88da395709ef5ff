// Quantised arithmetic exactly as TFLite Micro's reference kernels do it (bit for bit):
// gemmlowp's fixed-point primitives, TFLM's QuantizeMultiplier / MultiplyByQuantizedMultiplier
// (the default double-rounding variant: TFLITE_SINGLE_ROUNDING off), activation ranges, and the
// fixed-point exp / reciprocal of the int8 softmax.
//
// Header-only and libm-free (frexp and round are done on the IEEE bits), so it links on bare
// ports. Double constants are casts of exact values: ports such as stm32 and esp8266 build with
// -fsingle-precision-constant, which would turn a plain 2147483647.0 into 2^31.
#ifndef TML_QMATH_H
#define TML_QMATH_H

#include <stdint.h>
#include <string.h>

#include "tml_schema.h"

// ---- gemmlowp primitives ----

// (a * b * 2) >> 32, rounded to nearest; the one overflow case saturates.
static inline int32_t tml_srdhm(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    int64_t ab = (int64_t)a * (int64_t)b;
    int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

// x / 2^exponent, rounded to nearest, ties away from zero (exponent 0..31; larger exponents,
// which only corrupt models produce, are clamped so that nothing is undefined behaviour).
static inline int32_t tml_rdbpot(int32_t x, int exponent) {
    exponent = exponent > 31 ? 31 : exponent;
    int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * 2^exponent with saturation (exponent 0..30), gemmlowp's SaturatingRoundingMultiplyByPOT.
static inline int32_t tml_sat_shift_left(int32_t x, int exponent) {
    int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

// x * 2^shift (wrapping like TFLM's int multiply), as int32. Valid multipliers have
// shift <= 31; the mask only keeps corrupt ones from being undefined behaviour.
static inline int32_t tml_shl_wrap(int32_t x, int shift) {
    return (int32_t)((uint32_t)x << (shift & 31));
}

// ---- TFLM quantised multipliers ----

// MultiplyByQuantizedMultiplier: x * qm * 2^shift, qm a Q31 fraction in [0.5, 1).
static inline int32_t tml_mbqm(int32_t x, int32_t qm, int shift) {
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    return tml_rdbpot(tml_srdhm(tml_shl_wrap(x, left), qm), right);
}

// MultiplyByQuantizedMultiplierSmallerThanOneExp (left_shift <= 0).
static inline int32_t tml_mbqm_smaller_than_one(int32_t x, int32_t qm, int left_shift) {
    return tml_rdbpot(tml_srdhm(x, qm), -left_shift);
}

// MultiplyByQuantizedMultiplierGreaterThanOne (left_shift >= 0).
static inline int32_t tml_mbqm_greater_than_one(int32_t x, int32_t qm, int left_shift) {
    return tml_srdhm(tml_shl_wrap(x, left_shift), qm);
}

// std::frexp on the IEEE-754 bits: x = f * 2^e with |f| in [0.5, 1).
static inline double tml_frexp(double x, int *e) {
    uint64_t bits;
    int adjust = 0;
    memcpy(&bits, &x, sizeof bits);
    int exp = (int)((bits >> 52) & 0x7ff);
    if (exp == 0) {
        if (x == (double)0) {
            *e = 0;
            return x;
        }
        x *= (double)((int64_t)1 << 54);  // normalise a subnormal
        memcpy(&bits, &x, sizeof bits);
        exp = (int)((bits >> 52) & 0x7ff);
        adjust = 54;
    }
    if (exp == 0x7ff) {
        *e = 0;
        return x;
    }
    *e = exp - 1022 - adjust;
    bits = (bits & ~((uint64_t)0x7ff << 52)) | ((uint64_t)1022 << 52);
    memcpy(&x, &bits, sizeof x);
    return x;
}

// std::round to int64 for |x| < 2^62: halves away from zero.
static inline int64_t tml_round_i64(double x) {
    int64_t t = (int64_t)x;  // truncates
    double frac = x - (double)t;
    if (frac >= (double)0.5) {
        t++;
    } else if (frac <= (double)-0.5) {
        t--;
    }
    return t;
}

// std::round of a float to int32, saturating (TFLM would overflow; we clamp instead); NaN,
// which only a corrupt model can produce (the loader rejects scales that are not positive and
// finite), gives 0 instead of undefined behaviour.
static inline int32_t tml_roundf_i32(float x) {
    if (x != x) {
        return 0;
    }
    if (x >= 2147483520.0f) {  // largest float below 2^31
        return INT32_MAX;
    }
    if (x <= -2147483648.0f) {
        return INT32_MIN;
    }
    int32_t t = (int32_t)x;
    float frac = x - (float)t;
    if (frac >= 0.5f) {
        t++;
    } else if (frac <= -0.5f) {
        t--;
    }
    return t;
}

// QuantizeMultiplier: m = q * 2^shift, q a Q31 fraction; tiny m flush to zero like TFLM.
static inline void tml_quantize_multiplier(double m, int32_t *q, int *shift) {
    if (m == (double)0) {
        *q = 0;
        *shift = 0;
        return;
    }
    double f = tml_frexp(m, shift);
    int64_t q_fixed = tml_round_i64(f * (double)((int64_t)1 << 31));
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

// ---- activation ranges (CalculateActivationRangeQuantized) ----

// zero_point + round(x / scale), saturated to int32 (TFLM's Quantize refuses a result that
// overflows; for every value it accepts this is the same number). The sum is done in 64 bits:
// a tiny positive scale makes round(x / scale) INT32_MAX.
static inline int32_t tml_quantize_one(float x, float scale, int32_t zero_point) {
    int64_t q = (int64_t)zero_point + tml_roundf_i32(x / scale);
    return q > INT32_MAX ? INT32_MAX : (q < INT32_MIN ? INT32_MIN : (int32_t)q);
}

static inline void tml_activation_range_quantized(int activation, float scale, int32_t zero_point,
    int32_t qmin, int32_t qmax, int32_t *act_min, int32_t *act_max) {
    int32_t lo = qmin, hi = qmax;
    if (activation == TML_ACT_RELU) {
        int32_t z = tml_quantize_one(0.0f, scale, zero_point);
        lo = z > qmin ? z : qmin;
    } else if (activation == TML_ACT_RELU6) {
        int32_t z = tml_quantize_one(0.0f, scale, zero_point);
        int32_t six = tml_quantize_one(6.0f, scale, zero_point);
        lo = z > qmin ? z : qmin;
        hi = six < qmax ? six : qmax;
    } else if (activation == TML_ACT_RELU_N1_TO_1) {
        int32_t m1 = tml_quantize_one(-1.0f, scale, zero_point);
        int32_t p1 = tml_quantize_one(1.0f, scale, zero_point);
        lo = m1 > qmin ? m1 : qmin;
        hi = p1 < qmax ? p1 : qmax;
    }
    *act_min = lo;
    *act_max = hi;
}

// Float activation bounds (CalculateActivationRange).
static inline void tml_activation_range_f32(int activation, float *act_min, float *act_max) {
    *act_min = -3.402823466e+38f;
    *act_max = 3.402823466e+38f;
    if (activation == TML_ACT_RELU) {
        *act_min = 0.0f;
    } else if (activation == TML_ACT_RELU6) {
        *act_min = 0.0f;
        *act_max = 6.0f;
    } else if (activation == TML_ACT_RELU_N1_TO_1) {
        *act_min = -1.0f;
        *act_max = 1.0f;
    }
}

// ---- softmax fixed point (gemmlowp FixedPoint<int32_t, N>, raw values) ----

// exp(a) for a in [-1/4, 0), a and the result with 0 integer bits.
static inline int32_t tml_exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
    const int32_t constant_term = 1895147668;      // exp(-1/8)
    const int32_t constant_1_over_3 = 715827883;
    int32_t x = a + (1 << 28);                     // a + 1/8
    int32_t x2 = tml_srdhm(x, x);
    int32_t x3 = tml_srdhm(x2, x);
    int32_t x4 = tml_srdhm(x2, x2);
    int32_t x4_over_4 = tml_rdbpot(x4, 2);
    int32_t x4_over_24_plus_x3_over_6_plus_x2_over_2 =
        tml_rdbpot(tml_srdhm(x4_over_4 + x3, constant_1_over_3) + x2, 1);
    return constant_term + tml_srdhm(constant_term, x + x4_over_24_plus_x3_over_6_plus_x2_over_2);
}

// exp(a) for a <= 0; a has integer_bits integer bits (5 for softmax), result has 0.
static inline int32_t tml_exp_on_negative_values(int32_t a, int integer_bits) {
    const int fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t mask = one_quarter - 1;
    int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
    int32_t result = tml_exp_on_interval_between_negative_one_quarter_and_0_excl(
        tml_sat_shift_left(a_mod_quarter_minus_one_quarter, integer_bits));
    int32_t remainder = a_mod_quarter_minus_one_quarter - a;
    // Barrel shifter: multiply by exp(-2^k) for each set bit k of the remainder.
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    for (int k = -2; k <= 4; k++) {
        if (integer_bits > k && (remainder & ((int32_t)1 << (fractional_bits + k)))) {
            result = tml_srdhm(result, multipliers[k + 2]);
        }
    }
    if (integer_bits > 5) {
        const int32_t clamp = -((int32_t)1 << (36 - integer_bits));  // -32.0
        if (a < clamp) {
            result = 0;
        }
    }
    return a == 0 ? INT32_MAX : result;
}

// 1 / (1 + x) for x in [0, 1), 0 integer bits in and out (Newton-Raphson, 3 steps).
static inline int32_t tml_one_over_one_plus_x_for_x_in_0_1(int32_t a) {
    int64_t sum = (int64_t)a + INT32_MAX;  // RoundingHalfSum(a, One)
    int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    const int32_t constant_48_over_17 = 1515870810;
    const int32_t constant_neg_32_over_17 = -1010580540;
    int32_t x = constant_48_over_17 + tml_srdhm(half_denominator, constant_neg_32_over_17);  // 2 int bits
    for (int i = 0; i < 3; i++) {
        int32_t half_denominator_times_x = tml_srdhm(half_denominator, x);          // 2 int bits
        int32_t one_minus = (1 << 29) - half_denominator_times_x;                   // One() of Q2.29
        x = x + tml_sat_shift_left(tml_srdhm(x, one_minus), 2);                     // Q4 -> Q2
    }
    return tml_sat_shift_left(x, 1);  // ExactMulByPot<-1> then Rescale<0>
}

static inline int tml_count_leading_zeros(uint32_t x) {
    int n = 0;
    if (x == 0) {
        return 32;
    }
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
}

// GetReciprocal: 1 / x for x with x_integer_digits integer bits, as a Q0.31 scale and a shift.
static inline int32_t tml_get_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit) {
    int headroom_plus_one = tml_count_leading_zeros((uint32_t)x);
    *num_bits_over_unit = x_integer_digits - headroom_plus_one;
    int32_t shifted_sum_minus_one = (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
    return tml_one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
}

#endif
