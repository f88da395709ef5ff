// DEPTHWISE_CONV_2D: int8 with channel multiplier and dilation, per-channel filter.
#include "conv_common.h"

static tml_status_t depthwise_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_ENSURE(ctx, in.type == TML_TYPE_INT8, TML_ERR_UNSUPPORTED_TYPE, in.index, "DEPTHWISE_CONV_2D input must be int8");
    return tml_conv_prepare_common(ctx, node, TML_OPTIONS_DEPTHWISE_CONV2D_OPTIONS, 1);
}

static tml_status_t depthwise_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, filter, bias, out;
    tml_shape4_t is, fs, os;
    const conv_data_t *d = (const conv_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &filter));
    TML_TRY(tml_input(ctx, node, 2, &bias));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_shape4(&in, &is);
    tml_shape4(&filter, &fs);
    tml_shape4(&out, &os);
    tml_depthwise_conv_s8(&d->q, &is, (const int8_t *)in.data, &fs, (const int8_t *)filter.data,
        (const int32_t *)bias.data, &os, (int8_t *)out.data);
    return TML_OK;
}

const tml_op_t tml_op_depthwise_conv_2d = {
    .name = "DEPTHWISE_CONV_2D",
    .builtin_code = TML_BUILTIN_DEPTHWISE_CONV_2D,
    .prepare = depthwise_prepare,
    .eval = depthwise_eval,
};
