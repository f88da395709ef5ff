// CONCATENATION along any axis; any element type. int8 inputs must share the output's
// quantisation (TFLM's restriction: it copies bytes, never rescales).
#include "kernels/portable/tml_shape_ops.h"
#include "tml_op_extra.h"

#define CONCAT_MAX_INPUTS 16

// Outer block count and each input's run length; validates shapes against the output.
static tml_status_t concat_layout(tml_ctx_t *ctx, tml_node_t *node, int *n_in, int32_t *outer, int32_t *inner,
    const void **data, tml_tensor_t *out) {
    TML_TRY(tml_output(ctx, node, 0, out));
    int n = tml_num_inputs(ctx, node);
    TML_ENSURE(ctx, n >= 1 && n <= CONCAT_MAX_INPUTS, TML_ERR_UNSUPPORTED_TYPE, -1, "1 to 16 inputs supported");
    int axis = tml_opt_i32(ctx, node, TML_CONCATENATION_OPTIONS_AXIS, 0);
    axis = axis < 0 ? axis + out->ndims : axis;
    TML_ENSURE(ctx, axis >= 0 && axis < out->ndims, TML_ERR_BAD_MODEL, out->index, "axis out of range");
    int32_t axis_sum = 0;
    *outer = 1;
    for (int d = 0; d < axis; d++) {
        *outer *= out->dims[d];
    }
    for (int k = 0; k < n; k++) {
        tml_tensor_t in;
        TML_TRY(tml_input(ctx, node, k, &in));
        TML_ENSURE(ctx, tml_present(&in) && in.type == out->type, TML_ERR_UNSUPPORTED_TYPE, in.index,
            "input type differs from output");
        TML_ENSURE(ctx, in.ndims == out->ndims, TML_ERR_BAD_MODEL, in.index, "input rank differs from output");
        int32_t run = 1;
        for (int d = 0; d < in.ndims; d++) {
            TML_ENSURE(ctx, d == axis || in.dims[d] == out->dims[d], TML_ERR_BAD_MODEL, in.index,
                "input shape does not fit the output");
            run *= d >= axis ? in.dims[d] : 1;
        }
        if (in.type == TML_TYPE_INT8) {
            TML_ENSURE(ctx, in.scale == out->scale && in.zero_point == out->zero_point, TML_ERR_BAD_MODEL, in.index,
                "int8 inputs must share the output quantisation");
        }
        axis_sum += in.dims[axis];
        inner[k] = run;
        data[k] = in.data;
    }
    TML_ENSURE(ctx, axis_sum == out->dims[axis], TML_ERR_BAD_MODEL, out->index, "inputs do not add up to the output");
    *n_in = n;
    return TML_OK;
}

static tml_status_t concat_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    int n = 0;
    int32_t outer = 1, inner[CONCAT_MAX_INPUTS];
    const void *data[CONCAT_MAX_INPUTS];
    tml_tensor_t out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_CONCATENATION_OPTIONS));
    int act = tml_opt_u8(ctx, node, TML_CONCATENATION_OPTIONS_FUSED_ACTIVATION_FUNCTION, 0);
    TML_ENSURE(ctx, act == TML_ACT_NONE, TML_ERR_UNSUPPORTED_TYPE, -1, "fused activation not supported");
    TML_TRY(concat_layout(ctx, node, &n, &outer, inner, data, &out));
    TML_ENSURE(ctx, tml_type_size(out.type) > 0, TML_ERR_UNSUPPORTED_TYPE, out.index, "unsupported element type");
    return TML_OK;
}

static tml_status_t concat_eval(tml_ctx_t *ctx, tml_node_t *node) {
    int n = 0;
    int32_t outer = 1, inner[CONCAT_MAX_INPUTS];
    const void *data[CONCAT_MAX_INPUTS];
    tml_tensor_t out;
    TML_TRY(concat_layout(ctx, node, &n, &outer, inner, data, &out));
    tml_concat(data, inner, n, outer, tml_type_size(out.type), out.data);
    return TML_OK;
}

const tml_op_t tml_op_concatenation = {
    .name = "CONCATENATION",
    .builtin_code = TML_BUILTIN_CONCATENATION,
    .prepare = concat_prepare,
    .eval = concat_eval,
};
