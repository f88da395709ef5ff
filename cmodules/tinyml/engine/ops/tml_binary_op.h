// Shared prepare/eval of the broadcasting binary ops SUB and MUL (one file each includes this
// with its own kernels): types int8 (requantising), float32 and int32, fused activation.
#ifndef TML_BINARY_OP_H
#define TML_BINARY_OP_H

#include "kernels/portable/tml_binary.h"
#include "tml_op_extra.h"

typedef struct {
    tml_bcast_t bcast;
    tml_arith_params_t q;
    float act_min_f, act_max_f;
} binary_data_t;

typedef void (*tml_binary_params_fn)(float, int32_t, float, int32_t, float, int32_t, tml_arith_params_t *);

static inline tml_status_t tml_binary_prepare(tml_ctx_t *ctx, tml_node_t *node, int options_type, int act_field,
    tml_binary_params_fn params) {
    tml_tensor_t a, b, out;
    TML_TRY(tml_expect_options(ctx, node, options_type));
    TML_TRY(tml_input(ctx, node, 0, &a));
    TML_TRY(tml_input(ctx, node, 1, &b));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&a) && tml_present(&b), TML_ERR_BAD_MODEL, -1, "missing input");
    TML_ENSURE(ctx, a.type == TML_TYPE_INT8 || a.type == TML_TYPE_FLOAT32 || a.type == TML_TYPE_INT32,
        TML_ERR_UNSUPPORTED_TYPE, a.index, "input must be int8, float32 or int32");
    TML_ENSURE(ctx, b.type == a.type, TML_ERR_UNSUPPORTED_TYPE, b.index, "input types differ");
    TML_ENSURE(ctx, out.type == a.type, TML_ERR_UNSUPPORTED_TYPE, out.index, "output type differs from inputs");
    int act = tml_opt_u8(ctx, node, act_field, 0);
    TML_ENSURE(ctx, act <= TML_ACT_RELU6, TML_ERR_UNSUPPORTED_TYPE, -1, "unsupported fused activation");
    binary_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    TML_ENSURE(ctx, tml_bcast_init(&d->bcast, a.dims, a.ndims, b.dims, b.ndims, out.dims, out.ndims) == 0,
        TML_ERR_BAD_MODEL, out.index, "input shapes do not broadcast to the output shape");
    if (a.type == TML_TYPE_INT8) {
        TML_ENSURE(ctx, a.scale > 0.0f && b.scale > 0.0f && out.scale > 0.0f, TML_ERR_BAD_MODEL, out.index,
            "int8 tensors must be quantised");
        params(a.scale, a.zero_point, b.scale, b.zero_point, out.scale, out.zero_point, &d->q);
        tml_activation_range_quantized(act, out.scale, out.zero_point, -128, 127, &d->q.act_min, &d->q.act_max);
    } else {
        tml_activation_range_f32(act, &d->act_min_f, &d->act_max_f);
        // int32: TFLM's CalculateActivationRange<int32_t> (relu: [0, max], relu6: [0, 6]).
        d->q.act_min = act == TML_ACT_NONE ? INT32_MIN : (act == TML_ACT_RELU_N1_TO_1 ? -1 : 0);
        d->q.act_max = act == TML_ACT_RELU6 ? 6 : (act == TML_ACT_RELU_N1_TO_1 ? 1 : INT32_MAX);
    }
    node->user_data = d;
    return TML_OK;
}

#endif
