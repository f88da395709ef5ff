// CONV_2D for Cortex-M with DSP: im2col of two output pixels into int16 columns (input offset
// added, padding as 0), then a 2x2 (pixels x channels) SMLAD matrix kernel: 16 MACs per 8 SMLADs.
// 1x1 stride-1 convolutions (pointwise) skip the window logic: a column is one input pixel.
// Groups, dilation and patches over TML_ARM_COL_MAX use the fast/ kernel.
#include "kernels/arm_dsp/tml_arm_dsp.h"

#if defined(TML_KERNELS_ARM_DSP)

int16_t tml_arm_col[2 * TML_ARM_COL_MAX] __attribute__((aligned(4)));

// One column: the filter window of output pixel (oy, ox) in OHWI order, reordered.
static void im2col(const tml_conv_params_t *p, const tml_shape4_t *is, const int8_t *in_b, int32_t f_h,
    int32_t f_w, int32_t oy, int32_t ox, int16_t *col, int32_t k) {
    const int32_t in_c = is->c, k4 = k & ~3;
    const int32_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
    int32_t fy0, fy1, fx0, fx1;
    tml_fast_taps(y0, f_h, is->h, &fy0, &fy1);
    tml_fast_taps(x0, f_w, is->w, &fx0, &fx1);
    if (fy1 - fy0 != f_h || fx1 - fx0 != f_w) {
        memset(col, 0, sizeof(int16_t) * (size_t)k);  // padding contributes (x + offset) = 0
    }
    const int32_t span = (fx1 - fx0) * in_c;
    for (int32_t fy = fy0; fy < fy1; fy++) {
        const int8_t *src = in_b + ((y0 + fy) * is->w + x0 + fx0) * in_c;
        const int32_t k0 = (fy * f_w + fx0) * in_c;
        if ((in_c & 3) == 0) {
            tml_arm_q7_to_q15_reordered(src, col + k0, span, p->input_offset);
        } else {
            for (int32_t i = 0; i < span; i++) {
                col[tml_arm_col_pos(k0 + i, k4)] = (int16_t)(src[i] + p->input_offset);
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

// Two columns (pixels; c1 == c0 + TML_ARM_COL_MAX) times all output channels; o1 may be NULL
// for a single column.
static void mat_mult(const tml_conv_params_t *p, const int8_t *filter, const int32_t *bias, int32_t out_c,
    const int16_t *c0, const int16_t *c1, int32_t k, int8_t *o0, int8_t *o1) {
    const int32_t k4 = k & ~3;
    const requant_t rq = {p->multiplier, bias, p->shift, p->output_offset, p->act_min, p->act_max};
    const requant_t *q = &rq;
    int32_t oc = 0;
    for (; o1 && oc + 2 <= out_c; oc += 2) {
        const int8_t *fa = filter + oc * k, *fb = fa + k;
        const int16_t *x = c0, *y;
        int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;  // s<channel><pixel>
        // Ordered so that few values are live at once: 3 pointers, the end, 4 sums and 5 temporaries
        // fit the 14 registers without spills.
        for (const int8_t *end = fa + k4; fa < end;) {
            const uint32_t wa = tml_arm_read_s8x4(fa);
            const uint32_t a02 = __SXTB16(wa), a13 = tml_arm_sxtb16_ror8(wa);
            const uint32_t x02 = tml_arm_read_u32(x), y02 = tml_arm_read_u32(x + TML_ARM_COL_MAX);
            s00 = (int32_t)__SMLAD(a02, x02, (uint32_t)s00);
            s01 = (int32_t)__SMLAD(a02, y02, (uint32_t)s01);
            const uint32_t wb = tml_arm_read_s8x4(fb);
            const uint32_t b02 = __SXTB16(wb), b13 = tml_arm_sxtb16_ror8(wb);
            s10 = (int32_t)__SMLAD(b02, x02, (uint32_t)s10);
            s11 = (int32_t)__SMLAD(b02, y02, (uint32_t)s11);
            const uint32_t x13 = tml_arm_read_u32(x + 2), y13 = tml_arm_read_u32(x + TML_ARM_COL_MAX + 2);
            s00 = (int32_t)__SMLAD(a13, x13, (uint32_t)s00);
            s01 = (int32_t)__SMLAD(a13, y13, (uint32_t)s01);
            s10 = (int32_t)__SMLAD(b13, x13, (uint32_t)s10);
            s11 = (int32_t)__SMLAD(b13, y13, (uint32_t)s11);
            fa += 4;
            fb += 4;
            x += 4;
        }
        y = x + TML_ARM_COL_MAX;
        for (int32_t i = k4; i < k; i++) {
            s00 += *fa * *x;
            s01 += *fa++ * *y;
            s10 += *fb * *x++;
            s11 += *fb++ * *y++;
        }
        // All four before any store, so both pixels share each channel's parameter loads.
        const int8_t r00 = conv_out(q, s00, oc), r01 = conv_out(q, s01, oc);
        const int8_t r10 = conv_out(q, s10, oc + 1), r11 = conv_out(q, s11, oc + 1);
        o0[oc] = r00;
        o1[oc] = r01;
        o0[oc + 1] = r10;
        o1[oc + 1] = r11;
    }
    for (; oc < out_c; oc++) {
        const int8_t *f = filter + oc * k;
        o0[oc] = conv_out(q, tml_arm_dot(f, c0, k), oc);
        if (o1) {
            o1[oc] = conv_out(q, tml_arm_dot(f, c1, k), oc);
        }
    }
}

void tml_conv_s8_arm_dsp(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t f_h = filter_shape->h, f_w = filter_shape->w, in_c = in_shape->c;
    const int32_t out_c = out_shape->c, k = f_h * f_w * in_c;
    const int32_t stride = tml_arm_col_stride(k);  // column length rounded to whole words
    if (filter_shape->c != in_c || p->dilation_w != 1 || p->dilation_h != 1 || stride > TML_ARM_COL_MAX) {
        tml_conv_s8_fast(p, in_shape, in, filter_shape, filter, bias, out_shape, out);
        return;
    }
    // The second column sits at a constant distance: the SMLAD loop reads it at an immediate offset
    // from the first, which saves a pointer register (and the spills it caused).
    int16_t *c0 = tml_arm_col, *c1 = tml_arm_col + TML_ARM_COL_MAX;
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
                tml_arm_q7_to_q15_reordered(in_b + i * in_c, c0, in_c, p->input_offset);
                if (two) {
                    tml_arm_q7_to_q15_reordered(in_b + (i + 1) * in_c, c1, in_c, p->input_offset);
                }
            } else {
                im2col(p, in_shape, in_b, f_h, f_w, i / out_shape->w, i % out_shape->w, c0, k);
                if (two) {
                    im2col(p, in_shape, in_b, f_h, f_w, (i + 1) / out_shape->w, (i + 1) % out_shape->w, c1, k);
                }
            }
            mat_mult(p, filter, bias, out_c, c0, c1, k, out_b + i * out_c, two ? out_b + (i + 1) * out_c : NULL);
        }
    }
}

#endif
