// RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR on NHWC (TFLite reference resize_nearest_neighbor.h,
// resize_bilinear.h: ResizeBilinearInteger for int8, ResizeBilinear for float).
#ifndef TML_RESIZE_H
#define TML_RESIZE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int32_t in_dims[4], out_h, out_w;
    uint8_t align_corners, half_pixel_centers;
} tml_resize_params_t;

void tml_resize_nearest(const tml_resize_params_t *p, const void *in, size_t esize, void *out);
void tml_resize_bilinear_s8(const tml_resize_params_t *p, const int8_t *in, int8_t *out);
void tml_resize_bilinear_f32(const tml_resize_params_t *p, const float *in, float *out);

#endif
