// TILE: output element at index i reads input element at i mod in_dims, per dimension.
#include <string.h>

#include "tml_shape_ops.h"

void tml_tile(const void *in, const int32_t *in_dims, int ndims, const int32_t *multiples, size_t esize, void *out) {
    int32_t istride[TML_SHAPE_MAX_DIMS], odims[TML_SHAPE_MAX_DIMS], idx[TML_SHAPE_MAX_DIMS] = {0};
    int32_t s = 1, total = 1;
    for (int d = ndims - 1; d >= 0; d--) {
        istride[d] = s;
        s *= in_dims[d];
        odims[d] = in_dims[d] * multiples[d];
        total *= odims[d];
    }
    for (int32_t i = 0; i < total; i++) {
        int32_t off = 0;
        for (int d = 0; d < ndims; d++) {
            off += (idx[d] % in_dims[d]) * istride[d];
        }
        memcpy((uint8_t *)out + (size_t)i * esize, (const uint8_t *)in + (size_t)off * esize, esize);
        for (int d = ndims - 1; d >= 0; d--) {
            if (++idx[d] < odims[d]) break;
            idx[d] = 0;
        }
    }
}
