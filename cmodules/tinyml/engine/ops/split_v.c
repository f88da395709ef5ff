// SPLIT_V: parts of given sizes (input 1, constant; the output shapes carry them) along a
// constant axis (input 2).
#include "tml_split_op.h"

static tml_status_t split_v_run(tml_ctx_t *ctx, tml_node_t *node, int do_copy) {
    tml_tensor_t in, axis_t;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 2, &axis_t));
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

static tml_status_t split_v_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return split_v_run(ctx, node, 0);
}

static tml_status_t split_v_eval(tml_ctx_t *ctx, tml_node_t *node) {
    return split_v_run(ctx, node, 1);
}

const tml_op_t tml_op_split_v = {
    .name = "SPLIT_V",
    .builtin_code = TML_BUILTIN_SPLIT_V,
    .prepare = split_v_prepare,
    .eval = split_v_eval,
};
