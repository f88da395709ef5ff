// REDUCE_MAX over any axes (GlobalMaxPooling1D/2D emit it); int8 (same quantisation in and
// out) and float32.
#include "tml_reduce_op.h"

static tml_status_t reduce_max_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return tml_reduce_prepare(ctx, node, 0);
}

static tml_status_t reduce_max_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const reduce_data_t *d = (const reduce_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_reduce_max_s8((const int8_t *)in.data, in.dims, in.ndims, d->mask, (int8_t *)out.data);
    } else {
        tml_reduce_max_f32((const float *)in.data, in.dims, in.ndims, d->mask, (float *)out.data);
    }
    return TML_OK;
}

const tml_op_t tml_op_reduce_max = {
    .name = "REDUCE_MAX",
    .builtin_code = TML_BUILTIN_REDUCE_MAX,
    .prepare = reduce_max_prepare,
    .eval = reduce_max_eval,
};
