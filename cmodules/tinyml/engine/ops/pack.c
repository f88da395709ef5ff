// PACK: stacks N equal-shaped inputs along a new axis (the converter emits it for shape
// arithmetic on int32 and for tf.stack); any element type, bytes copied.
#include "kernels/portable/tml_shape_ops.h"
#include "tml_op_extra.h"

#define PACK_MAX_INPUTS 16

static tml_status_t pack_layout(tml_ctx_t *ctx, tml_node_t *node, int *n_in, int32_t *outer, int32_t *inner,
    const void **data, tml_tensor_t *out) {
    TML_TRY(tml_output(ctx, node, 0, out));
    int n = tml_num_inputs(ctx, node);
    TML_ENSURE(ctx, n >= 1 && n <= PACK_MAX_INPUTS, TML_ERR_UNSUPPORTED_TYPE, -1, "1 to 16 inputs supported");
    int axis = tml_opt_i32(ctx, node, TML_PACK_OPTIONS_AXIS, 0);
    axis = axis < 0 ? axis + out->ndims : axis;
    TML_ENSURE(ctx, axis >= 0 && axis < out->ndims && out->dims[axis] == n, TML_ERR_BAD_MODEL, out->index,
        "axis does not match the output");
    for (int k = 0; k < n; k++) {
        tml_tensor_t in;
        TML_TRY(tml_input(ctx, node, k, &in));
        TML_ENSURE(ctx, tml_present(&in) && in.type == out->type, TML_ERR_UNSUPPORTED_TYPE, in.index,
            "input type differs from output");
        TML_ENSURE(ctx, in.ndims + 1 == out->ndims, TML_ERR_BAD_MODEL, in.index, "input rank must be output rank - 1");
        int32_t o = 1, run = 1;
        for (int d = 0; d < in.ndims; d++) {
            TML_ENSURE(ctx, in.dims[d] == out->dims[d < axis ? d : d + 1], TML_ERR_BAD_MODEL, in.index,
                "input shape does not fit the output");
            if (d < axis) {
                o *= in.dims[d];
            } else {
                run *= in.dims[d];
            }
        }
        if (in.type == TML_TYPE_INT8) {
            TML_ENSURE(ctx, in.scale == out->scale && in.zero_point == out->zero_point, TML_ERR_BAD_MODEL, in.index,
                "int8 inputs must share the output quantisation");
        }
        *outer = o;
        inner[k] = run;
        data[k] = in.data;
    }
    *n_in = n;
    return TML_OK;
}

static tml_status_t pack_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    int n = 0;
    int32_t outer = 1, inner[PACK_MAX_INPUTS];
    const void *data[PACK_MAX_INPUTS];
    tml_tensor_t out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_PACK_OPTIONS));
    TML_TRY(pack_layout(ctx, node, &n, &outer, inner, data, &out));
    TML_ENSURE(ctx, tml_type_size(out.type) > 0, TML_ERR_UNSUPPORTED_TYPE, out.index, "unsupported element type");
    return TML_OK;
}

static tml_status_t pack_eval(tml_ctx_t *ctx, tml_node_t *node) {
    int n = 0;
    int32_t outer = 1, inner[PACK_MAX_INPUTS];
    const void *data[PACK_MAX_INPUTS];
    tml_tensor_t out;
    TML_TRY(pack_layout(ctx, node, &n, &outer, inner, data, &out));
    tml_concat(data, inner, n, outer, tml_type_size(out.type), out.data);
    return TML_OK;
}

const tml_op_t tml_op_pack = {
    .name = "PACK",
    .builtin_code = TML_BUILTIN_PACK,
    .prepare = pack_prepare,
    .eval = pack_eval,
};
