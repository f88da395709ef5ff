// SPACE_TO_BATCH_ND: the converter wraps dilated convolutions in it (dilation -> batch).
// Padding uses the output zero point for int8 (TFLM memsets its low byte), 0 otherwise.
#include "tml_space_batch_op.h"

static tml_status_t space_to_batch_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return tml_space_batch_prepare(ctx, node, 1);
}

static tml_status_t space_to_batch_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const space_batch_data_t *d = (const space_batch_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_space_to_batch(in.data, d->in_dims, d->out_dims, d->block_h, d->block_w, d->pad_top, d->pad_left,
        d->pad_byte, tml_type_size(in.type), out.data);
    return TML_OK;
}

const tml_op_t tml_op_space_to_batch_nd = {
    .name = "SPACE_TO_BATCH_ND",
    .builtin_code = TML_BUILTIN_SPACE_TO_BATCH_ND,
    .prepare = space_to_batch_prepare,
    .eval = space_to_batch_eval,
};
