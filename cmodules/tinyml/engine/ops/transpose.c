// TRANSPOSE by a constant permutation, up to 6 dimensions; any element type.
#include "kernels/portable/tml_shape_ops.h"
#include "tml_op_extra.h"

typedef struct {
    int32_t perm[TML_SHAPE_MAX_DIMS];
} transpose_data_t;

static tml_status_t transpose_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, perm_t, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &perm_t));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in) && tml_type_size(in.type) > 0, TML_ERR_UNSUPPORTED_TYPE, in.index,
        "unsupported element type");
    TML_ENSURE(ctx, out.type == in.type, TML_ERR_UNSUPPORTED_TYPE, out.index, "output type differs from input");
    int32_t perm[TML_SHAPE_MAX_DIMS];
    int n = 0;
    TML_TRY(tml_const_ints(ctx, &perm_t, perm, TML_SHAPE_MAX_DIMS, &n));
    TML_ENSURE(ctx, n == in.ndims && out.ndims == in.ndims, TML_ERR_BAD_MODEL, perm_t.index,
        "permutation length is not the rank");
    int seen = 0;
    for (int d = 0; d < n; d++) {
        TML_ENSURE(ctx, perm[d] >= 0 && perm[d] < n && !((seen >> perm[d]) & 1), TML_ERR_BAD_MODEL, perm_t.index,
            "not a permutation");
        seen |= 1 << perm[d];
        TML_ENSURE(ctx, out.dims[d] == in.dims[perm[d]], TML_ERR_BAD_MODEL, out.index,
            "output shape is not the permuted input shape");
    }
    transpose_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    memcpy(d->perm, perm, sizeof perm);
    node->user_data = d;
    return TML_OK;
}

static tml_status_t transpose_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const transpose_data_t *d = (const transpose_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_transpose(in.data, in.dims, in.ndims, d->perm, tml_type_size(in.type), out.data);
    return TML_OK;
}

const tml_op_t tml_op_transpose = {
    .name = "TRANSPOSE",
    .builtin_code = TML_BUILTIN_TRANSPOSE,
    .prepare = transpose_prepare,
    .eval = transpose_eval,
};
