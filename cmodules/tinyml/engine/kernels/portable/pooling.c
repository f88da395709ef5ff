// AVERAGE_POOL_2D / MAX_POOL_2D reference kernels (TFLM reference_integer_ops pooling.h).
#include "kernels/tml_kernels.h"

int tml_average_pool_s8(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, depth = in_shape->c;
    for (int32_t b = 0; b < out_shape->n; b++) {
        for (int32_t oy = 0; oy < out_shape->h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = y0 < 0 ? -y0 : 0;
            const int32_t fy1 = p->filter_h < in_h - y0 ? p->filter_h : in_h - y0;
            for (int32_t ox = 0; ox < out_shape->w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = x0 < 0 ? -x0 : 0;
                const int32_t fx1 = p->filter_w < in_w - x0 ? p->filter_w : in_w - x0;
                for (int32_t c = 0; c < depth; c++) {
                    int32_t acc = 0;
                    int32_t count = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            acc += in[(((int64_t)b * in_h + y0 + fy) * in_w + x0 + fx) * depth + c];
                            count++;
                        }
                    }
                    if (count == 0) {
                        return 0;
                    }
                    // Round to nearest, halves away from zero.
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    acc = acc < p->act_min ? p->act_min : acc;
                    acc = acc > p->act_max ? p->act_max : acc;
                    out[(((int64_t)b * out_shape->h + oy) * out_shape->w + ox) * depth + c] = (int8_t)acc;
                }
            }
        }
    }
    return 1;
}

void tml_max_pool_s8(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, depth = in_shape->c;
    for (int32_t b = 0; b < out_shape->n; b++) {
        for (int32_t oy = 0; oy < out_shape->h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = y0 < 0 ? -y0 : 0;
            const int32_t fy1 = p->filter_h < in_h - y0 ? p->filter_h : in_h - y0;
            for (int32_t ox = 0; ox < out_shape->w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = x0 < 0 ? -x0 : 0;
                const int32_t fx1 = p->filter_w < in_w - x0 ? p->filter_w : in_w - x0;
                for (int32_t c = 0; c < depth; c++) {
                    int32_t max = -128;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            int32_t v = in[(((int64_t)b * in_h + y0 + fy) * in_w + x0 + fx) * depth + c];
                            max = v > max ? v : max;
                        }
                    }
                    max = max < p->act_min ? p->act_min : max;
                    max = max > p->act_max ? p->act_max : max;
                    out[(((int64_t)b * out_shape->h + oy) * out_shape->w + ox) * depth + c] = (int8_t)max;
                }
            }
        }
    }
}
