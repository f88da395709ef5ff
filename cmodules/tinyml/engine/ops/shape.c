// SHAPE: the input's dimensions as an int32 or int64 vector (the converter emits it for
// dynamic-batch reshapes; with static shapes the answer is known, but the op must still run).
#include "tml_op_extra.h"

static tml_status_t shape_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in), TML_ERR_BAD_MODEL, -1, "missing input");
    TML_ENSURE(ctx, out.type == TML_TYPE_INT32 || out.type == TML_TYPE_INT64, TML_ERR_UNSUPPORTED_TYPE, out.index,
        "output must be int32 or int64");
    TML_ENSURE(ctx, tml_num_elements(&out) == in.ndims, TML_ERR_BAD_MODEL, out.index, "output length is not the rank");
    return TML_OK;
}

static tml_status_t shape_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    for (int d = 0; d < in.ndims; d++) {
        if (out.type == TML_TYPE_INT32) {
            ((int32_t *)out.data)[d] = in.dims[d];
        } else {
            int64_t v = in.dims[d];
            memcpy((uint8_t *)out.data + 8 * d, &v, 8);
        }
    }
    return TML_OK;
}

const tml_op_t tml_op_shape = {
    .name = "SHAPE",
    .builtin_code = TML_BUILTIN_SHAPE,
    .prepare = shape_prepare,
    .eval = shape_eval,
};
