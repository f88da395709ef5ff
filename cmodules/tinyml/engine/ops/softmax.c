// SOFTMAX int8 -> int8 (output scale 1/256, zero point -128), TFLM's fixed-point exp path.
#include "tml_op_util.h"

#define SCALED_DIFF_INTEGER_BITS 5

typedef struct {
    tml_softmax_params_t p;
    int32_t outer, depth;
} softmax_data_t;

static tml_status_t softmax_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_SOFTMAX_OPTIONS));
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, in.type == TML_TYPE_INT8, TML_ERR_UNSUPPORTED_TYPE, in.index, "SOFTMAX input must be int8");
    TML_ENSURE(ctx, out.type == TML_TYPE_INT8, TML_ERR_UNSUPPORTED_TYPE, out.index, "SOFTMAX output must be int8");
    TML_ENSURE(ctx, in.ndims >= 1 && in.bytes == out.bytes, TML_ERR_BAD_MODEL, out.index, "SOFTMAX shapes differ");
    TML_ENSURE(ctx, out.zero_point == -128 && out.scale > 0.00390624f && out.scale < 0.00390626f, TML_ERR_BAD_MODEL,
        out.index, "SOFTMAX int8 output must have scale 1/256 and zero point -128");
    float beta = tml_opt_f32(ctx, node, TML_SOFTMAX_OPTIONS_BETA, 0.0f);
    softmax_data_t *d;
    TML_ALLOC_PERSISTENT(ctx, d, sizeof *d);
    node->user_data = d;
    d->depth = tml_dim(&in, -1);
    d->outer = d->depth ? tml_num_elements(&in) / d->depth : 0;
    // TFLM PreprocessSoftmaxScaling and CalculateInputRadius, in double.
    double real = (double)beta * (double)in.scale * (double)(1 << (31 - SCALED_DIFF_INTEGER_BITS));
    if (!(real <= (double)INT32_MAX) || real < -(double)INT32_MAX) {  // also NaN and -huge (corrupt beta/scale)
        real = (double)INT32_MAX;
    }
    int shift;
    tml_quantize_multiplier(real, &d->p.input_multiplier, &shift);
    TML_ENSURE(ctx, shift >= 0, TML_ERR_BAD_MODEL, in.index, "SOFTMAX beta * input scale too small");
    d->p.input_left_shift = shift;
    double max_input_rescaled = (double)((1 << SCALED_DIFF_INTEGER_BITS) - 1) *
        (double)((int64_t)1 << (31 - SCALED_DIFF_INTEGER_BITS)) / (double)((int64_t)1 << shift);
    d->p.diff_min = -(int32_t)max_input_rescaled;  // floor of a positive value
    return TML_OK;
}

static tml_status_t softmax_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const softmax_data_t *d = (const softmax_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    tml_softmax_s8(&d->p, d->outer, d->depth, (const int8_t *)in.data, (int8_t *)out.data);
    return TML_OK;
}

const tml_op_t tml_op_softmax = {
    .name = "SOFTMAX",
    .builtin_code = TML_BUILTIN_SOFTMAX,
    .prepare = softmax_prepare,
    .eval = softmax_eval,
};
