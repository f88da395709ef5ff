// UNPACK: one output per index along `axis`, which the outputs drop (unrolled RNNs unpack the
// time steps with it).
#include "tml_split_op.h"

static tml_status_t unpack_run(tml_ctx_t *ctx, tml_node_t *node, int do_copy) {
    tml_tensor_t in;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_ENSURE(ctx, tml_present(&in) && tml_type_size(in.type) > 0, TML_ERR_UNSUPPORTED_TYPE, in.index,
        "unsupported element type");
    int axis = tml_opt_i32(ctx, node, TML_UNPACK_OPTIONS_AXIS, 0);
    int32_t outer = 1, inner[SPLIT_MAX_OUTPUTS];
    void *data[SPLIT_MAX_OUTPUTS];
    int n_out = 0;
    TML_TRY(tml_split_layout(ctx, node, &in, axis, 1, &outer, inner, data, &n_out));
    if (do_copy) {
        tml_split(in.data, outer, data, inner, n_out, tml_type_size(in.type));
    }
    return TML_OK;
}

static tml_status_t unpack_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_UNPACK_OPTIONS));
    return unpack_run(ctx, node, 0);
}

static tml_status_t unpack_eval(tml_ctx_t *ctx, tml_node_t *node) {
    return unpack_run(ctx, node, 1);
}

const tml_op_t tml_op_unpack = {
    .name = "UNPACK",
    .builtin_code = TML_BUILTIN_UNPACK,
    .prepare = unpack_prepare,
    .eval = unpack_eval,
};
