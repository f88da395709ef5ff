// Shared layout code of SPLIT, SPLIT_V and UNPACK: the input is cut along `axis` into the
// outputs (bytes copied; int8 outputs must share the input quantisation, as the converter makes
// them).
#ifndef TML_SPLIT_OP_H
#define TML_SPLIT_OP_H

#include "kernels/portable/tml_shape_ops.h"
#include "tml_op_extra.h"

#define SPLIT_MAX_OUTPUTS 16

// Validates and computes outer/inner; `unpack` outputs drop the axis, split outputs keep it.
static inline tml_status_t tml_split_layout(tml_ctx_t *ctx, tml_node_t *node, const tml_tensor_t *in, int axis,
    int unpack, int32_t *outer, int32_t *inner, void **data, int *n_out) {
    int n = tml_num_outputs(ctx, node);
    TML_ENSURE(ctx, n >= 1 && n <= SPLIT_MAX_OUTPUTS, TML_ERR_UNSUPPORTED_TYPE, -1, "1 to 16 outputs supported");
    axis = axis < 0 ? axis + in->ndims : axis;
    TML_ENSURE(ctx, axis >= 0 && axis < in->ndims, TML_ERR_BAD_MODEL, in->index, "axis out of range");
    int32_t o = 1, after = 1, total = 0;
    for (int d = 0; d < in->ndims; d++) {
        if (d < axis) {
            o *= in->dims[d];
        } else if (d > axis) {
            after *= in->dims[d];
        }
    }
    for (int k = 0; k < n; k++) {
        tml_tensor_t out;
        TML_TRY(tml_output(ctx, node, k, &out));
        TML_ENSURE(ctx, out.type == in->type, TML_ERR_UNSUPPORTED_TYPE, out.index, "output type differs from input");
        if (in->type == TML_TYPE_INT8) {
            TML_ENSURE(ctx, out.scale == in->scale && out.zero_point == in->zero_point, TML_ERR_BAD_MODEL, out.index,
                "int8 outputs must share the input quantisation");
        }
        int32_t len = unpack ? 1 : (out.ndims == in->ndims ? out.dims[axis] : -1);
        TML_ENSURE(ctx, len >= 0 && tml_num_elements(&out) == o * len * after, TML_ERR_BAD_MODEL, out.index,
            "output shape does not fit the input");
        inner[k] = len * after;
        data[k] = out.data;
        total += len;
    }
    TML_ENSURE(ctx, total == in->dims[axis], TML_ERR_BAD_MODEL, in->index, "outputs do not add up to the input");
    *outer = o;
    *n_out = n;
    return TML_OK;
}

#endif
