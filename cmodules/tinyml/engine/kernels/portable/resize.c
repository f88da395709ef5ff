// Resize kernels. libm-free: floor/ceil of the (small) float coordinates are done by casts.
#include <string.h>

#include "kernels/tml_qmath.h"
#include "tml_resize.h"

static int32_t floor_i32(float x) {
    int32_t t = (int32_t)x;
    return (float)t > x ? t - 1 : t;
}

static int32_t ceil_i32(float x) {
    int32_t t = (int32_t)x;
    return (float)t < x ? t + 1 : t;
}

// GetNearestNeighbor of the reference kernel.
static int32_t nearest(int32_t v, int32_t in_size, int32_t out_size, int align, int half) {
    const float scale = (align && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1)
                                                : (float)in_size / (float)out_size;
    const float offset = half ? 0.5f : 0.0f;
    const float s = ((float)v + offset) * scale;
    int32_t r = align ? tml_roundf_i32(s) : floor_i32(s);
    r = r < in_size - 1 ? r : in_size - 1;
    if (half) {
        r = r > 0 ? r : 0;
    }
    return r;
}

void tml_resize_nearest(const tml_resize_params_t *p, const void *in, size_t esize, void *out) {
    const int32_t ih = p->in_dims[1], iw = p->in_dims[2], depth = p->in_dims[3];
    const size_t row = (size_t)iw * (size_t)depth * esize, px = (size_t)depth * esize;
    uint8_t *o = (uint8_t *)out;
    for (int32_t b = 0; b < p->in_dims[0]; b++) {
        const uint8_t *ib = (const uint8_t *)in + (size_t)b * (size_t)ih * row;
        for (int32_t y = 0; y < p->out_h; y++) {
            const uint8_t *iy = ib + (size_t)nearest(y, ih, p->out_h, p->align_corners, p->half_pixel_centers) * row;
            for (int32_t x = 0; x < p->out_w; x++) {
                memcpy(o, iy + (size_t)nearest(x, iw, p->out_w, p->align_corners, p->half_pixel_centers) * px, px);
                o += px;
            }
        }
    }
}

static size_t off4(const int32_t *d, int32_t b, int32_t y, int32_t x, int32_t c) {
    return (((size_t)b * (size_t)d[1] + (size_t)y) * (size_t)d[2] + (size_t)x) * (size_t)d[3] + (size_t)c;
}

// ComputeInterpolationValuesInteger: Q10 source coordinate and its two neighbours.
static void interp_q10(int32_t v, int32_t scale_10, int half, int32_t in_size, int32_t *scaled, int32_t *lo, int32_t *hi) {
    *scaled = half ? v * scale_10 + scale_10 / 2 - (1 << 9) : v * scale_10;
    *lo = *scaled / (1 << 10) > 0 ? *scaled / (1 << 10) : 0;
    const int32_t up = (*scaled + (1 << 10) - 1) / (1 << 10);
    *hi = up < in_size - 1 ? up : in_size - 1;
}

void tml_resize_bilinear_s8(const tml_resize_params_t *p, const int8_t *in, int8_t *out) {
    const int32_t *d = p->in_dims;
    const int32_t ih = d[1], iw = d[2], oh = p->out_h, ow = p->out_w;
    const int32_t od[4] = {d[0], oh, ow, d[3]};
    int32_t hs = ((1 << 10) * ih + oh / 2) / oh;
    int32_t ws = ((1 << 10) * iw + ow / 2) / ow;
    if (p->align_corners && oh > 1) {
        hs = ((1 << 10) * (ih - 1) + (oh - 1) / 2) / (oh - 1);
    }
    if (p->align_corners && ow > 1) {
        ws = ((1 << 10) * (iw - 1) + (ow - 1) / 2) / (ow - 1);
    }
    for (int32_t b = 0; b < d[0]; b++) {
        for (int32_t y = 0; y < oh; y++) {
            int32_t iy, y0, y1;
            interp_q10(y, hs, p->half_pixel_centers, ih, &iy, &y0, &y1);
            for (int32_t x = 0; x < ow; x++) {
                int32_t ix, x0, x1;
                interp_q10(x, ws, p->half_pixel_centers, iw, &ix, &x0, &x1);
                const int64_t fy = iy - (1 << 10) * y0, fx = ix - (1 << 10) * x0;
                for (int32_t c = 0; c < d[3]; c++) {
                    const int64_t v = (int64_t)in[off4(d, b, y0, x0, c)] * ((1 << 10) - fy) * ((1 << 10) - fx) +
                        (int64_t)in[off4(d, b, y1, x0, c)] * fy * ((1 << 10) - fx) +
                        (int64_t)in[off4(d, b, y0, x1, c)] * ((1 << 10) - fy) * fx +
                        (int64_t)in[off4(d, b, y1, x1, c)] * fy * fx;
                    const int64_t round = v > 0 ? (1 << 19) : -(1 << 19);
                    out[off4(od, b, y, x, c)] = (int8_t)((v + round) / (1 << 20));
                }
            }
        }
    }
}

static void interp_f(int32_t v, float scale, int half, int32_t in_size, float *scaled, int32_t *lo, int32_t *hi) {
    *scaled = half ? ((float)v + 0.5f) * scale - 0.5f : (float)v * scale;
    const int32_t f = floor_i32(*scaled), c = ceil_i32(*scaled);
    *lo = f > 0 ? f : 0;
    *hi = c < in_size - 1 ? c : in_size - 1;
}

void tml_resize_bilinear_f32(const tml_resize_params_t *p, const float *in, float *out) {
    const int32_t *d = p->in_dims;
    const int32_t ih = d[1], iw = d[2], oh = p->out_h, ow = p->out_w;
    const int32_t od[4] = {d[0], oh, ow, d[3]};
    float hs = (float)ih / (float)oh, ws = (float)iw / (float)ow;
    if (p->align_corners && oh > 1) {
        hs = (float)(ih - 1) / (float)(oh - 1);
    }
    if (p->align_corners && ow > 1) {
        ws = (float)(iw - 1) / (float)(ow - 1);
    }
    for (int32_t b = 0; b < d[0]; b++) {
        for (int32_t y = 0; y < oh; y++) {
            float iy;
            int32_t y0, y1;
            interp_f(y, hs, p->half_pixel_centers, ih, &iy, &y0, &y1);
            for (int32_t x = 0; x < ow; x++) {
                float ix;
                int32_t x0, x1;
                interp_f(x, ws, p->half_pixel_centers, iw, &ix, &x0, &x1);
                for (int32_t c = 0; c < d[3]; c++) {
                    // Same expression and order as the reference (float rounding depends on it).
                    out[off4(od, b, y, x, c)] = in[off4(d, b, y0, x0, c)] * (1 - (iy - (float)y0)) * (1 - (ix - (float)x0)) +
                        in[off4(d, b, y1, x0, c)] * (iy - (float)y0) * (1 - (ix - (float)x0)) +
                        in[off4(d, b, y0, x1, c)] * (1 - (iy - (float)y0)) * (ix - (float)x0) +
                        in[off4(d, b, y1, x1, c)] * (iy - (float)y0) * (ix - (float)x0) + 0.0f;
                }
            }
        }
    }
}
