// RELU: int8 requantises input -> output and clamps at the output's zero; float32 max(0, x).
#include "kernels/portable/tml_act.h"
#include "tml_op_extra.h"

static tml_status_t relu_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_unary_io(ctx, node, TML_BIT(TML_TYPE_INT8) | TML_BIT(TML_TYPE_FLOAT32), &in, &out));
    if (in.type != TML_TYPE_INT8) {
        return TML_OK;
    }
    tml_relu_params_t *p;
    TML_ALLOC_PERSISTENT(ctx, p, sizeof *p);
    tml_relu_params(in.scale, in.zero_point, out.scale, out.zero_point, p);
    node->user_data = p;
    return TML_OK;
}

static tml_status_t relu_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_relu_s8((const int8_t *)in.data, (int8_t *)out.data, tml_num_elements(&in),
            (const tml_relu_params_t *)node->user_data);
    } else {
        tml_relu_f32((const float *)in.data, (float *)out.data, tml_num_elements(&in));
    }
    return TML_OK;
}

const tml_op_t tml_op_relu = {
    .name = "RELU",
    .builtin_code = TML_BUILTIN_RELU,
    .prepare = relu_prepare,
    .eval = relu_eval,
};
