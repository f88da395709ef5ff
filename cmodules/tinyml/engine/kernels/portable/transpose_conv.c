// TRANSPOSE_CONV kernels. The float version keeps TFLite's loop order (in_y, in_x, in_c,
// filter_y, filter_x, out_c) because float accumulation order changes the bits.
#include <string.h>

#include "tml_fixedpoint.h"
#include "tml_transpose_conv.h"

static inline int32_t off4(const int32_t *d, int32_t a, int32_t b, int32_t c, int32_t e) {
    return ((a * d[1] + b) * d[2] + c) * d[3] + e;
}

#define TML_TCONV_SCATTER(ACC, IN_VAL)                                                            \
    for (int32_t b = 0; b < g->in_dims[0]; b++)                                                   \
        for (int32_t iy = 0; iy < g->in_dims[1]; iy++)                                            \
            for (int32_t ix = 0; ix < g->in_dims[2]; ix++)                                        \
                for (int32_t ic = 0; ic < g->in_dims[3]; ic++) {                                  \
                    const int32_t ox0 = ix * g->stride_w - g->pad_w;                              \
                    const int32_t oy0 = iy * g->stride_h - g->pad_h;                              \
                    for (int32_t fy = 0; fy < g->filter_dims[1]; fy++)                            \
                        for (int32_t fx = 0; fx < g->filter_dims[2]; fx++)                        \
                            for (int32_t oc = 0; oc < g->filter_dims[0]; oc++) {                  \
                                const int32_t ox = ox0 + fx, oy = oy0 + fy;                       \
                                if (ox >= 0 && ox < g->out_dims[2] && oy >= 0 && oy < g->out_dims[1]) { \
                                    ACC[off4(g->out_dims, b, oy, ox, oc)] +=                      \
                                        (IN_VAL) * filter[off4(g->filter_dims, oc, fy, fx, ic)];  \
                                }                                                                 \
                            }                                                                     \
                }

void tml_transpose_conv_s8(const tml_tconv_geom_t *g, const int8_t *in, int32_t input_offset, const int8_t *filter,
    const int32_t *bias, const int32_t *mult, const int32_t *shift, int32_t output_offset, int32_t act_min,
    int32_t act_max, int32_t *acc, int8_t *out) {
    const int32_t n = g->out_dims[0] * g->out_dims[1] * g->out_dims[2] * g->out_dims[3];
    const int32_t depth = g->out_dims[3];
    memset(acc, 0, (size_t)n * sizeof(int32_t));
    TML_TCONV_SCATTER(acc, ((int32_t)in[off4(g->in_dims, b, iy, ix, ic)] + input_offset))
    for (int32_t i = 0; i < n; i++) {
        const int32_t c = i % depth;
        int32_t v = acc[i] + (bias ? bias[c] : 0);
        v = tml_mbqm(v, mult[c], shift[c]) + output_offset;
        v = v < act_min ? act_min : (v > act_max ? act_max : v);
        out[i] = (int8_t)v;
    }
}

void tml_transpose_conv_f32(const tml_tconv_geom_t *g, const float *in, const float *filter, const float *bias,
    float act_min, float act_max, float *out) {
    const int32_t n = g->out_dims[0] * g->out_dims[1] * g->out_dims[2] * g->out_dims[3];
    const int32_t depth = g->out_dims[3];
    for (int32_t i = 0; i < n; i++) {
        out[i] = 0.0f;
    }
    TML_TCONV_SCATTER(out, in[off4(g->in_dims, b, iy, ix, ic)])
    for (int32_t i = 0; i < n; i++) {
        float v = out[i];
        if (bias) {
            v += bias[i % depth];
        }
        v = v < act_min ? act_min : v;
        out[i] = v > act_max ? act_max : v;
    }
}
