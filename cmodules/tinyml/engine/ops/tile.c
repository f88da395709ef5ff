// TILE (Keras 3's UpSampling1D/2D lower to it). Not in TFLM's op set: checked against the
// TFLite interpreter instead; pure data movement, any element type.
#include "kernels/portable/tml_shape_ops.h"
#include "tml_op_extra.h"

typedef struct {
    int32_t multiples[TML_SHAPE_MAX_DIMS];
} tile_data_t;

static tml_status_t tile_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, mult_t, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &mult_t));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in) && tml_type_size(in.type) > 0, TML_ERR_UNSUPPORTED_TYPE, in.index,
        "unsupported element type");
    TML_ENSURE(ctx, out.type == in.type, TML_ERR_UNSUPPORTED_TYPE, out.index, "output type differs from input");
    int32_t m[TML_SHAPE_MAX_DIMS];
    int n = 0;
    TML_TRY(tml_const_ints(ctx, &mult_t, m, TML_SHAPE_MAX_DIMS, &n));
    TML_ENSURE(ctx, n == in.ndims && out.ndims == in.ndims, TML_ERR_BAD_MODEL, mult_t.index,
        "multiples length is not the rank");
    for (int d = 0; d < n; d++) {
        TML_ENSURE(ctx, m[d] >= 0 && out.dims[d] == in.dims[d] * m[d], TML_ERR_BAD_MODEL, out.index,
            "output shape is not input shape * multiples");
    }
    if (in.type == TML_TYPE_INT8) {
        TML_ENSURE(ctx, in.scale == out.scale && in.zero_point == out.zero_point, TML_ERR_BAD_MODEL, out.index,
            "int8 TILE needs equal input and output quantisation");
    }
    tile_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    memcpy(d->multiples, m, sizeof m);
    node->user_data = d;
    return TML_OK;
}

static tml_status_t tile_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const tile_data_t *d = (const tile_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_tile(in.data, in.dims, in.ndims, d->multiples, tml_type_size(in.type), out.data);
    return TML_OK;
}

const tml_op_t tml_op_tile = {
    .name = "TILE",
    .builtin_code = TML_BUILTIN_TILE,
    .prepare = tile_prepare,
    .eval = tile_eval,
};
