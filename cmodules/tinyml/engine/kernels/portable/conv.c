// CONV_2D reference kernels (TFLM reference_integer_ops::ConvPerChannel and reference_ops::Conv).
#include "kernels/tml_kernels.h"
#include "kernels/tml_qmath.h"

void tml_conv_s8(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, in_c = in_shape->c;
    const int32_t f_h = filter_shape->h, f_w = filter_shape->w, f_c = filter_shape->c;
    const int32_t out_h = out_shape->h, out_w = out_shape->w, out_c = out_shape->c;
    const int32_t groups = in_c / f_c;
    const int32_t filters_per_group = out_c / groups;
    for (int32_t b = 0; b < out_shape->n; b++) {
        const int8_t *in_b = in + (int64_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                int8_t *o = out + (((int64_t)b * out_h + oy) * out_w + ox) * out_c;
                for (int32_t oc = 0; oc < out_c; oc++) {
                    const int32_t group = oc / filters_per_group;
                    const int8_t *f_oc = filter + (int64_t)oc * f_h * f_w * f_c;
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
                            const int8_t *ip = in_b + ((int64_t)y * in_w + x) * in_c + group * f_c;
                            const int8_t *fp = f_oc + ((int64_t)fy * f_w + fx) * f_c;
                            for (int32_t ic = 0; ic < f_c; ic++) {
                                acc += (int32_t)fp[ic] * ((int32_t)ip[ic] + p->input_offset);
                            }
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

void tml_conv_f32(const tml_conv_params_f32_t *p, const tml_shape4_t *in_shape, const float *in,
    const tml_shape4_t *filter_shape, const float *filter, const float *bias,
    const tml_shape4_t *out_shape, float *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, in_c = in_shape->c;
    const int32_t f_h = filter_shape->h, f_w = filter_shape->w, f_c = filter_shape->c;
    const int32_t out_h = out_shape->h, out_w = out_shape->w, out_c = out_shape->c;
    const int32_t groups = in_c / f_c;
    const int32_t filters_per_group = out_c / groups;
    for (int32_t b = 0; b < out_shape->n; b++) {
        const float *in_b = in + (int64_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                float *o = out + (((int64_t)b * out_h + oy) * out_w + ox) * out_c;
                for (int32_t oc = 0; oc < out_c; oc++) {
                    const int32_t group = oc / filters_per_group;
                    const float *f_oc = filter + (int64_t)oc * f_h * f_w * f_c;
                    float acc = 0.0f;
                    // Same summation order as the reference: filter y, filter x, input channel.
                    for (int32_t fy = 0; fy < f_h; fy++) {
                        const int32_t y = y0 + p->dilation_h * fy;
                        for (int32_t fx = 0; fx < f_w; fx++) {
                            const int32_t x = x0 + p->dilation_w * fx;
                            if (y < 0 || y >= in_h || x < 0 || x >= in_w) {
                                continue;
                            }
                            const float *ip = in_b + ((int64_t)y * in_w + x) * in_c + group * f_c;
                            const float *fp = f_oc + ((int64_t)fy * f_w + fx) * f_c;
                            for (int32_t ic = 0; ic < f_c; ic++) {
                                acc += ip[ic] * fp[ic];
                            }
                        }
                    }
                    float bias_value = bias ? bias[oc] : 0.0f;
                    float v = acc + bias_value;
                    v = v < p->act_min ? p->act_min : v;
                    v = v > p->act_max ? p->act_max : v;
                    o[oc] = v;
                }
            }
        }
    }
}
