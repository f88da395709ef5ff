// TANH: int8 (output scale 1/128, zero point 0 by construction of the kernel) and float32.
#include "kernels/portable/tml_act.h"
#include "tml_op_extra.h"

static tml_status_t tanh_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_unary_io(ctx, node, TML_BIT(TML_TYPE_INT8) | TML_BIT(TML_TYPE_FLOAT32), &in, &out));
    if (in.type != TML_TYPE_INT8) {
        return TML_OK;
    }
    tml_sigmoid_params_t *p;
    TML_ALLOC_PERSISTENT(ctx, p, sizeof *p);
    tml_sigmoid_params(in.scale, in.zero_point, p);
    node->user_data = p;
    return TML_OK;
}

static tml_status_t tanh_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_tanh_s8((const int8_t *)in.data, (int8_t *)out.data, tml_num_elements(&in),
            (const tml_sigmoid_params_t *)node->user_data);
    } else {
        tml_tanh_f32((const float *)in.data, (float *)out.data, tml_num_elements(&in));
    }
    return TML_OK;
}

const tml_op_t tml_op_tanh = {
    .name = "TANH",
    .builtin_code = TML_BUILTIN_TANH,
    .prepare = tanh_prepare,
    .eval = tanh_eval,
};
