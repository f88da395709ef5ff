// Shared prepare of RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR: 4-D NHWC input, constant
// int32 size [2] equal to the output's H and W, align_corners / half_pixel_centers options.
#ifndef TML_RESIZE_OP_H
#define TML_RESIZE_OP_H

#include "kernels/portable/tml_resize.h"
#include "tml_op_extra.h"

static inline tml_status_t tml_resize_prepare(tml_ctx_t *ctx, tml_node_t *node, int options_type, int align_field,
    int half_field, uint32_t types) {
    tml_tensor_t in, size_t_, out;
    TML_TRY(tml_expect_options(ctx, node, options_type));
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &size_t_));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in) && in.type < 32 && ((types >> in.type) & 1), TML_ERR_UNSUPPORTED_TYPE, in.index,
        "input type not supported by this op");
    TML_ENSURE(ctx, out.type == in.type, TML_ERR_UNSUPPORTED_TYPE, out.index, "output type differs from input");
    TML_ENSURE(ctx, in.ndims == 4 && out.ndims == 4, TML_ERR_BAD_MODEL, in.index, "input and output must be 4-D");
    TML_ENSURE(ctx, in.dims[1] > 0 && in.dims[2] > 0, TML_ERR_BAD_MODEL, in.index, "empty input image");
    int32_t size[2];
    int n = 0;
    TML_TRY(tml_const_ints(ctx, &size_t_, size, 2, &n));
    TML_ENSURE(ctx, n == 2 && size[0] == out.dims[1] && size[1] == out.dims[2] && out.dims[0] == in.dims[0] &&
        out.dims[3] == in.dims[3] && size[0] > 0 && size[1] > 0, TML_ERR_BAD_MODEL, size_t_.index,
        "size does not match the output shape");
    if (in.type == TML_TYPE_INT8) {
        TML_ENSURE(ctx, in.scale == out.scale && in.zero_point == out.zero_point, TML_ERR_BAD_MODEL, out.index,
            "int8 resize needs equal input and output quantisation");
    }
    tml_resize_params_t *p;
    TML_ALLOC_PERSISTENT(ctx, p, sizeof *p);
    for (int i = 0; i < 4; i++) {
        p->in_dims[i] = in.dims[i];
    }
    p->out_h = size[0];
    p->out_w = size[1];
    p->align_corners = tml_opt_u8(ctx, node, align_field, 0);
    p->half_pixel_centers = tml_opt_u8(ctx, node, half_field, 0);
    node->user_data = p;
    return TML_OK;
}

#endif
