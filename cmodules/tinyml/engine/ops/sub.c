// SUB: broadcasting a - b; int8 rescales both inputs to twice the larger scale first (as ADD).
#include "tml_binary_op.h"

static tml_status_t sub_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return tml_binary_prepare(ctx, node, TML_OPTIONS_SUB_OPTIONS, TML_SUB_OPTIONS_FUSED_ACTIVATION_FUNCTION,
        tml_sub_s8_params);
}

static tml_status_t sub_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t a, b, out;
    const binary_data_t *d = (const binary_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &a));
    TML_TRY(tml_input(ctx, node, 1, &b));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (a.type == TML_TYPE_INT8) {
        tml_sub_s8(&d->bcast, (const int8_t *)a.data, (const int8_t *)b.data, (int8_t *)out.data, &d->q);
    } else if (a.type == TML_TYPE_FLOAT32) {
        tml_sub_f32(&d->bcast, (const float *)a.data, (const float *)b.data, (float *)out.data, d->act_min_f,
            d->act_max_f);
    } else {
        tml_sub_i32(&d->bcast, (const int32_t *)a.data, (const int32_t *)b.data, (int32_t *)out.data, d->q.act_min,
            d->q.act_max);
    }
    return TML_OK;
}

const tml_op_t tml_op_sub = {
    .name = "SUB",
    .builtin_code = TML_BUILTIN_SUB,
    .prepare = sub_prepare,
    .eval = sub_eval,
};
