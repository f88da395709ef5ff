// Shared by the arm_dsp kernels: CMSIS-Core SIMD intrinsics (SMLAD, SXTB16, SXTAB16 ...) from
// MicroPython's lib/cmsis/inc, and the scratch buffer for im2col columns.
#ifndef TML_ARM_DSP_H
#define TML_ARM_DSP_H

#include "kernels/fast/tml_fast.h"

#if defined(TML_KERNELS_ARM_DSP)
#if defined(TML_ARM_DSP_EMULATE)
#include "kernels/arm_dsp/tml_arm_emulate.h"
#else
#include "cmsis_gcc.h"
#endif

// int16 elements per im2col column; two columns live in tml_arm_col (4.5 KB of .bss, enough for a
// 3x3 filter over 128 channels). Bigger patches fall back to the fast/ kernels.
#define TML_ARM_COL_MAX 1152
extern int16_t tml_arm_col[2 * TML_ARM_COL_MAX];

// SXTB16 with ROR #8: CMSIS's __SXTB16_RORn is `asm volatile`, which pins its place in the loop
// and costs register spills at -O2; this one lets GCC schedule it.
static inline uint32_t tml_arm_sxtb16_ror8(uint32_t x) {
    #if defined(TML_ARM_DSP_EMULATE)
    return __SXTB16((x >> 8) | (x << 24));
    #else
    uint32_t r;
    __asm("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
    #endif
}

// Four int8 from any address (LDR allows unaligned addresses on v7E-M; memcpy says so to GCC).
static inline uint32_t tml_arm_read_s8x4(const int8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint32_t tml_arm_read_u32(const int16_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// Rounds a column length up to whole groups of four, keeping every column word-aligned.
static inline int32_t tml_arm_col_stride(int32_t k) {
    return (k + 3) & ~3;
}

// int8 (x + offset) to int16 in the "reordered" layout the SMLAD loops use: each group of four
// (x0 x1 x2 x3) is stored x0 x2 x1 x3, which is what SXTB16 / SXTB16 ROR 8 give for the filter.
// `k` is the element's index in the column, `k4` the length covered by whole groups.
static inline int32_t tml_arm_col_pos(int32_t k, int32_t k4) {
    static const uint8_t perm[4] = {0, 2, 1, 3};
    return k < k4 ? (k & ~3) | perm[k & 3] : k;
}

// Copy n int8 (n a multiple of 4, dst index a multiple of 4) with the offset added, reordered.
static inline void tml_arm_q7_to_q15_reordered(const int8_t *src, int16_t *dst, int32_t n, int32_t offset) {
    const uint32_t off2 = ((uint32_t)(uint16_t)offset << 16) | (uint16_t)offset;
    for (int32_t i = n >> 2; i > 0; i--) {
        const uint32_t w = tml_arm_read_s8x4(src);
        src += 4;
        const uint32_t even = __SXTAB16(off2, w);            // x0, x2
        const uint32_t odd = __SXTAB16_RORn(off2, w, 8);     // x1, x3
        memcpy(dst, &even, 4);
        memcpy(dst + 2, &odd, 4);
        dst += 4;
    }
}

// Sum of filter[k] * col[k] over a reordered column: two MACs per SMLAD.
static inline int32_t tml_arm_dot(const int8_t *f, const int16_t *col, int32_t k) {
    int32_t acc = 0;
    const int32_t k4 = k & ~3;
    for (int32_t i = k4 >> 2; i > 0; i--) {
        const uint32_t w = tml_arm_read_s8x4(f);
        f += 4;
        acc = (int32_t)__SMLAD(__SXTB16(w), tml_arm_read_u32(col), (uint32_t)acc);
        acc = (int32_t)__SMLAD(tml_arm_sxtb16_ror8(w), tml_arm_read_u32(col + 2), (uint32_t)acc);
        col += 4;
    }
    for (int32_t i = k4; i < k; i++) {
        acc += *f++ * *col++;
    }
    return acc;
}

#endif
#endif
