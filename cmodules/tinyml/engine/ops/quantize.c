// QUANTIZE: float32 -> int8/int16/uint8, and requantisation between int8, int16 and uint8
// (the converter emits int8 -> int8 where two quantisations meet, e.g. before CONCATENATION).
#include "kernels/portable/tml_quantize.h"
#include "tml_op_extra.h"

static int is_int_q(int type) {
    return type == TML_TYPE_INT8 || type == TML_TYPE_INT16 || type == TML_TYPE_UINT8;
}

static tml_status_t quantize_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in), TML_ERR_BAD_MODEL, -1, "missing input");
    TML_ENSURE(ctx, in.type == TML_TYPE_FLOAT32 || is_int_q(in.type), TML_ERR_UNSUPPORTED_TYPE, in.index,
        "input must be float32, int8, int16 or uint8");
    TML_ENSURE(ctx, is_int_q(out.type), TML_ERR_UNSUPPORTED_TYPE, out.index, "output must be int8, int16 or uint8");
    TML_ENSURE(ctx, tml_num_elements(&in) == tml_num_elements(&out), TML_ERR_BAD_MODEL, out.index,
        "output size differs from input");
    TML_ENSURE(ctx, out.scale > 0.0f && (in.type == TML_TYPE_FLOAT32 || in.scale > 0.0f), TML_ERR_BAD_MODEL, out.index,
        "tensors must be quantised");
    if (in.type == TML_TYPE_FLOAT32) {
        return TML_OK;
    }
    tml_requant_params_t *p;
    TML_ALLOC_PERSISTENT(ctx, p, sizeof *p);
    tml_requant_params(in.scale, in.zero_point, out.scale, out.zero_point, p);
    node->user_data = p;
    return TML_OK;
}

static tml_status_t quantize_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_FLOAT32) {
        tml_affine_quantize_f32((const float *)in.data, out.data, tml_num_elements(&in), out.scale, out.zero_point,
            out.type);
    } else {
        tml_requantize(in.data, in.type, out.data, out.type, tml_num_elements(&in),
            (const tml_requant_params_t *)node->user_data);
    }
    return TML_OK;
}

const tml_op_t tml_op_quantize = {
    .name = "QUANTIZE",
    .builtin_code = TML_BUILTIN_QUANTIZE,
    .prepare = quantize_prepare,
    .eval = quantize_eval,
};
