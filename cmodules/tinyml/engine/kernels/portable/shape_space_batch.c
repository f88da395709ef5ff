// SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (reference space_to_batch_nd.h / batch_to_space_nd.h)
// on NHWC; what the converter emits around dilated convolutions.
#include <string.h>

#include "tml_shape_ops.h"

static size_t off4(const int32_t *d, int32_t b, int32_t h, int32_t w) {
    return (((size_t)b * (size_t)d[1] + (size_t)h) * (size_t)d[2] + (size_t)w) * (size_t)d[3];
}

void tml_space_to_batch(const void *in, const int32_t *in_dims, const int32_t *out_dims, int32_t block_h,
    int32_t block_w, int32_t pad_top, int32_t pad_left, int pad_byte, size_t esize, void *out) {
    const size_t depth_bytes = (size_t)in_dims[3] * esize;
    for (int32_t ob = 0; ob < out_dims[0]; ob++) {
        const int32_t ib = ob % in_dims[0];
        const int32_t shift_w = (ob / in_dims[0]) % block_w;
        const int32_t shift_h = (ob / in_dims[0]) / block_w;
        for (int32_t oh = 0; oh < out_dims[1]; oh++) {
            for (int32_t ow = 0; ow < out_dims[2]; ow++) {
                uint8_t *o = (uint8_t *)out + off4(out_dims, ob, oh, ow) * esize;
                const int32_t h = oh * block_h + shift_h - pad_top;
                const int32_t w = ow * block_w + shift_w - pad_left;
                if (h < 0 || h >= in_dims[1] || w < 0 || w >= in_dims[2]) {
                    memset(o, pad_byte, depth_bytes);  // as TFLM: the zero point's low byte
                } else {
                    memcpy(o, (const uint8_t *)in + off4(in_dims, ib, h, w) * esize, depth_bytes);
                }
            }
        }
    }
}

void tml_batch_to_space(const void *in, const int32_t *in_dims, const int32_t *out_dims, int32_t block_h,
    int32_t block_w, int32_t crop_top, int32_t crop_left, size_t esize, void *out) {
    const size_t depth_bytes = (size_t)in_dims[3] * esize;
    for (int32_t ib = 0; ib < in_dims[0]; ib++) {
        const int32_t ob = ib % out_dims[0];
        const int32_t spatial = ib / out_dims[0];
        for (int32_t ih = 0; ih < in_dims[1]; ih++) {
            const int32_t oh = ih * block_h + spatial / block_w - crop_top;
            if (oh < 0 || oh >= out_dims[1]) continue;
            for (int32_t iw = 0; iw < in_dims[2]; iw++) {
                const int32_t ow = iw * block_w + spatial % block_w - crop_left;
                if (ow < 0 || ow >= out_dims[2]) continue;
                memcpy((uint8_t *)out + off4(out_dims, ob, oh, ow) * esize,
                    (const uint8_t *)in + off4(in_dims, ib, ih, iw) * esize, depth_bytes);
            }
        }
    }
}
