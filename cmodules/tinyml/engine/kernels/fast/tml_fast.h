// Helpers shared by the optimised kernel sets (fast/, arm_dsp/, esp_nn/): bit-exact with
// kernels/tml_qmath.h, written so compilers emit short branch-free code.
#ifndef TML_FAST_H
#define TML_FAST_H

#include <string.h>

// On x86 GCC's -O2 (the host library) leaves these loops scalar: ask for -O3 in these files.
// (Cortex-M and Xtensa builds get -O2 for kernels/fast and kernels/arm_dsp from micropython.mk.)
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#pragma GCC optimize("O3")
#endif

#include "kernels/tml_kernels.h"
#include "kernels/tml_qmath.h"

#if defined(__GNUC__)
#define TML_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define TML_UNLIKELY(x) (x)
#endif

// TFLM SaturatingRoundingDoublingHighMul for a multiplier >= 0 (all our quantised multipliers):
// (a*b + 2^30) >> 31 with an arithmetic shift equals TFLM's nudge-and-truncate for both signs
// (CMSIS-NN's arm_nn_doubling_high_mult_no_sat relies on the same identity); the only saturating
// case, INT32_MIN * INT32_MIN, cannot occur with b >= 0.
static inline int32_t tml_fast_srdhm(int32_t a, int32_t b) {
    return (int32_t)(((int64_t)a * b + ((int64_t)1 << 30)) >> 31);
}

// MultiplyByQuantizedMultiplier (tml_mbqm), bit-exact, for a multiplier >= 0. With a right
// shift r >= 1 TFLM rounds twice: y = floor(P / 2^31) with P = acc*qm + 2^30, then y / 2^r to
// nearest, ties away from zero, i.e. floor((y + 2^(r-1) - neg) / 2^r) with neg = (y < 0).
// Both fold into one multiply-accumulate and one shift: (P + 2^(r+30) - neg * 2^31) >> (31 + r).
// neg may be taken as (acc < 0): the two differ only when 0 <= P <= 2^30, where y = 0 and the
// result is 0 either way. Left shifts (shift > 0) are rare and take the plain path.
static inline int32_t tml_fast_requant(int32_t acc, int32_t qm, int32_t shift) {
    if (TML_UNLIKELY(shift >= 0)) {
        return tml_fast_srdhm(tml_shl_wrap(acc, shift), qm);  // no rounding shift: exact as is
    }
    const int32_t r = -shift;
    const int64_t c = ((int64_t)1 << 30) + ((int64_t)1 << (r + 30)) - (acc < 0 ? ((int64_t)1 << 31) : 0);
    return (int32_t)(((int64_t)acc * qm + c) >> 32) >> (r - 1);
}

// acc + bias, wrapping like TFLM's int32 add without C's overflow UB (as the reference kernels).
static inline int32_t tml_fast_bias(int32_t acc, const int32_t *bias, int32_t i) {
    return bias ? (int32_t)((uint32_t)acc + (uint32_t)bias[i]) : acc;
}

// Requantise one accumulator to int8: multiplier, output offset, activation clamp.
static inline int8_t tml_fast_out(int32_t acc, int32_t qm, int32_t shift, int32_t out_offset,
    int32_t act_min, int32_t act_max) {
    acc = tml_fast_requant(acc, qm, shift) + out_offset;
    acc = acc < act_min ? act_min : acc;
    acc = acc > act_max ? act_max : acc;
    return (int8_t)acc;
}

// Valid filter taps [*lo, *hi) of a window starting at `start` over an input of `size` (dilation 1).
static inline void tml_fast_taps(int32_t start, int32_t filter, int32_t size, int32_t *lo, int32_t *hi) {
    *lo = start < 0 ? -start : 0;
    *hi = filter < size - start ? filter : size - start;
    if (*hi < *lo) {
        *hi = *lo;
    }
}

#endif
