// DEPTHWISE_CONV_2D reference kernel (TFLM reference_integer_ops::DepthwiseConvPerChannel).
#include "kernels/tml_kernels.h"
#include "kernels/tml_qmath.h"

void tml_depthwise_conv_s8(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, in_c = in_shape->c;
    const int32_t f_h = filter_shape->h, f_w = filter_shape->w;
    const int32_t out_h = out_shape->h, out_w = out_shape->w, out_c = out_shape->c;
    const int32_t m_count = p->depth_multiplier;
    for (int32_t b = 0; b < out_shape->n; b++) {
        const int8_t *in_b = in + (int64_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                int8_t *o = out + (((int64_t)b * out_h + oy) * out_w + ox) * out_c;
                for (int32_t ic = 0; ic < in_c; ic++) {
                    for (int32_t m = 0; m < m_count; m++) {
                        const int32_t oc = m + ic * m_count;
                        int32_t acc = 0;
                        for (int32_t fy = 0; fy < f_h; fy++) {
                            const int32_t y = y0 + p->dilation_h * fy;
                            if (y < 0 || y >= in_h) {
                                continue;
                            }
                            for (int32_t fx = 0; fx < f_w; fx++) {
                                const int32_t x = x0 + p->dilation_w * fx;
                                if (x < 0 || x >= in_w) {
                                    continue;
                                }
                                int32_t iv = in_b[((int64_t)y * in_w + x) * in_c + ic];
                                int32_t fv = filter[((int64_t)fy * f_w + fx) * out_c + oc];
                                acc += fv * (iv + p->input_offset);
                            }
                        }
                        if (bias) {
                            acc = (int32_t)((uint32_t)acc + (uint32_t)bias[oc]);  // wraps like TFLM, no UB
                        }
                        acc = tml_mbqm(acc, p->multiplier[oc], p->shift[oc]) + p->output_offset;
                        acc = acc < p->act_min ? p->act_min : acc;
                        acc = acc > p->act_max ? p->act_max : acc;
                        o[oc] = (int8_t)acc;
                    }
                }
            }
        }
    }
}
