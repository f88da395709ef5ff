// CONV_2D for Cortex-M with DSP: im2col of two output pixels into int16 columns (input offset
// added, padding as 0), then a 2x2 (pixels x channels) SMLAD matrix kernel: 16 MACs per 8 SMLADs.
// 1x1 stride-1 convolutions (pointwise) skip the window logic: a column is one input pixel.
// Groups, dilation and patches over TML_ARM_COL_MAX use the fast/ kernel.
//
// The two columns are interleaved by groups of four elements: group g of column w (0, 1) is at
// int16 index 8g + 4w, in the reordered order x0 x2 x1 x3; the k % 4 tail elements of column w
// follow all groups, at 2 * k4 + 4w. So one pointer walks both columns and each group of both
// pixels is two LDRDs (16 bytes), which keeps the 2x2 loop at 16 instructions per 16 MACs.
#include "kernels/arm_dsp/tml_arm_dsp.h"

#if defined(TML_KERNELS_ARM_DSP)

int16_t tml_arm_col[2 * TML_ARM_COL_MAX] __attribute__((aligned(8)));

// Index of column element k (relative to the column's base tml_arm_col + 4w).
static inline int32_t col_pos(int32_t k, int32_t k4) {
    static const uint8_t perm[4] = {0, 2, 1, 3};
    return k < k4 ? ((k >> 2) << 3) | perm[k & 3] : 2 * k4 + (k - k4);
}

// n int8 (n a multiple of 4, dst the start of a group) with the offset added, reordered, into
// every other group of four (the interleaved layout).
static inline void q7_to_q15_il(const int8_t *src, int16_t *dst, int32_t n, int32_t offset) {
    const uint32_t off2 = ((uint32_t)(uint16_t)offset << 16) | (uint16_t)offset;
    for (int32_t i = n >> 2; i > 0; i--) {
        const uint32_t w = tml_arm_read_s8x4(src);
        src += 4;
        const uint32_t even = __SXTAB16(off2, w);         // x0, x2
        const uint32_t odd = __SXTAB16_RORn(off2, w, 8);  // x1, x3
        memcpy(dst, &even, 4);
        memcpy(dst + 2, &odd, 4);
        dst += 8;
    }
}

// One column (base = tml_arm_col + 4w): the filter window of output pixel (oy, ox) in OHWI
// order, reordered and interleaved.
static void im2col(const tml_conv_params_t *p, const tml_shape4_t *is, const int8_t *in_b, int32_t f_h,
    int32_t f_w, int32_t oy, int32_t ox, int16_t *col, int32_t k) {
    const int32_t in_c = is->c, k4 = k & ~3;
    const int32_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
    int32_t fy0, fy1, fx0, fx1;
    tml_fast_taps(y0, f_h, is->h, &fy0, &fy1);
    tml_fast_taps(x0, f_w, is->w, &fx0, &fx1);
    if (fy1 - fy0 != f_h || fx1 - fx0 != f_w) {
        // padding contributes (x + offset) = 0: clear this column's groups and tail
        for (int32_t g = 0; g < k4; g += 4) {
            memset(col + 2 * g, 0, 4 * sizeof(int16_t));
        }
        memset(col + 2 * k4, 0, sizeof(int16_t) * (size_t)(k - k4));
    }
    const int32_t span = (fx1 - fx0) * in_c;
    for (int32_t fy = fy0; fy < fy1; fy++) {
        const int8_t *src = in_b + ((y0 + fy) * is->w + x0 + fx0) * in_c;
        const int32_t k0 = (fy * f_w + fx0) * in_c;
        if (((k0 | span) & 3) == 0 && k0 + span <= k4) {  // whole groups: word-wise
            q7_to_q15_il(src, col + 2 * k0, span, p->input_offset);
        } else {
            for (int32_t i = 0; i < span; i++) {
                col[col_pos(k0 + i, k4)] = (int16_t)(src[i] + p->input_offset);
            }
        }
    }
}

// Requantisation parameters copied to locals: stores through int8_t pointers may alias anything,
// so GCC would otherwise reload them from *p for every output.
typedef struct {
    const int32_t *mult, *bias;
    const int8_t *shift;
    int32_t out_offset, act_min, act_max;
} requant_t;

static inline int8_t conv_out(const requant_t *q, int32_t acc, int32_t oc) {
    return tml_fast_out(tml_fast_bias(acc, q->bias, oc), q->mult[oc], q->shift[oc], q->out_offset, q->act_min,
        q->act_max);
}

static inline int8_t conv_out_tab(const requant_t *q, const tml_arm_rq_t *tab, int32_t acc, int32_t oc) {
    return tab ? (int8_t)tml_arm_rq_out(tml_fast_bias(acc, q->bias, oc), tab + oc, q->act_min, q->act_max)
               : conv_out(q, acc, oc);
}

// Filter row f (k int8) times one interleaved column (base col).
static int32_t dot_il(const int8_t *f, const int16_t *col, int32_t k) {
    const int32_t k4 = k & ~3;
    int32_t acc = 0;
    for (int32_t g = 0; g < k4; g += 4) {
        const uint32_t w = tml_arm_read_s8x4(f + g);
        acc = (int32_t)__SMLAD(__SXTB16(w), tml_arm_read_u32(col + 2 * g), (uint32_t)acc);
        acc = (int32_t)__SMLAD(tml_arm_sxtb16_ror8(w), tml_arm_read_u32(col + 2 * g + 2), (uint32_t)acc);
    }
    for (int32_t i = k4; i < k; i++) {
        acc += f[i] * col[2 * k4 + i - k4];
    }
    return acc;
}

// Two interleaved columns (pixels) times all output channels; o1 may be NULL for a single column.
static void mat_mult(const tml_conv_params_t *p, const int8_t *filter, const int32_t *bias, int32_t out_c,
    int32_t k, int8_t *o0, int8_t *o1, const tml_arm_rq_t *tab) {
    const int32_t k4 = k & ~3;
    const requant_t rq = {p->multiplier, bias, p->shift, p->output_offset, p->act_min, p->act_max};
    const requant_t *q = &rq;
    const int16_t *cols = tml_arm_col;
    const int full = q->act_min == -128 && q->act_max == 127;
    int32_t oc = 0;
    for (; o1 && oc + 2 <= out_c; oc += 2) {
        const int8_t *fa = filter + oc * k, *fb = fa + k;
        const int16_t *x = cols;
        // s<channel><pixel>; with the table the sums start at the bias (conv_out adds it otherwise)
        const int32_t ba = tab && bias ? bias[oc] : 0, bb = tab && bias ? bias[oc + 1] : 0;
        int32_t s00 = ba, s01 = ba, s10 = bb, s11 = bb;
        // Per group of four: both pixels' columns (x0 x2 x1 x3 of pixel 0, then of pixel 1: 16
        // adjacent bytes) with two LDRDs, each filter word once, 8 SMLADs for 16 MACs.
#define MM_STEP(J)                                                                      \
    do {                                                                                \
        uint32_t x02, x13, y02, y13;                                                    \
        tml_arm_ldrd(x + 8 * (J), &x02, &x13);                                          \
        tml_arm_ldrd(x + 8 * (J) + 4, &y02, &y13);                                      \
        const uint32_t wa = tml_arm_read_s8x4(fa + 4 * (J));                            \
        const uint32_t a02 = __SXTB16(wa), a13 = tml_arm_sxtb16_ror8(wa);               \
        s00 = (int32_t)__SMLAD(a02, x02, (uint32_t)s00);                                \
        s01 = (int32_t)__SMLAD(a02, y02, (uint32_t)s01);                                \
        s00 = (int32_t)__SMLAD(a13, x13, (uint32_t)s00);                                \
        s01 = (int32_t)__SMLAD(a13, y13, (uint32_t)s01);                                \
        const uint32_t wb = tml_arm_read_s8x4(fb + 4 * (J));                            \
        const uint32_t b02 = __SXTB16(wb), b13 = tml_arm_sxtb16_ror8(wb);               \
        s10 = (int32_t)__SMLAD(b02, x02, (uint32_t)s10);                                \
        s11 = (int32_t)__SMLAD(b02, y02, (uint32_t)s11);                                \
        s10 = (int32_t)__SMLAD(b13, x13, (uint32_t)s10);                                \
        s11 = (int32_t)__SMLAD(b13, y13, (uint32_t)s11);                                \
    } while (0)
        const int8_t *end16 = fa + (k4 & ~15);
        for (; fa < end16; fa += 16, fb += 16, x += 32) {
            MM_STEP(0);
            MM_STEP(1);
            MM_STEP(2);
            MM_STEP(3);
        }
        if (k4 & 8) {
            MM_STEP(0);
            MM_STEP(1);
            fa += 8;
            fb += 8;
            x += 16;
        }
        if (k4 & 4) {
            MM_STEP(0);
            fa += 4;
            fb += 4;
            x += 8;
        }
#undef MM_STEP
        for (int32_t i = k4; i < k; i++, x++) {
            const int32_t xv = x[0], yv = x[4];
            s00 += *fa * xv;
            s01 += *fa++ * yv;
            s10 += *fb * xv;
            s11 += *fb++ * yv;
        }
        // All four before any store, so both pixels share each channel's parameter loads.
        int32_t r00, r01, r10, r11;
        if (tab && full) {  // no activation clamp beyond int8: SSAT alone
            const tml_arm_rq_t *ea = tab + oc;
            r00 = tml_arm_rq_out_sat(s00, ea);
            r01 = tml_arm_rq_out_sat(s01, ea);
            r10 = tml_arm_rq_out_sat(s10, ea + 1);
            r11 = tml_arm_rq_out_sat(s11, ea + 1);
        } else if (tab) {
            const tml_arm_rq_t *ea = tab + oc;
            r00 = tml_arm_rq_out(s00, ea, q->act_min, q->act_max);
            r01 = tml_arm_rq_out(s01, ea, q->act_min, q->act_max);
            r10 = tml_arm_rq_out(s10, ea + 1, q->act_min, q->act_max);
            r11 = tml_arm_rq_out(s11, ea + 1, q->act_min, q->act_max);
        } else {
            r00 = conv_out(q, s00, oc);
            r01 = conv_out(q, s01, oc);
            r10 = conv_out(q, s10, oc + 1);
            r11 = conv_out(q, s11, oc + 1);
        }
        o0[oc] = (int8_t)r00;
        o1[oc] = (int8_t)r01;
        o0[oc + 1] = (int8_t)r10;
        o1[oc + 1] = (int8_t)r11;
    }
    for (; oc < out_c; oc++) {
        const int8_t *f = filter + oc * k;
        o0[oc] = conv_out_tab(q, tab, dot_il(f, cols, k), oc);
        if (o1) {
            o1[oc] = conv_out_tab(q, tab, dot_il(f, cols + 4, k), oc);
        }
    }
}

// The common case of mat_mult, with nothing to check per block: two pixels, an even number of
// output channels, k a multiple of 16, a bias, the table, no activation clamp beyond int8.
static void mat_mult_k16(const int8_t *filter, const int32_t *bias, int32_t out_c, int32_t k, int8_t *o0,
    int8_t *o1, const tml_arm_rq_t *tab) {
    const int8_t *fa = filter;
    for (const int8_t *f_end = filter + out_c * k; fa < f_end; fa += k, bias += 2, tab += 2, o0 += 2, o1 += 2) {
        const int8_t *fb = fa + k;
        const int16_t *x = tml_arm_col;
        int32_t s00 = bias[0], s01 = s00, s10 = bias[1], s11 = s10;
        for (const int8_t *end = fb; fa < end; fa += 16, fb += 16, x += 32) {
            uint32_t x02, x13, y02, y13;
#define MM_STEP(J)                                                                      \
    do {                                                                                \
        tml_arm_ldrd(x + 8 * (J), &x02, &x13);                                          \
        tml_arm_ldrd(x + 8 * (J) + 4, &y02, &y13);                                      \
        const uint32_t wa = tml_arm_read_s8x4(fa + 4 * (J));                            \
        const uint32_t a02 = __SXTB16(wa), a13 = tml_arm_sxtb16_ror8(wa);               \
        s00 = (int32_t)__SMLAD(a02, x02, (uint32_t)s00);                                \
        s01 = (int32_t)__SMLAD(a02, y02, (uint32_t)s01);                                \
        s00 = (int32_t)__SMLAD(a13, x13, (uint32_t)s00);                                \
        s01 = (int32_t)__SMLAD(a13, y13, (uint32_t)s01);                                \
        const uint32_t wb = tml_arm_read_s8x4(fb + 4 * (J));                            \
        const uint32_t b02 = __SXTB16(wb), b13 = tml_arm_sxtb16_ror8(wb);               \
        s10 = (int32_t)__SMLAD(b02, x02, (uint32_t)s10);                                \
        s11 = (int32_t)__SMLAD(b02, y02, (uint32_t)s11);                                \
        s10 = (int32_t)__SMLAD(b13, x13, (uint32_t)s10);                                \
        s11 = (int32_t)__SMLAD(b13, y13, (uint32_t)s11);                                \
    } while (0)
            MM_STEP(0);
            MM_STEP(1);
            MM_STEP(2);
            MM_STEP(3);
#undef MM_STEP
        }
        // fa is now the start of row b; the loop step moves it past row b
        const int32_t r00 = tml_arm_rq_out_sat(s00, tab), r01 = tml_arm_rq_out_sat(s01, tab);
        const int32_t r10 = tml_arm_rq_out_sat(s10, tab + 1), r11 = tml_arm_rq_out_sat(s11, tab + 1);
        o0[0] = (int8_t)r00;
        o0[1] = (int8_t)r10;
        o1[0] = (int8_t)r01;
        o1[1] = (int8_t)r11;
    }
}

void tml_conv_s8_arm_dsp(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t f_h = filter_shape->h, f_w = filter_shape->w, in_c = in_shape->c;
    const int32_t out_c = out_shape->c, k = f_h * f_w * in_c;
    const int32_t stride = tml_arm_col_stride(k);  // column length rounded to whole groups
    if (filter_shape->c != in_c || p->dilation_w != 1 || p->dilation_h != 1 || stride > TML_ARM_COL_MAX) {
        tml_conv_s8_fast(p, in_shape, in, filter_shape, filter, bias, out_shape, out);
        return;
    }
    int16_t *c0 = tml_arm_col, *c1 = tml_arm_col + 4;
    // The requantisation table follows the two columns, when it fits.
    tml_arm_rq_t *tab = (tml_arm_rq_t *)(void *)(tml_arm_col + 2 * stride);
    if ((size_t)out_c * sizeof(tml_arm_rq_t) > sizeof(int16_t) * (size_t)(2 * TML_ARM_COL_MAX - 2 * stride) ||
        !tml_arm_rq_init(tab, out_c, p->multiplier, p->shift, p->output_offset)) {
        tab = NULL;
    }
    const int fast = tab && bias && (k & 15) == 0 && (out_c & 1) == 0 && p->act_min == -128 && p->act_max == 127;
    const int32_t pixels = out_shape->h * out_shape->w;
    // Pointwise: output pixel i reads input pixel i; (in_c & 3) == 0 for the word-wise copy.
    const int pointwise = f_h == 1 && f_w == 1 && p->stride_w == 1 && p->stride_h == 1 && p->pad_w == 0 &&
        p->pad_h == 0 && (in_c & 3) == 0 && out_shape->h == in_shape->h && out_shape->w == in_shape->w;
    for (int32_t b = 0; b < out_shape->n; b++) {
        const int8_t *in_b = in + b * in_shape->h * in_shape->w * in_c;
        int8_t *out_b = out + b * pixels * out_c;
        for (int32_t i = 0; i < pixels; i += 2) {
            const int two = i + 1 < pixels;
            if (pointwise) {
                q7_to_q15_il(in_b + i * in_c, c0, in_c, p->input_offset);
                if (two) {
                    q7_to_q15_il(in_b + (i + 1) * in_c, c1, in_c, p->input_offset);
                }
            } else {
                im2col(p, in_shape, in_b, f_h, f_w, i / out_shape->w, i % out_shape->w, c0, k);
                if (two) {
                    im2col(p, in_shape, in_b, f_h, f_w, (i + 1) / out_shape->w, (i + 1) % out_shape->w, c1, k);
                }
            }
            if (fast && two) {
                mat_mult_k16(filter, bias, out_c, k, out_b + i * out_c, out_b + (i + 1) * out_c, tab);
            } else {
                mat_mult(p, filter, bias, out_c, k, out_b + i * out_c, two ? out_b + (i + 1) * out_c : NULL, tab);
            }
        }
    }
}

#endif
