// TRANSPOSE (reference_ops::TransposeImpl): walk the output, gather from the input.
#include <string.h>

#include "tml_shape_ops.h"

void tml_transpose(const void *in, const int32_t *in_dims, int ndims, const int32_t *perm, size_t esize, void *out) {
    int32_t istride[TML_SHAPE_MAX_DIMS], ostride_in[TML_SHAPE_MAX_DIMS], odims[TML_SHAPE_MAX_DIMS];
    int32_t idx[TML_SHAPE_MAX_DIMS] = {0};
    int32_t s = 1, total = 1;
    for (int d = ndims - 1; d >= 0; d--) {
        istride[d] = s;
        s *= in_dims[d];
    }
    for (int d = 0; d < ndims; d++) {
        odims[d] = in_dims[perm[d]];
        ostride_in[d] = istride[perm[d]];  // input stride of output dimension d
        total *= odims[d];
    }
    const uint8_t *src = (const uint8_t *)in;
    uint8_t *dst = (uint8_t *)out;
    int32_t off = 0;
    for (int32_t i = 0; i < total; i++) {
        memcpy(dst + (size_t)i * esize, src + (size_t)off * esize, esize);
        for (int d = ndims - 1; d >= 0; d--) {
            off += ostride_in[d];
            if (++idx[d] < odims[d]) break;
            off -= ostride_in[d] * odims[d];
            idx[d] = 0;
        }
    }
}
