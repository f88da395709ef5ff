// MAX_POOL_2D, int8.
#include "pool_common.h"

static tml_status_t max_pool_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    tml_shape4_t is, os;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_shape4(&in, &is);
    tml_shape4(&out, &os);
    tml_max_pool_s8((const tml_pool_params_t *)node->user_data, &is, (const int8_t *)in.data, &os, (int8_t *)out.data);
    return TML_OK;
}

const tml_op_t tml_op_max_pool_2d = {
    .name = "MAX_POOL_2D",
    .builtin_code = TML_BUILTIN_MAX_POOL_2D,
    .prepare = tml_pool_prepare,
    .eval = max_pool_eval,
};
