// RESIZE_NEAREST_NEIGHBOR (Keras Resizing(interpolation="nearest"), tf.image.resize nearest):
// pure data movement, int8 / int16 / float32.
#include "tml_resize_op.h"

static tml_status_t resize_nn_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return tml_resize_prepare(ctx, node, TML_OPTIONS_RESIZE_NEAREST_NEIGHBOR_OPTIONS,
        TML_RESIZE_NEAREST_NEIGHBOR_OPTIONS_ALIGN_CORNERS, TML_RESIZE_NEAREST_NEIGHBOR_OPTIONS_HALF_PIXEL_CENTERS,
        TML_BIT(TML_TYPE_INT8) | TML_BIT(TML_TYPE_INT16) | TML_BIT(TML_TYPE_FLOAT32));
}

static tml_status_t resize_nn_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_resize_nearest((const tml_resize_params_t *)node->user_data, in.data, tml_type_size(in.type), out.data);
    return TML_OK;
}

const tml_op_t tml_op_resize_nearest_neighbor = {
    .name = "RESIZE_NEAREST_NEIGHBOR",
    .builtin_code = TML_BUILTIN_RESIZE_NEAREST_NEIGHBOR,
    .prepare = resize_nn_prepare,
    .eval = resize_nn_eval,
};
