// CONV_2D: int8 (per-channel or per-tensor filter, int32 bias) and float32.
#include "conv_common.h"

static tml_status_t conv2d_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return tml_conv_prepare_common(ctx, node, TML_OPTIONS_CONV2D_OPTIONS, 0);
}

static tml_status_t conv2d_eval(tml_ctx_t *ctx, tml_node_t *node) {
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
    if (in.type == TML_TYPE_INT8) {
        tml_conv_s8(&d->q, &is, (const int8_t *)in.data, &fs, (const int8_t *)filter.data,
            (const int32_t *)bias.data, &os, (int8_t *)out.data);
    } else {
        tml_conv_f32(&d->f, &is, (const float *)in.data, &fs, (const float *)filter.data,
            (const float *)bias.data, &os, (float *)out.data);
    }
    return TML_OK;
}

const tml_op_t tml_op_conv_2d = {
    .name = "CONV_2D",
    .builtin_code = TML_BUILTIN_CONV_2D,
    .prepare = conv2d_prepare,
    .eval = conv2d_eval,
};
