// AVERAGE_POOL_2D / MAX_POOL_2D, portable fast path: window bounds hoisted per output pixel and
// channels innermost (contiguous), accumulated in a small stack block.
#include "kernels/fast/tml_fast.h"

#if defined(TML_KERNELS_FAST)

#define POOL_BLOCK 64

int tml_average_pool_s8_fast(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, depth = in_shape->c;
    int32_t acc[POOL_BLOCK];
    for (int32_t b = 0; b < out_shape->n; b++) {
        const int8_t *in_b = in + (int64_t)b * in_h * in_w * depth;
        for (int32_t oy = 0; oy < out_shape->h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            tml_fast_taps(y0, p->filter_h, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_shape->w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                tml_fast_taps(x0, p->filter_w, in_w, &fx0, &fx1);
                const int32_t count = (fy1 - fy0) * (fx1 - fx0);
                if (count == 0) {
                    return 0;
                }
                int8_t *o = out + (((int64_t)b * out_shape->h + oy) * out_shape->w + ox) * depth;
                for (int32_t c0 = 0; c0 < depth; c0 += POOL_BLOCK) {
                    const int32_t n = depth - c0 < POOL_BLOCK ? depth - c0 : POOL_BLOCK;
                    memset(acc, 0, sizeof(int32_t) * (size_t)n);
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int8_t *ip = in_b + ((int64_t)(y0 + fy) * in_w + x0 + fx) * depth + c0;
                            for (int32_t c = 0; c < n; c++) {
                                acc[c] += ip[c];
                            }
                        }
                    }
                    for (int32_t c = 0; c < n; c++) {
                        // Round to nearest, halves away from zero (as the reference).
                        int32_t v = acc[c] > 0 ? (acc[c] + count / 2) / count : (acc[c] - count / 2) / count;
                        v = v < p->act_min ? p->act_min : v;
                        v = v > p->act_max ? p->act_max : v;
                        o[c0 + c] = (int8_t)v;
                    }
                }
            }
        }
    }
    return 1;
}

void tml_max_pool_s8_fast(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, depth = in_shape->c;
    int32_t mx[POOL_BLOCK];
    for (int32_t b = 0; b < out_shape->n; b++) {
        const int8_t *in_b = in + (int64_t)b * in_h * in_w * depth;
        for (int32_t oy = 0; oy < out_shape->h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            tml_fast_taps(y0, p->filter_h, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_shape->w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                tml_fast_taps(x0, p->filter_w, in_w, &fx0, &fx1);
                int8_t *o = out + (((int64_t)b * out_shape->h + oy) * out_shape->w + ox) * depth;
                for (int32_t c0 = 0; c0 < depth; c0 += POOL_BLOCK) {
                    const int32_t n = depth - c0 < POOL_BLOCK ? depth - c0 : POOL_BLOCK;
                    for (int32_t c = 0; c < n; c++) {
                        mx[c] = -128;
                    }
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int8_t *ip = in_b + ((int64_t)(y0 + fy) * in_w + x0 + fx) * depth + c0;
                            for (int32_t c = 0; c < n; c++) {
                                mx[c] = ip[c] > mx[c] ? ip[c] : mx[c];
                            }
                        }
                    }
                    for (int32_t c = 0; c < n; c++) {
                        int32_t v = mx[c] < p->act_min ? p->act_min : mx[c];
                        o[c0 + c] = (int8_t)(v > p->act_max ? p->act_max : v);
                    }
                }
            }
        }
    }
}

#endif
