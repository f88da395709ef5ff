// STRIDED_SLICE (reference strided_slice.h and strided_slice_logic.h).
#include <string.h>

#include "tml_shape_ops.h"

static int32_t clamp(int32_t v, int32_t lo, int32_t hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

int32_t tml_ss_start(int32_t begin, int32_t stride, int32_t size, int begin_masked) {
    if (size == 0) {
        return 0;
    }
    int32_t start = begin;
    if (begin_masked) {
        start = stride > 0 ? INT32_MIN : INT32_MAX;
    }
    if (start < 0) {
        start += size;
    }
    return stride > 0 ? clamp(start, 0, size) : clamp(start, -1, size - 1);
}

int32_t tml_ss_stop(int32_t end, int32_t stride, int32_t size, int32_t start, int end_masked, int shrink) {
    if (size == 0) {
        return 0;
    }
    if (shrink) {
        return start + 1;  // a length-1 slice at the (already resolved) start
    }
    int32_t stop = end;
    if (end_masked) {
        stop = stride > 0 ? INT32_MAX : INT32_MIN;
    }
    if (stop < 0) {
        stop += size;
    }
    return stride > 0 ? clamp(stop, 0, size) : clamp(stop, -1, size - 1);
}

int32_t tml_ss_count(int32_t start, int32_t stop, int32_t stride) {
    // The reference loop `for (i = start; stride > 0 ? i < stop : i > stop; i += stride)`,
    // counted in closed form (64-bit: a huge stride must not overflow).
    int64_t span = stride > 0 ? (int64_t)stop - start : (int64_t)start - stop;
    int64_t step = stride > 0 ? (int64_t)stride : -(int64_t)stride;
    return span <= 0 ? 0 : (int32_t)((span + step - 1) / step);
}

void tml_strided_slice(const void *in, const int32_t *in_dims, int ndims, const int32_t *start, const int32_t *stop,
    const int32_t *stride, size_t esize, void *out) {
    int32_t istride[TML_SHAPE_MAX_DIMS], idx[TML_SHAPE_MAX_DIMS], cnt[TML_SHAPE_MAX_DIMS];
    int32_t s = 1, total = 1;
    for (int d = ndims - 1; d >= 0; d--) {
        istride[d] = s;
        s *= in_dims[d];
    }
    for (int d = 0; d < ndims; d++) {
        cnt[d] = tml_ss_count(start[d], stop[d], stride[d]);
        idx[d] = 0;
        total *= cnt[d];
    }
    const uint8_t *src = (const uint8_t *)in;
    uint8_t *dst = (uint8_t *)out;
    for (int32_t i = 0; i < total; i++) {
        int64_t off = 0;
        for (int d = 0; d < ndims; d++) {
            off += ((int64_t)start[d] + (int64_t)idx[d] * stride[d]) * istride[d];
        }
        memcpy(dst + (size_t)i * esize, src + (size_t)off * esize, esize);
        for (int d = ndims - 1; d >= 0; d--) {
            if (++idx[d] < cnt[d]) break;
            idx[d] = 0;
        }
    }
}
