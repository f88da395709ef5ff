// DEQUANTIZE: int8/int16/uint8 -> float32, (float)(double(scale) * (q - zero_point)).
#include "kernels/portable/tml_quantize.h"
#include "tml_op_extra.h"

static tml_status_t dequantize_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in), TML_ERR_BAD_MODEL, -1, "missing input");
    TML_ENSURE(ctx, in.type == TML_TYPE_INT8 || in.type == TML_TYPE_INT16 || in.type == TML_TYPE_UINT8,
        TML_ERR_UNSUPPORTED_TYPE, in.index, "input must be int8, int16 or uint8");
    TML_ENSURE(ctx, out.type == TML_TYPE_FLOAT32, TML_ERR_UNSUPPORTED_TYPE, out.index, "output must be float32");
    TML_ENSURE(ctx, tml_num_elements(&in) == tml_num_elements(&out), TML_ERR_BAD_MODEL, out.index,
        "output size differs from input");
    return TML_OK;
}

static tml_status_t dequantize_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_dequantize(in.data, in.type, (float *)out.data, tml_num_elements(&in), in.scale, in.zero_point);
    return TML_OK;
}

const tml_op_t tml_op_dequantize = {
    .name = "DEQUANTIZE",
    .builtin_code = TML_BUILTIN_DEQUANTIZE,
    .prepare = dequantize_prepare,
    .eval = dequantize_eval,
};
