// Helpers shared by the op files of the "extra" ops (activations, SUB/MUL, reductions, data
// movement, (de)quantisation, TRANSPOSE_CONV): reading small constant parameter tensors and the
// checks every element-wise op repeats.
#ifndef TML_OP_EXTRA_H
#define TML_OP_EXTRA_H

#include <string.h>

#include "tml_op_util.h"

// Read a constant int32 or int64 tensor (axis lists, paddings, perms...) into out[max].
// TFLM reads these in Prepare too, so a non-constant one is an unsupported model.
static inline tml_status_t tml_const_ints(tml_ctx_t *ctx, const tml_tensor_t *t, int32_t *out, int max, int *count) {
    TML_ENSURE(ctx, tml_present(t) && t->is_const && t->data != NULL, TML_ERR_UNSUPPORTED_TYPE, t->index,
        "parameter tensor must be constant");
    int32_t n = tml_num_elements(t);
    TML_ENSURE(ctx, n >= 0 && n <= max, TML_ERR_BAD_MODEL, t->index, "parameter tensor too large");
    if (t->type == TML_TYPE_INT32) {
        memcpy(out, t->data, (size_t)n * sizeof(int32_t));
    } else if (t->type == TML_TYPE_INT64) {
        for (int32_t i = 0; i < n; i++) {
            int64_t v;
            memcpy(&v, (const uint8_t *)t->data + 8 * i, 8);
            TML_ENSURE(ctx, v >= INT32_MIN && v <= INT32_MAX, TML_ERR_BAD_MODEL, t->index, "parameter out of range");
            out[i] = (int32_t)v;
        }
    } else {
        return tml_fail(ctx, TML_ERR_UNSUPPORTED_TYPE, t->index, "parameter tensor must be int32 or int64");
    }
    *count = (int)n;
    return TML_OK;
}

// Input 0 and output 0 of a one-in-one-out element-wise op, checked: same type (one of the
// `types` bit mask, bit = TML_TYPE_*), same element count.
static inline tml_status_t tml_unary_io(tml_ctx_t *ctx, const tml_node_t *node, uint32_t types, tml_tensor_t *in,
    tml_tensor_t *out) {
    TML_TRY(tml_input(ctx, node, 0, in));
    TML_TRY(tml_output(ctx, node, 0, out));
    TML_ENSURE(ctx, tml_present(in), TML_ERR_BAD_MODEL, -1, "missing input");
    TML_ENSURE(ctx, in->type < 32 && ((types >> in->type) & 1), TML_ERR_UNSUPPORTED_TYPE, in->index,
        "input type not supported by this op");
    TML_ENSURE(ctx, out->type == in->type, TML_ERR_UNSUPPORTED_TYPE, out->index, "output type differs from input");
    TML_ENSURE(ctx, tml_num_elements(in) == tml_num_elements(out), TML_ERR_BAD_MODEL, out->index,
        "output size differs from input");
    if (in->type == TML_TYPE_INT8) {
        TML_ENSURE(ctx, in->scale > 0.0f, TML_ERR_BAD_MODEL, in->index, "int8 input is not quantised");
        TML_ENSURE(ctx, out->scale > 0.0f, TML_ERR_BAD_MODEL, out->index, "int8 output is not quantised");
    }
    return TML_OK;
}

#define TML_BIT(type) (1u << (type))

// Same bytes, new shape (SQUEEZE, EXPAND_DIMS): copy unless the planner aliased the buffers.
static inline tml_status_t tml_copy_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.data != out.data) {
        memmove(out.data, in.data, out.bytes);
    }
    return TML_OK;
}

static inline tml_status_t tml_copy_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in), TML_ERR_BAD_MODEL, -1, "missing input");
    TML_ENSURE(ctx, in.type == out.type, TML_ERR_BAD_MODEL, out.index, "output type differs from input");
    TML_ENSURE(ctx, in.bytes == out.bytes, TML_ERR_BAD_MODEL, out.index, "output size differs from input");
    return TML_OK;
}

#endif
