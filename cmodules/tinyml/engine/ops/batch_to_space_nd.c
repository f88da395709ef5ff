// BATCH_TO_SPACE_ND: the inverse of SPACE_TO_BATCH_ND after a dilated convolution; crops.
#include "tml_space_batch_op.h"

static tml_status_t batch_to_space_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return tml_space_batch_prepare(ctx, node, 0);
}

static tml_status_t batch_to_space_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const space_batch_data_t *d = (const space_batch_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_batch_to_space(in.data, d->in_dims, d->out_dims, d->block_h, d->block_w, d->pad_top, d->pad_left,
        tml_type_size(in.type), out.data);
    return TML_OK;
}

const tml_op_t tml_op_batch_to_space_nd = {
    .name = "BATCH_TO_SPACE_ND",
    .builtin_code = TML_BUILTIN_BATCH_TO_SPACE_ND,
    .prepare = batch_to_space_prepare,
    .eval = batch_to_space_eval,
};
