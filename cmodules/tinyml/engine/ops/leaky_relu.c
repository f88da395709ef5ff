// LEAKY_RELU: int8 with one multiplier per sign of the input; float32.
#include "kernels/portable/tml_act.h"
#include "tml_op_extra.h"

typedef struct {
    tml_leaky_relu_params_t q;
    float alpha;
} leaky_data_t;

static tml_status_t leaky_relu_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_LEAKY_RELU_OPTIONS));
    TML_TRY(tml_unary_io(ctx, node, TML_BIT(TML_TYPE_INT8) | TML_BIT(TML_TYPE_FLOAT32), &in, &out));
    leaky_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    d->alpha = tml_opt_f32(ctx, node, TML_LEAKY_RELU_OPTIONS_ALPHA, 0.0f);
    if (in.type == TML_TYPE_INT8) {
        tml_leaky_relu_params(in.scale, in.zero_point, out.scale, out.zero_point, d->alpha, &d->q);
    }
    node->user_data = d;
    return TML_OK;
}

static tml_status_t leaky_relu_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const leaky_data_t *d = (const leaky_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_leaky_relu_s8((const int8_t *)in.data, (int8_t *)out.data, tml_num_elements(&in), &d->q);
    } else {
        tml_leaky_relu_f32((const float *)in.data, (float *)out.data, tml_num_elements(&in), d->alpha);
    }
    return TML_OK;
}

const tml_op_t tml_op_leaky_relu = {
    .name = "LEAKY_RELU",
    .builtin_code = TML_BUILTIN_LEAKY_RELU,
    .prepare = leaky_relu_prepare,
    .eval = leaky_relu_eval,
};
