// Shared prepare of MEAN and REDUCE_MAX: the axis tensor (constant) becomes a bit mask.
#ifndef TML_REDUCE_OP_H
#define TML_REDUCE_OP_H

#include "kernels/portable/tml_reduce.h"
#include "tml_op_extra.h"

typedef struct {
    tml_mean_params_t q;
    int32_t mask;
    int scratch;  // MEAN int8: int32 sums
} reduce_data_t;

static inline tml_status_t tml_reduce_prepare(tml_ctx_t *ctx, tml_node_t *node, int is_mean) {
    tml_tensor_t in, axis, out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_REDUCER_OPTIONS));
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &axis));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in), TML_ERR_BAD_MODEL, -1, "missing input");
    TML_ENSURE(ctx, in.type == TML_TYPE_INT8 || in.type == TML_TYPE_FLOAT32, TML_ERR_UNSUPPORTED_TYPE, in.index,
        "input must be int8 or float32");
    TML_ENSURE(ctx, out.type == in.type, TML_ERR_UNSUPPORTED_TYPE, out.index, "output type differs from input");
    TML_ENSURE(ctx, in.ndims <= TML_REDUCE_MAX_DIMS, TML_ERR_UNSUPPORTED_TYPE, in.index, "input has too many dimensions");
    int32_t axes[2 * TML_REDUCE_MAX_DIMS];
    int n_axes = 0;
    TML_TRY(tml_const_ints(ctx, &axis, axes, 2 * TML_REDUCE_MAX_DIMS, &n_axes));
    int32_t mask = tml_reduce_axes(axes, n_axes, in.ndims);
    TML_ENSURE(ctx, mask >= 0, TML_ERR_BAD_MODEL, axis.index, "axis out of range");
    int32_t nout = tml_reduce_out_count(in.dims, in.ndims, mask);
    TML_ENSURE(ctx, nout == tml_num_elements(&out), TML_ERR_BAD_MODEL, out.index, "output size does not match the axes");
    if (in.type == TML_TYPE_INT8) {
        TML_ENSURE(ctx, in.scale > 0.0f && out.scale > 0.0f, TML_ERR_BAD_MODEL, out.index, "int8 tensors must be quantised");
        if (!is_mean) {
            // TFLM's REDUCE_MAX int8 does no requantisation and checks for it.
            TML_ENSURE(ctx, in.scale == out.scale && in.zero_point == out.zero_point, TML_ERR_BAD_MODEL, out.index,
                "REDUCE_MAX int8 needs equal input and output quantisation");
        }
    }
    int scratch = -1;
    if (is_mean && in.type == TML_TYPE_INT8) {
        TML_TRY(tml_request_scratch(ctx, node, (size_t)nout * sizeof(int32_t), &scratch));
    }
    reduce_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    d->mask = mask;
    d->scratch = scratch;
    if (in.type == TML_TYPE_INT8) {
        tml_mean_s8_params(in.scale, in.zero_point, out.scale, out.zero_point, &d->q);
    }
    node->user_data = d;
    return TML_OK;
}

#endif
