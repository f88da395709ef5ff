// SPLIT into equal parts along a constant axis (input 0 is the axis, input 1 the data); the
// converter uses it in unrolled LSTM/GRU cells to cut the gate pre-activations apart.
#include "tml_split_op.h"

static tml_status_t split_run(tml_ctx_t *ctx, tml_node_t *node, int do_copy) {
    tml_tensor_t axis_t, in;
    TML_TRY(tml_input(ctx, node, 0, &axis_t));
    TML_TRY(tml_input(ctx, node, 1, &in));
    TML_ENSURE(ctx, tml_present(&in) && tml_type_size(in.type) > 0, TML_ERR_UNSUPPORTED_TYPE, in.index,
        "unsupported element type");
    int32_t axis = 0;
    int n = 0;
    TML_TRY(tml_const_ints(ctx, &axis_t, &axis, 1, &n));
    TML_ENSURE(ctx, n == 1, TML_ERR_BAD_MODEL, axis_t.index, "axis must be one value");
    int32_t outer = 1, inner[SPLIT_MAX_OUTPUTS];
    void *data[SPLIT_MAX_OUTPUTS];
    int n_out = 0;
    TML_TRY(tml_split_layout(ctx, node, &in, axis, 0, &outer, inner, data, &n_out));
    if (do_copy) {
        tml_split(in.data, outer, data, inner, n_out, tml_type_size(in.type));
    }
    return TML_OK;
}

static tml_status_t split_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return split_run(ctx, node, 0);
}

static tml_status_t split_eval(tml_ctx_t *ctx, tml_node_t *node) {
    return split_run(ctx, node, 1);
}

const tml_op_t tml_op_split = {
    .name = "SPLIT",
    .builtin_code = TML_BUILTIN_SPLIT,
    .prepare = split_prepare,
    .eval = split_eval,
};
