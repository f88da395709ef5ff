// PAD / PADV2 (reference_ops::PadImpl generalised to 6-D): every output element is either the
// pad value or the input element it maps to.
#include <string.h>

#include "tml_shape_ops.h"

void tml_pad(const void *in, const int32_t *in_dims, int ndims, const int32_t *pads, const void *value, size_t esize,
    void *out) {
    int32_t odims[TML_SHAPE_MAX_DIMS], idx[TML_SHAPE_MAX_DIMS] = {0};
    int32_t total = 1;
    for (int d = 0; d < ndims; d++) {
        odims[d] = pads[2 * d] + in_dims[d] + pads[2 * d + 1];
        total *= odims[d];
    }
    const uint8_t *src = (const uint8_t *)in;
    uint8_t *dst = (uint8_t *)out;
    for (int32_t i = 0; i < total; i++) {
        int inside = 1;
        for (int d = 0; d < ndims; d++) {
            if (idx[d] < pads[2 * d] || idx[d] >= pads[2 * d] + in_dims[d]) {
                inside = 0;
                break;
            }
        }
        if (inside) {
            memcpy(dst, src, esize);
            src += esize;  // inside elements are met in input row-major order
        } else {
            memcpy(dst, value, esize);
        }
        dst += esize;
        for (int d = ndims - 1; d >= 0; d--) {
            if (++idx[d] < odims[d]) break;
            idx[d] = 0;
        }
    }
}
