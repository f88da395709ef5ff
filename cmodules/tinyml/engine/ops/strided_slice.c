// STRIDED_SLICE with constant begin/end/strides, begin/end/shrink-axis masks, negative strides;
// any element type. Ellipsis and new-axis masks and `offset` are refused (the converter folds
// them away for the models this engine targets).
#include "kernels/portable/tml_shape_ops.h"
#include "tml_op_extra.h"

typedef struct {
    int32_t start[TML_SHAPE_MAX_DIMS], stop[TML_SHAPE_MAX_DIMS], stride[TML_SHAPE_MAX_DIMS];
} ss_data_t;

static tml_status_t strided_slice_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, tb, te, ts, out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_STRIDED_SLICE_OPTIONS));
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &tb));
    TML_TRY(tml_input(ctx, node, 2, &te));
    TML_TRY(tml_input(ctx, node, 3, &ts));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in) && tml_type_size(in.type) > 0, TML_ERR_UNSUPPORTED_TYPE, in.index,
        "unsupported element type");
    TML_ENSURE(ctx, out.type == in.type, TML_ERR_UNSUPPORTED_TYPE, out.index, "output type differs from input");
    TML_ENSURE(ctx, in.ndims <= TML_SHAPE_MAX_DIMS, TML_ERR_UNSUPPORTED_TYPE, in.index, "more than 6 dimensions");
    int begin_mask = tml_opt_i32(ctx, node, TML_STRIDED_SLICE_OPTIONS_BEGIN_MASK, 0);
    int end_mask = tml_opt_i32(ctx, node, TML_STRIDED_SLICE_OPTIONS_END_MASK, 0);
    int ellipsis = tml_opt_i32(ctx, node, TML_STRIDED_SLICE_OPTIONS_ELLIPSIS_MASK, 0);
    int new_axis = tml_opt_i32(ctx, node, TML_STRIDED_SLICE_OPTIONS_NEW_AXIS_MASK, 0);
    int shrink = tml_opt_i32(ctx, node, TML_STRIDED_SLICE_OPTIONS_SHRINK_AXIS_MASK, 0);
    int offset = tml_opt_u8(ctx, node, TML_STRIDED_SLICE_OPTIONS_OFFSET, 0);
    TML_ENSURE(ctx, ellipsis == 0 && new_axis == 0 && offset == 0, TML_ERR_UNSUPPORTED_TYPE, -1,
        "ellipsis/new-axis masks and offset are not supported");
    int32_t b[TML_SHAPE_MAX_DIMS], e[TML_SHAPE_MAX_DIMS], s[TML_SHAPE_MAX_DIMS];
    int nb = 0, ne = 0, ns = 0;
    TML_TRY(tml_const_ints(ctx, &tb, b, TML_SHAPE_MAX_DIMS, &nb));
    TML_TRY(tml_const_ints(ctx, &te, e, TML_SHAPE_MAX_DIMS, &ne));
    TML_TRY(tml_const_ints(ctx, &ts, s, TML_SHAPE_MAX_DIMS, &ns));
    TML_ENSURE(ctx, nb == ne && nb == ns && nb <= in.ndims, TML_ERR_BAD_MODEL, tb.index,
        "begin/end/strides lengths differ or exceed the rank");
    ss_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    int32_t total = 1;
    for (int i = 0; i < in.ndims; i++) {
        // Axes past the given indices are taken whole.
        int32_t stride = i < nb ? s[i] : 1;
        TML_ENSURE(ctx, stride != 0, TML_ERR_BAD_MODEL, ts.index, "stride 0");
        int bm = i < nb ? (begin_mask >> i) & 1 : 1;
        int em = i < nb ? (end_mask >> i) & 1 : 1;
        int sh = i < nb ? (shrink >> i) & 1 : 0;
        d->stride[i] = stride;
        d->start[i] = tml_ss_start(i < nb ? b[i] : 0, stride, in.dims[i], bm);
        d->stop[i] = tml_ss_stop(i < nb ? e[i] : 0, stride, in.dims[i], d->start[i], em, sh);
        total *= tml_ss_count(d->start[i], d->stop[i], stride);
    }
    TML_ENSURE(ctx, total == tml_num_elements(&out), TML_ERR_BAD_MODEL, out.index,
        "slice size does not match the output");
    node->user_data = d;
    return TML_OK;
}

static tml_status_t strided_slice_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const ss_data_t *d = (const ss_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_strided_slice(in.data, in.dims, in.ndims, d->start, d->stop, d->stride, tml_type_size(in.type), out.data);
    return TML_OK;
}

const tml_op_t tml_op_strided_slice = {
    .name = "STRIDED_SLICE",
    .builtin_code = TML_BUILTIN_STRIDED_SLICE,
    .prepare = strided_slice_prepare,
    .eval = strided_slice_eval,
};
