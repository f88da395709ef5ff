// MEAN over any axes (GlobalAveragePooling emits it with axes [1, 2], keep_dims or not).
// int8: one path for all axes and quantisations, TFLite's integer QuantizedMeanOrSum (1/count
// folded into the requantising multiplier), as TFLM runs it. float32: sum in input order, divide.
#include "tml_reduce_op.h"

static tml_status_t mean_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return tml_reduce_prepare(ctx, node, 1);
}

static tml_status_t mean_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const reduce_data_t *d = (const reduce_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_mean_s8((const int8_t *)in.data, in.dims, in.ndims, d->mask, (int8_t *)out.data,
            (int32_t *)tml_scratch(ctx, node, d->scratch), &d->q);
    } else {
        tml_mean_f32((const float *)in.data, in.dims, in.ndims, d->mask, (float *)out.data);
    }
    return TML_OK;
}

const tml_op_t tml_op_mean = {
    .name = "MEAN",
    .builtin_code = TML_BUILTIN_MEAN,
    .prepare = mean_prepare,
    .eval = mean_eval,
};
