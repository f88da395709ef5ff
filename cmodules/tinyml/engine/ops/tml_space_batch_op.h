// Shared prepare of SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND: 3-D (N, H, C) or 4-D NHWC input,
// constant block shape and paddings/crops; 3-D shapes are handled as N, H, 1, C (as TFLM).
#ifndef TML_SPACE_BATCH_OP_H
#define TML_SPACE_BATCH_OP_H

#include "kernels/portable/tml_shape_ops.h"
#include "tml_op_extra.h"

typedef struct {
    int32_t in_dims[4], out_dims[4];
    int32_t block_h, block_w, pad_top, pad_left;
    int pad_byte;
} space_batch_data_t;

static inline void tml_nhwc(const tml_tensor_t *t, int32_t *d) {
    d[0] = t->dims[0];
    d[1] = t->dims[1];
    d[2] = t->ndims == 4 ? t->dims[2] : 1;
    d[3] = t->dims[t->ndims - 1];
}

static inline tml_status_t tml_space_batch_prepare(tml_ctx_t *ctx, tml_node_t *node, int to_batch) {
    tml_tensor_t in, block_t, pads_t, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &block_t));
    TML_TRY(tml_input(ctx, node, 2, &pads_t));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in) && tml_type_size(in.type) > 0, TML_ERR_UNSUPPORTED_TYPE, in.index,
        "unsupported element type");
    TML_ENSURE(ctx, out.type == in.type, TML_ERR_UNSUPPORTED_TYPE, out.index, "output type differs from input");
    TML_ENSURE(ctx, (in.ndims == 3 || in.ndims == 4) && out.ndims == in.ndims, TML_ERR_UNSUPPORTED_TYPE, in.index,
        "input must be 3-D or 4-D");
    int32_t block[2], pads[4];
    int nb = 0, np = 0;
    TML_TRY(tml_const_ints(ctx, &block_t, block, 2, &nb));
    TML_TRY(tml_const_ints(ctx, &pads_t, pads, 4, &np));
    int spatial = in.ndims - 2;
    TML_ENSURE(ctx, nb == spatial && np == 2 * spatial, TML_ERR_BAD_MODEL, block_t.index,
        "block shape / paddings do not match the spatial rank");
    space_batch_data_t d0;
    tml_nhwc(&in, d0.in_dims);
    tml_nhwc(&out, d0.out_dims);
    d0.block_h = block[0];
    d0.block_w = spatial == 2 ? block[1] : 1;
    d0.pad_top = pads[0];
    d0.pad_left = spatial == 2 ? pads[2] : 0;
    const int32_t pad_bottom = pads[1], pad_right = spatial == 2 ? pads[3] : 0;
    TML_ENSURE(ctx, d0.block_h > 0 && d0.block_w > 0 && d0.pad_top >= 0 && d0.pad_left >= 0 && pad_bottom >= 0 &&
        pad_right >= 0, TML_ERR_BAD_MODEL, pads_t.index, "bad block shape or paddings");
    // The shapes must agree exactly, or the kernel would index outside the tensors.
    const int32_t *big = to_batch ? d0.in_dims : d0.out_dims;    // space side
    const int32_t *small = to_batch ? d0.out_dims : d0.in_dims;  // batch side
    const int32_t bh = d0.block_h, bw = d0.block_w;
    TML_ENSURE(ctx, small[0] == big[0] * bh * bw && small[3] == big[3] &&
        small[1] * bh == big[1] + d0.pad_top + pad_bottom && small[2] * bw == big[2] + d0.pad_left + pad_right,
        TML_ERR_BAD_MODEL, out.index,
        "output shape does not match block shape and paddings (converted with a dynamic batch? use batch size 1)");
    d0.pad_byte = in.type == TML_TYPE_INT8 || in.type == TML_TYPE_UINT8 ? (int)(uint8_t)out.zero_point : 0;
    space_batch_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    *d = d0;
    node->user_data = d;
    return TML_OK;
}

#endif
