// HARD_SWISH: int8 in TFLM's int16 fixed point (x * relu6(x + 3) / 6); float32.
#include "kernels/portable/tml_act.h"
#include "tml_op_extra.h"

static tml_status_t hard_swish_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_unary_io(ctx, node, TML_BIT(TML_TYPE_INT8) | TML_BIT(TML_TYPE_FLOAT32), &in, &out));
    if (in.type != TML_TYPE_INT8) {
        return TML_OK;
    }
    tml_hard_swish_params_t *p;
    TML_ALLOC_PERSISTENT(ctx, p, sizeof *p);
    // TFLM fails Prepare too when the output multiplier would need a left shift.
    TML_ENSURE(ctx, tml_hard_swish_params(in.scale, in.zero_point, out.scale, out.zero_point, p) == 0,
        TML_ERR_BAD_MODEL, out.index, "HARD_SWISH output scale too small for the input scale");
    node->user_data = p;
    return TML_OK;
}

static tml_status_t hard_swish_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_hard_swish_s8((const int8_t *)in.data, (int8_t *)out.data, tml_num_elements(&in),
            (const tml_hard_swish_params_t *)node->user_data);
    } else {
        tml_hard_swish_f32((const float *)in.data, (float *)out.data, tml_num_elements(&in));
    }
    return TML_OK;
}

const tml_op_t tml_op_hard_swish = {
    .name = "HARD_SWISH",
    .builtin_code = TML_BUILTIN_HARD_SWISH,
    .prepare = hard_swish_prepare,
    .eval = hard_swish_eval,
};
