// Shared prepare of AVERAGE_POOL_2D and MAX_POOL_2D (int8): options, output size, padding,
// activation range; the persistent data is the kernel's tml_pool_params_t.
#include "pool_common.h"

tml_status_t tml_pool_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_POOL2D_OPTIONS));
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, in.type == TML_TYPE_INT8, TML_ERR_UNSUPPORTED_TYPE, in.index, "pooling input must be int8");
    TML_ENSURE(ctx, out.type == TML_TYPE_INT8, TML_ERR_UNSUPPORTED_TYPE, out.index, "pooling output must be int8");
    TML_ENSURE(ctx, in.ndims == 4 && out.ndims == 4, TML_ERR_BAD_MODEL, in.index, "pooling tensors must be 4-D");
    int padding = tml_opt_u8(ctx, node, TML_POOL2D_OPTIONS_PADDING, 0);
    int act = tml_opt_u8(ctx, node, TML_POOL2D_OPTIONS_FUSED_ACTIVATION_FUNCTION, 0);
    tml_pool_params_t p;
    p.stride_w = tml_opt_i32(ctx, node, TML_POOL2D_OPTIONS_STRIDE_W, 0);
    p.stride_h = tml_opt_i32(ctx, node, TML_POOL2D_OPTIONS_STRIDE_H, 0);
    p.filter_w = tml_opt_i32(ctx, node, TML_POOL2D_OPTIONS_FILTER_WIDTH, 0);
    p.filter_h = tml_opt_i32(ctx, node, TML_POOL2D_OPTIONS_FILTER_HEIGHT, 0);
    TML_ENSURE(ctx, p.stride_w > 0 && p.stride_h > 0 && p.filter_w > 0 && p.filter_h > 0, TML_ERR_BAD_MODEL, -1,
        "pool stride and filter must be positive");
    TML_ENSURE(ctx, act <= TML_ACT_RELU6, TML_ERR_UNSUPPORTED_TYPE, -1, "unsupported fused activation");
    tml_shape4_t is, os;
    tml_shape4(&in, &is);
    tml_shape4(&out, &os);
    int32_t out_h = tml_out_size(padding, is.h, p.filter_h, p.stride_h, 1);
    int32_t out_w = tml_out_size(padding, is.w, p.filter_w, p.stride_w, 1);
    TML_ENSURE(ctx, out_h == os.h && out_w == os.w && os.n == is.n && os.c == is.c, TML_ERR_BAD_MODEL, out.index,
        "output shape does not match the pooling");
    p.pad_h = tml_padding(p.stride_h, 1, is.h, p.filter_h, out_h);
    p.pad_w = tml_padding(p.stride_w, 1, is.w, p.filter_w, out_w);
    TML_ENSURE(ctx, p.pad_h >= 0 && p.pad_w >= 0, TML_ERR_BAD_MODEL, -1, "pool padding out of range (filter/stride)");
    tml_activation_range_quantized(act, out.scale, out.zero_point, -128, 127, &p.act_min, &p.act_max);
    tml_pool_params_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    *d = p;
    node->user_data = d;
    return TML_OK;
}
