// TRANSPOSE_CONV (Conv2DTranspose / Conv1DTranspose): inputs output_shape, filter (OHWI),
// input, optional bias. int8 with per-channel filter scales and int32 bias; float32.
#include "kernels/portable/tml_transpose_conv.h"
#include "tml_op_extra.h"

typedef struct {
    tml_tconv_geom_t g;
    int32_t act_min, act_max;
    float act_min_f, act_max_f;
    int scratch;
    int32_t *mult, *shift;
} tconv_data_t;

static tml_status_t tconv_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t shape_t, filter, in, bias, out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_TRANSPOSE_CONV_OPTIONS));
    TML_TRY(tml_input(ctx, node, 0, &shape_t));
    TML_TRY(tml_input(ctx, node, 1, &filter));
    TML_TRY(tml_input(ctx, node, 2, &in));
    TML_TRY(tml_input(ctx, node, 3, &bias));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in) && tml_present(&filter), TML_ERR_BAD_MODEL, -1, "missing input or filter");
    const int is_int8 = in.type == TML_TYPE_INT8;
    TML_ENSURE(ctx, is_int8 || in.type == TML_TYPE_FLOAT32, TML_ERR_UNSUPPORTED_TYPE, in.index,
        "input must be int8 or float32");
    TML_ENSURE(ctx, filter.type == in.type && out.type == in.type, TML_ERR_UNSUPPORTED_TYPE, filter.index,
        "filter/output type differs from input");
    TML_ENSURE(ctx, in.ndims == 4 && filter.ndims == 4 && out.ndims == 4, TML_ERR_BAD_MODEL, in.index,
        "input, filter and output must be 4-D");
    if (tml_present(&shape_t) && shape_t.is_const) {
        // A computed output_shape (dynamic-batch models: SHAPE/STRIDED_SLICE/PACK) is ignored, as
        // TFLM does: the output tensor's static shape rules.
        int32_t oshape[4];
        int n = 0;
        TML_TRY(tml_const_ints(ctx, &shape_t, oshape, 4, &n));
        TML_ENSURE(ctx, n == 4 && oshape[0] == out.dims[0] && oshape[1] == out.dims[1] && oshape[2] == out.dims[2] &&
            oshape[3] == out.dims[3], TML_ERR_BAD_MODEL, shape_t.index, "output_shape differs from the output tensor");
    }
    TML_ENSURE(ctx, filter.dims[0] == out.dims[3] && filter.dims[3] == in.dims[3] && in.dims[0] == out.dims[0],
        TML_ERR_BAD_MODEL, filter.index, "filter does not match input/output channels");
    if (tml_present(&bias)) {
        TML_ENSURE(ctx, bias.type == (is_int8 ? TML_TYPE_INT32 : TML_TYPE_FLOAT32) &&
            tml_num_elements(&bias) == out.dims[3], TML_ERR_UNSUPPORTED_TYPE, bias.index,
            "bias must be int32 (int8) or float32, one per output channel");
    }
    int padding = tml_opt_u8(ctx, node, TML_TRANSPOSE_CONV_OPTIONS_PADDING, 0);
    int32_t sw = tml_opt_i32(ctx, node, TML_TRANSPOSE_CONV_OPTIONS_STRIDE_W, 1);
    int32_t sh = tml_opt_i32(ctx, node, TML_TRANSPOSE_CONV_OPTIONS_STRIDE_H, 1);
    int act = tml_opt_u8(ctx, node, TML_TRANSPOSE_CONV_OPTIONS_FUSED_ACTIVATION_FUNCTION, 0);
    TML_ENSURE(ctx, sw > 0 && sh > 0, TML_ERR_BAD_MODEL, -1, "bad stride");
    TML_ENSURE(ctx, act <= TML_ACT_RELU6, TML_ERR_UNSUPPORTED_TYPE, -1, "unsupported fused activation");
    int32_t channels = out.dims[3];
    int scratch = -1;
    if (is_int8) {
        TML_ENSURE(ctx, in.scale > 0.0f && out.scale > 0.0f, TML_ERR_BAD_MODEL, out.index, "int8 tensors must be quantised");
        TML_ENSURE(ctx, filter.num_channels == 1 || (filter.num_channels == channels && filter.quantized_dimension == 0),
            TML_ERR_BAD_MODEL, filter.index, "filter scales do not match the output channels");
        TML_TRY(tml_request_scratch(ctx, node, (size_t)tml_num_elements(&out) * sizeof(int32_t), &scratch));
    }
    tconv_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d + (is_int8 ? 2 * sizeof(int32_t) * (size_t)channels : 0));
    for (int i = 0; i < 4; i++) {
        d->g.in_dims[i] = in.dims[i];
        d->g.filter_dims[i] = filter.dims[i];
        d->g.out_dims[i] = out.dims[i];
    }
    // TFLM: ComputePaddingHeightWidth with the transposed conv's *output* as the "input" size.
    d->g.stride_h = sh;
    d->g.stride_w = sw;
    d->g.pad_h = tml_padding(sh, 1, out.dims[1], filter.dims[1], tml_out_size(padding, out.dims[1], filter.dims[1], sh, 1));
    d->g.pad_w = tml_padding(sw, 1, out.dims[2], filter.dims[2], tml_out_size(padding, out.dims[2], filter.dims[2], sw, 1));
    TML_ENSURE(ctx, d->g.pad_h >= 0 && d->g.pad_w >= 0, TML_ERR_BAD_MODEL, filter.index,
        "padding out of range (filter/stride)");
    d->scratch = scratch;
    if (is_int8) {
        d->mult = (int32_t *)(d + 1);
        d->shift = d->mult + channels;
        tml_per_channel_multipliers(&in, &filter, &out, channels, d->mult, d->shift);
        tml_activation_range_quantized(act, out.scale, out.zero_point, -128, 127, &d->act_min, &d->act_max);
    } else {
        tml_activation_range_f32(act, &d->act_min_f, &d->act_max_f);
    }
    node->user_data = d;
    return TML_OK;
}

static tml_status_t tconv_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t filter, in, bias, out;
    const tconv_data_t *d = (const tconv_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 1, &filter));
    TML_TRY(tml_input(ctx, node, 2, &in));
    TML_TRY(tml_input(ctx, node, 3, &bias));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_transpose_conv_s8(&d->g, (const int8_t *)in.data, -in.zero_point, (const int8_t *)filter.data,
            (const int32_t *)bias.data, d->mult, d->shift, out.zero_point, d->act_min, d->act_max,
            (int32_t *)tml_scratch(ctx, node, d->scratch), (int8_t *)out.data);
    } else {
        tml_transpose_conv_f32(&d->g, (const float *)in.data, (const float *)filter.data, (const float *)bias.data,
            d->act_min_f, d->act_max_f, (float *)out.data);
    }
    return TML_OK;
}

const tml_op_t tml_op_transpose_conv = {
    .name = "TRANSPOSE_CONV",
    .builtin_code = TML_BUILTIN_TRANSPOSE_CONV,
    .prepare = tconv_prepare,
    .eval = tconv_eval,
};
