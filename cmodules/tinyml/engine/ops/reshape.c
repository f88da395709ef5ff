// RESHAPE: same bytes, new shape. The output shape comes from the model (static shapes), so
// prepare only checks that the sizes agree; eval copies unless the planner aliased the buffers.
#include <string.h>

#include "tml_op.h"

static tml_status_t reshape_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, in.type == out.type, TML_ERR_BAD_MODEL, out.index, "RESHAPE changes the type");
    TML_ENSURE(ctx, in.bytes == out.bytes, TML_ERR_BAD_MODEL, out.index, "RESHAPE changes the size");
    return TML_OK;
}

static tml_status_t reshape_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.data != out.data) {
        memmove(out.data, in.data, out.bytes);
    }
    return TML_OK;
}

const tml_op_t tml_op_reshape = {
    .name = "RESHAPE",
    .builtin_code = TML_BUILTIN_RESHAPE,
    .prepare = reshape_prepare,
    .eval = reshape_eval,
};
