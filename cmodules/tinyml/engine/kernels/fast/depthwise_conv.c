// DEPTHWISE_CONV_2D, portable fast path (depth multiplier 1, no dilation): channels innermost,
// so each valid tap is one contiguous multiply-accumulate over a block of channels kept in a
// small stack array. Other geometries use the reference kernel.
#include "kernels/fast/tml_fast.h"

#if defined(TML_KERNELS_FAST)

#define DW_BLOCK 64  // channels per accumulator block (256 bytes of stack)

void tml_depthwise_conv_s8_fast(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, in_c = in_shape->c;
    const int32_t f_h = filter_shape->h, f_w = filter_shape->w;
    const int32_t out_h = out_shape->h, out_w = out_shape->w, out_c = out_shape->c;
    if (p->depth_multiplier != 1 || p->dilation_w != 1 || p->dilation_h != 1) {
        tml_depthwise_conv_s8(p, in_shape, in, filter_shape, filter, bias, out_shape, out);
        return;
    }
    const int32_t off = p->input_offset;
    int32_t acc[DW_BLOCK];
    for (int32_t b = 0; b < out_shape->n; b++) {
        const int8_t *in_b = in + (int64_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            tml_fast_taps(y0, f_h, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                tml_fast_taps(x0, f_w, in_w, &fx0, &fx1);
                int8_t *o = out + (((int64_t)b * out_h + oy) * out_w + ox) * out_c;
                for (int32_t c0 = 0; c0 < in_c; c0 += DW_BLOCK) {
                    const int32_t n = in_c - c0 < DW_BLOCK ? in_c - c0 : DW_BLOCK;
                    for (int32_t c = 0; c < n; c++) {
                        acc[c] = 0;
                    }
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int8_t *ip = in_b + ((int64_t)(y0 + fy) * in_w + x0 + fx) * in_c + c0;
                            const int8_t *fp = filter + (fy * f_w + fx) * out_c + c0;
                            for (int32_t c = 0; c < n; c++) {
                                acc[c] += fp[c] * (ip[c] + off);
                            }
                        }
                    }
                    for (int32_t c = 0; c < n; c++) {
                        o[c0 + c] = tml_fast_out(tml_fast_bias(acc[c], bias, c0 + c), p->multiplier[c0 + c], p->shift[c0 + c], p->output_offset,
                            p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}

#endif
