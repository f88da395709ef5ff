// PAD and PADV2 (TFLM pad.cc holds both): constant padding of up to 6 dimensions. The pad
// value is the output zero point (int8 PAD), 0 (float/int32 PAD) or PADV2's constant input,
// which for int8 must share the output quantisation.
#include "kernels/portable/tml_shape_ops.h"
#include "tml_op_extra.h"

typedef struct {
    int32_t pads[2 * TML_SHAPE_MAX_DIMS];
    uint8_t value[8];  // one element of the output type
} pad_data_t;

static tml_status_t pad_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, paddings, cval, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &paddings));
    TML_TRY(tml_input(ctx, node, 2, &cval));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in), TML_ERR_BAD_MODEL, -1, "missing input");
    size_t esize = tml_type_size(in.type);
    TML_ENSURE(ctx, esize > 0 && esize <= 8, TML_ERR_UNSUPPORTED_TYPE, in.index, "unsupported element type");
    TML_ENSURE(ctx, out.type == in.type, TML_ERR_UNSUPPORTED_TYPE, out.index, "output type differs from input");
    TML_ENSURE(ctx, in.ndims == out.ndims && in.ndims <= TML_SHAPE_MAX_DIMS, TML_ERR_BAD_MODEL, out.index,
        "rank mismatch or more than 6 dimensions");
    int32_t pads[2 * TML_SHAPE_MAX_DIMS];
    int n = 0;
    TML_TRY(tml_const_ints(ctx, &paddings, pads, 2 * TML_SHAPE_MAX_DIMS, &n));
    TML_ENSURE(ctx, n == 2 * in.ndims, TML_ERR_BAD_MODEL, paddings.index, "paddings must be [rank, 2]");
    for (int d = 0; d < in.ndims; d++) {
        TML_ENSURE(ctx, pads[2 * d] >= 0 && pads[2 * d + 1] >= 0 &&
            pads[2 * d] + in.dims[d] + pads[2 * d + 1] == out.dims[d], TML_ERR_BAD_MODEL, out.index,
            "paddings do not give the output shape");
    }
    if (tml_present(&cval)) {
        TML_ENSURE(ctx, cval.type == in.type && tml_num_elements(&cval) == 1, TML_ERR_BAD_MODEL, cval.index,
            "constant value must be one element of the input type");
        TML_ENSURE(ctx, cval.is_const, TML_ERR_UNSUPPORTED_TYPE, cval.index, "constant value must be constant");
        if (in.type == TML_TYPE_INT8) {
            TML_ENSURE(ctx, cval.scale == out.scale && cval.zero_point == out.zero_point, TML_ERR_BAD_MODEL,
                cval.index, "constant value must share the output quantisation");
        }
    }
    pad_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    memcpy(d->pads, pads, sizeof pads);
    memset(d->value, 0, sizeof d->value);
    if (tml_present(&cval)) {
        memcpy(d->value, cval.data, esize);
    } else if (in.type == TML_TYPE_INT8) {
        d->value[0] = (uint8_t)(int8_t)out.zero_point;
    } else if (in.type == TML_TYPE_INT16) {
        int16_t z = (int16_t)out.zero_point;
        memcpy(d->value, &z, 2);
    } else if (in.type == TML_TYPE_UINT8) {
        d->value[0] = (uint8_t)out.zero_point;
    }
    node->user_data = d;
    return TML_OK;
}

static tml_status_t pad_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const pad_data_t *d = (const pad_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_pad(in.data, in.dims, in.ndims, d->pads, d->value, tml_type_size(in.type), out.data);
    return TML_OK;
}

const tml_op_t tml_op_pad = {
    .name = "PAD",
    .builtin_code = TML_BUILTIN_PAD,
    .prepare = pad_prepare,
    .eval = pad_eval,
};

const tml_op_t tml_op_padv2 = {
    .name = "PADV2",
    .builtin_code = TML_BUILTIN_PADV2,
    .prepare = pad_prepare,
    .eval = pad_eval,
};
