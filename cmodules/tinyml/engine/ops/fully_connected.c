// FULLY_CONNECTED: int8 (per-tensor or per-channel filter, int32 bias) and float32.
// The output shape (keep_num_dims or not) comes from the model; batches = output / units.
#include "tml_op_util.h"

typedef struct {
    tml_fc_params_t q;
    float act_min, act_max;
    int32_t batches, accum_depth, units;
} fc_data_t;

static tml_status_t fc_check(tml_ctx_t *ctx, const tml_tensor_t *in, const tml_tensor_t *filter,
    const tml_tensor_t *bias, const tml_tensor_t *out) {
    int is_int8 = in->type == TML_TYPE_INT8;
    TML_ENSURE(ctx, is_int8 || in->type == TML_TYPE_FLOAT32, TML_ERR_UNSUPPORTED_TYPE, in->index,
        "input must be int8 or float32");
    TML_ENSURE(ctx, filter->type == in->type, TML_ERR_UNSUPPORTED_TYPE, filter->index, "filter type differs from input");
    TML_ENSURE(ctx, out->type == in->type, TML_ERR_UNSUPPORTED_TYPE, out->index, "output type differs from input");
    TML_ENSURE(ctx, filter->ndims == 2, TML_ERR_BAD_MODEL, filter->index, "filter must be 2-D");
    if (tml_present(bias)) {
        TML_ENSURE(ctx, bias->type == (is_int8 ? TML_TYPE_INT32 : TML_TYPE_FLOAT32), TML_ERR_UNSUPPORTED_TYPE,
            bias->index, "bias must be int32 (int8) or float32");
        TML_ENSURE(ctx, tml_num_elements(bias) == filter->dims[0], TML_ERR_BAD_MODEL, bias->index,
            "bias size is not the number of units");
    }
    if (is_int8) {
        TML_ENSURE(ctx, in->scale > 0.0f && out->scale > 0.0f, TML_ERR_BAD_MODEL, out->index, "not quantised");
        TML_ENSURE(ctx, filter->num_channels == 1 || filter->num_channels == filter->dims[0], TML_ERR_BAD_MODEL,
            filter->index, "filter scales do not match the units");
    }
    return TML_OK;
}

static tml_status_t fc_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, filter, bias, out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_FULLY_CONNECTED_OPTIONS));
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &filter));
    TML_TRY(tml_input(ctx, node, 2, &bias));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in) && tml_present(&filter), TML_ERR_BAD_MODEL, -1, "missing input or filter");
    TML_TRY(fc_check(ctx, &in, &filter, &bias, &out));
    int act = tml_opt_u8(ctx, node, TML_FULLY_CONNECTED_OPTIONS_FUSED_ACTIVATION_FUNCTION, 0);
    int format = tml_opt_u8(ctx, node, TML_FULLY_CONNECTED_OPTIONS_WEIGHTS_FORMAT, 0);
    TML_ENSURE(ctx, act <= TML_ACT_RELU6, TML_ERR_UNSUPPORTED_TYPE, -1, "unsupported fused activation");
    TML_ENSURE(ctx, format == 0, TML_ERR_UNSUPPORTED_TYPE, filter.index, "shuffled weights are not supported");
    int32_t units = filter.dims[0];
    int32_t accum_depth = filter.dims[1];
    int32_t out_elements = tml_num_elements(&out);
    TML_ENSURE(ctx, units > 0 && accum_depth > 0 && tml_dim(&out, -1) == units && out_elements % units == 0,
        TML_ERR_BAD_MODEL, out.index, "output size is not a multiple of the units");
    int32_t batches = out_elements / units;
    TML_ENSURE(ctx, (int64_t)tml_num_elements(&in) == (int64_t)batches * accum_depth, TML_ERR_BAD_MODEL, in.index,
        "input size is not batches x filter depth");

    int per_channel = in.type == TML_TYPE_INT8 && filter.num_channels > 1;
    int32_t channels = per_channel ? units : 1;
    fc_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof(fc_data_t) + (sizeof(int32_t) + sizeof(int8_t)) * (size_t)channels);
    node->user_data = d;
    d->batches = batches;
    d->accum_depth = accum_depth;
    d->units = units;
    if (in.type == TML_TYPE_FLOAT32) {
        tml_activation_range_f32(act, &d->act_min, &d->act_max);
        return TML_OK;
    }
    int32_t *mult = (int32_t *)(d + 1);
    int8_t *shift = (int8_t *)(mult + channels);
    if (per_channel) {
        tml_per_channel_multipliers_s8(&in, &filter, &out, channels, mult, shift);
    } else {
        // TFLM GetQuantizedConvolutionMultipler: the scale product is taken in float.
        double real = (double)(in.scale * filter.scale) / (double)out.scale;
        int s;
        tml_quantize_multiplier(real, &mult[0], &s);
        shift[0] = (int8_t)(s > 31 ? 31 : (s < -31 ? -31 : s));
    }
    d->q.multiplier = mult;
    d->q.shift = shift;
    d->q.per_channel = per_channel;
    d->q.input_offset = -in.zero_point;
    d->q.filter_offset = -filter.zero_point;
    d->q.output_offset = out.zero_point;
    tml_activation_range_quantized(act, out.scale, out.zero_point, -128, 127, &d->q.act_min, &d->q.act_max);
    return TML_OK;
}

static tml_status_t fc_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, filter, bias, out;
    const fc_data_t *d = (const fc_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &filter));
    TML_TRY(tml_input(ctx, node, 2, &bias));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_fully_connected_s8(&d->q, d->batches, d->accum_depth, d->units, (const int8_t *)in.data,
            (const int8_t *)filter.data, (const int32_t *)bias.data, (int8_t *)out.data);
    } else {
        tml_fully_connected_f32(d->act_min, d->act_max, d->batches, d->accum_depth, d->units,
            (const float *)in.data, (const float *)filter.data, (const float *)bias.data, (float *)out.data);
    }
    return TML_OK;
}

const tml_op_t tml_op_fully_connected = {
    .name = "FULLY_CONNECTED",
    .builtin_code = TML_BUILTIN_FULLY_CONNECTED,
    .prepare = fc_prepare,
    .eval = fc_eval,
};
