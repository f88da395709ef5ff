// RELU6: TFLM's int8 path clamps to [zp, q(6)] in the *input* quantisation, without rescaling
// (the converter gives input and output the same parameters).
#include "kernels/portable/tml_act.h"
#include "tml_op_extra.h"

typedef struct {
    int8_t lower, upper;
} relu6_data_t;

static tml_status_t relu6_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_unary_io(ctx, node, TML_BIT(TML_TYPE_INT8) | TML_BIT(TML_TYPE_FLOAT32), &in, &out));
    if (in.type != TML_TYPE_INT8) {
        return TML_OK;
    }
    relu6_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    tml_relu6_bounds(in.scale, in.zero_point, &d->lower, &d->upper);
    node->user_data = d;
    return TML_OK;
}

static tml_status_t relu6_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        const relu6_data_t *d = (const relu6_data_t *)node->user_data;
        tml_relu6_s8((const int8_t *)in.data, (int8_t *)out.data, tml_num_elements(&in), d->lower, d->upper);
    } else {
        tml_relu6_f32((const float *)in.data, (float *)out.data, tml_num_elements(&in));
    }
    return TML_OK;
}

const tml_op_t tml_op_relu6 = {
    .name = "RELU6",
    .builtin_code = TML_BUILTIN_RELU6,
    .prepare = relu6_prepare,
    .eval = relu6_eval,
};
