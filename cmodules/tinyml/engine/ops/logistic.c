// LOGISTIC: int8 (TFLM requires output zero point -128, scale 1/256) and float32.
#include "kernels/portable/tml_act.h"
#include "tml_op_extra.h"

static tml_status_t logistic_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_unary_io(ctx, node, TML_BIT(TML_TYPE_INT8) | TML_BIT(TML_TYPE_FLOAT32), &in, &out));
    if (in.type != TML_TYPE_INT8) {
        return TML_OK;
    }
    TML_ENSURE(ctx, out.zero_point == -128, TML_ERR_BAD_MODEL, out.index, "LOGISTIC int8 output zero point must be -128");
    tml_sigmoid_params_t *p;
    TML_ALLOC_PERSISTENT(ctx, p, sizeof *p);
    tml_sigmoid_params(in.scale, in.zero_point, p);
    node->user_data = p;
    return TML_OK;
}

static tml_status_t logistic_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_logistic_s8((const int8_t *)in.data, (int8_t *)out.data, tml_num_elements(&in),
            (const tml_sigmoid_params_t *)node->user_data);
    } else {
        tml_logistic_f32((const float *)in.data, (float *)out.data, tml_num_elements(&in));
    }
    return TML_OK;
}

const tml_op_t tml_op_logistic = {
    .name = "LOGISTIC",
    .builtin_code = TML_BUILTIN_LOGISTIC,
    .prepare = logistic_prepare,
    .eval = logistic_eval,
};
