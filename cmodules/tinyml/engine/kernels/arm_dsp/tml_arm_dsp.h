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

// Two words from a 4-byte aligned int16 address: one LDRD (GCC splits a 64-bit memcpy into two
// LDRs, as it cannot prove the alignment).
static inline void tml_arm_ldrd(const int16_t *p, uint32_t *lo, uint32_t *hi) {
    #if defined(TML_ARM_DSP_EMULATE)
    memcpy(lo, p, 4);
    memcpy(hi, p + 2, 4);
    #else
    typedef uint64_t __attribute__((may_alias)) u64_alias;  // the column is written as int16
    uint32_t a, b;
    __asm("ldrd %0, %1, %2" : "=r"(a), "=r"(b) : "m"(*(const u64_alias *)(const void *)p));
    *lo = a;
    *hi = b;
    #endif
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

// ---- table-driven requantisation ----
// Per output channel, computed once per kernel call into scratch memory (no arena bytes):
// tml_fast_requant's rounding constant c = 2^30 + 2^(r+30) (r = -shift >= 1) as two words, the
// multiplier and r - 1, so each output costs ASR, ADDS, ADC, SMLAL, ASR (the 64-bit constant is
// not rebuilt per output). The output offset is folded into the high word: (hi + off * 2^sh) >> sh
// is (hi >> sh) + off exactly, and with sh <= 20 nothing overflows (|hi| <= 2^30 + 2^29, as
// |acc * qm| < 2^62). The kernels start their accumulators at the bias (int32 sums wrap the same
// in any order). Layers with a left shift (shift >= 0) or sh > 20 (both rare) keep tml_fast_out.
typedef struct {
    uint32_t c_lo;
    int32_t c_hi;  // with the output offset folded in
    int32_t qm;
    int32_t sh;  // r - 1
} tml_arm_rq_t;

// Fills tab[0..n) and returns 1; 0 if a channel has shift >= 0 or shift < -21.
static inline int tml_arm_rq_init(tml_arm_rq_t *tab, int32_t n, const int32_t *mult, const int8_t *shift,
    int32_t out_offset) {
    if (out_offset < -128 || out_offset > 127) {
        return 0;
    }
    for (int32_t i = 0; i < n; i++) {
        const int32_t r = -shift[i];
        if (r < 1 || r > 21) {
            return 0;
        }
        const uint64_t c = ((uint64_t)1 << 30) + ((uint64_t)1 << (r + 30));
        tab[i].c_lo = (uint32_t)c;
        tab[i].c_hi = (int32_t)(c >> 32) + (int32_t)((uint32_t)out_offset << (r - 1));
        tab[i].qm = mult[i];
        tab[i].sh = r - 1;
    }
    return 1;
}

// tml_fast_requant(acc, qm, -r) + out_offset for a table entry (acc already holds the bias).
static inline int32_t tml_arm_rq(int32_t acc, const tml_arm_rq_t *e) {
    #if defined(TML_ARM_DSP_EMULATE)
    const int64_t c = (int64_t)(((uint64_t)(uint32_t)e->c_hi << 32) | e->c_lo) - (acc < 0 ? ((int64_t)1 << 31) : 0);
    return (int32_t)(((int64_t)acc * e->qm + c) >> 32) >> e->sh;
    #else
    // lo:hi = c - (acc < 0) * 2^31 + acc * qm
    uint32_t lo = e->c_lo;
    int32_t hi = e->c_hi, t;
    __asm("asr %[t], %[a], #31\n\t"
          "adds %[lo], %[lo], %[t], lsl #31\n\t"
          "adc %[hi], %[hi], %[t]\n\t"
          "smlal %[lo], %[hi], %[a], %[qm]"
          : [lo] "+&r"(lo), [hi] "+&r"(hi), [t] "=&r"(t)
          : [a] "r"(acc), [qm] "r"(e->qm)
          : "cc");
    return hi >> e->sh;
    #endif
}

static inline int32_t tml_arm_rq_out(int32_t acc, const tml_arm_rq_t *e, int32_t act_min, int32_t act_max) {
    acc = tml_arm_rq(acc, e);
    acc = acc < act_min ? act_min : acc;
    acc = acc > act_max ? act_max : acc;
    return acc;
}

// The same when the activation range is all of int8: one SSAT.
static inline int32_t tml_arm_rq_out_sat(int32_t acc, const tml_arm_rq_t *e) {
    return __SSAT(tml_arm_rq(acc, e), 8);
}

#endif
#endif
