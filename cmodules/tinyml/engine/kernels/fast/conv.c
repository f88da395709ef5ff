// CONV_2D, portable fast path: per output pixel, the valid part of each filter row is one
// contiguous span of input and filter (NHWC, OHWI), so the inner loop has no bounds checks;
// four output channels share each input load and its offset add. Other geometries (groups,
// dilation) use the reference kernel.
#include "kernels/fast/tml_fast.h"

#if defined(TML_KERNELS_FAST)

void tml_conv_s8_fast(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, in_c = in_shape->c;
    const int32_t f_h = filter_shape->h, f_w = filter_shape->w;
    const int32_t out_h = out_shape->h, out_w = out_shape->w, out_c = out_shape->c;
    if (filter_shape->c != in_c || p->dilation_w != 1 || p->dilation_h != 1) {
        tml_conv_s8(p, in_shape, in, filter_shape, filter, bias, out_shape, out);
        return;
    }
    const int32_t k = f_h * f_w * in_c;  // filter elements per output channel
    const int32_t off = p->input_offset;
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
                const int32_t span = (fx1 - fx0) * in_c;
                int8_t *o = out + (((int64_t)b * out_h + oy) * out_w + ox) * out_c;
                int32_t oc = 0;
                for (; oc + 4 <= out_c; oc += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int8_t *ip = in_b + ((int64_t)(y0 + fy) * in_w + x0 + fx0) * in_c;
                        const int8_t *f0 = filter + (int64_t)oc * k + (fy * f_w + fx0) * in_c;
                        const int8_t *f1 = f0 + k, *f2 = f1 + k, *f3 = f2 + k;
                        for (int32_t i = 0; i < span; i++) {
                            const int32_t x = ip[i] + off;
                            a0 += f0[i] * x;
                            a1 += f1[i] * x;
                            a2 += f2[i] * x;
                            a3 += f3[i] * x;
                        }
                    }
                    int32_t acc[4] = {a0, a1, a2, a3};
                    for (int j = 0; j < 4; j++) {
                        int32_t v = tml_fast_bias(acc[j], bias, oc + j);
                        o[oc + j] = tml_fast_out(v, p->multiplier[oc + j], p->shift[oc + j], p->output_offset,
                            p->act_min, p->act_max);
                    }
                }
                for (; oc < out_c; oc++) {
                    int32_t a = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int8_t *ip = in_b + ((int64_t)(y0 + fy) * in_w + x0 + fx0) * in_c;
                        const int8_t *f0 = filter + (int64_t)oc * k + (fy * f_w + fx0) * in_c;
                        for (int32_t i = 0; i < span; i++) {
                            a += f0[i] * (ip[i] + off);
                        }
                    }
                    a = tml_fast_bias(a, bias, oc);
                    o[oc] = tml_fast_out(a, p->multiplier[oc], p->shift[oc], p->output_offset, p->act_min, p->act_max);
                }
            }
        }
    }
}

#endif
