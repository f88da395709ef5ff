// ADD: int8 (TFLM's general rescaling path) and float32, with numpy broadcasting up to 6-D.
#include "tml_op_util.h"

typedef struct {
    tml_add_params_t q;
    float act_min, act_max;
    int32_t broadcast;
    int32_t shape1[TML_BROADCAST_DIMS], shape2[TML_BROADCAST_DIMS], out_shape[TML_BROADCAST_DIMS];
} add_data_t;

// Right-align a shape into 6 dims padded with leading 1s.
static void pad_shape(const tml_tensor_t *t, int32_t *shape) {
    int lead = TML_BROADCAST_DIMS - t->ndims;
    for (int d = 0; d < TML_BROADCAST_DIMS; d++) {
        shape[d] = d < lead ? 1 : t->dims[d - lead];
    }
}

static tml_status_t add_quantized(tml_ctx_t *ctx, const tml_tensor_t *a, const tml_tensor_t *b,
    const tml_tensor_t *out, int act, tml_add_params_t *q) {
    TML_ENSURE(ctx, a->scale > 0.0f && b->scale > 0.0f && out->scale > 0.0f, TML_ERR_BAD_MODEL, out->index,
        "ADD operands are not quantised");
    int s1, s2, so;
    q->input1_offset = -a->zero_point;
    q->input2_offset = -b->zero_point;
    q->output_offset = out->zero_point;
    q->left_shift = 20;
    const double twice_max_input_scale = 2 * (double)(a->scale > b->scale ? a->scale : b->scale);
    const double real_input1 = (double)a->scale / twice_max_input_scale;
    const double real_input2 = (double)b->scale / twice_max_input_scale;
    const double real_output = twice_max_input_scale / ((double)(1 << q->left_shift) * (double)out->scale);
    tml_quantize_multiplier(real_input1, &q->input1_multiplier, &s1);
    tml_quantize_multiplier(real_input2, &q->input2_multiplier, &s2);
    tml_quantize_multiplier(real_output, &q->output_multiplier, &so);
    TML_ENSURE(ctx, s1 <= 0 && s2 <= 0 && so <= 0, TML_ERR_BAD_MODEL, out->index, "ADD rescale above one");
    q->input1_shift = s1;
    q->input2_shift = s2;
    q->output_shift = so;
    tml_activation_range_quantized(act, out->scale, out->zero_point, -128, 127, &q->act_min, &q->act_max);
    return TML_OK;
}

static tml_status_t add_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t a, b, out;
    TML_TRY(tml_expect_options(ctx, node, TML_OPTIONS_ADD_OPTIONS));
    TML_TRY(tml_input(ctx, node, 0, &a));
    TML_TRY(tml_input(ctx, node, 1, &b));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&a) && tml_present(&b), TML_ERR_BAD_MODEL, -1, "ADD needs two inputs");
    TML_ENSURE(ctx, out.type == TML_TYPE_INT8 || out.type == TML_TYPE_FLOAT32, TML_ERR_UNSUPPORTED_TYPE, out.index,
        "ADD supports int8 and float32");
    TML_ENSURE(ctx, a.type == out.type, TML_ERR_UNSUPPORTED_TYPE, a.index, "ADD input type differs from output");
    TML_ENSURE(ctx, b.type == out.type, TML_ERR_UNSUPPORTED_TYPE, b.index, "ADD input type differs from output");
    int act = tml_opt_u8(ctx, node, TML_ADD_OPTIONS_FUSED_ACTIVATION_FUNCTION, 0);
    TML_ENSURE(ctx, act <= TML_ACT_RELU6, TML_ERR_UNSUPPORTED_TYPE, -1, "unsupported fused activation");
    add_data_t d;
    pad_shape(&a, d.shape1);
    pad_shape(&b, d.shape2);
    pad_shape(&out, d.out_shape);
    d.broadcast = 0;
    for (int i = 0; i < TML_BROADCAST_DIMS; i++) {
        int32_t x = d.shape1[i], y = d.shape2[i];
        int32_t want = x == 1 ? y : x;
        TML_ENSURE(ctx, (x == y || x == 1 || y == 1) && d.out_shape[i] == want, TML_ERR_BAD_MODEL, out.index,
            "ADD shapes do not broadcast to the output");
        d.broadcast |= x != y;
    }
    if (out.type == TML_TYPE_INT8) {
        TML_TRY(add_quantized(ctx, &a, &b, &out, act, &d.q));
    } else {
        tml_activation_range_f32(act, &d.act_min, &d.act_max);
    }
    add_data_t *p;
    TML_ALLOC_PERSISTENT(ctx, p, sizeof *p);
    *p = d;
    node->user_data = p;
    return TML_OK;
}

static tml_status_t add_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t a, b, out;
    const add_data_t *d = (const add_data_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &a));
    TML_TRY(tml_input(ctx, node, 1, &b));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (out.type == TML_TYPE_INT8) {
        if (d->broadcast) {
            tml_broadcast_add_s8(&d->q, d->shape1, (const int8_t *)a.data, d->shape2, (const int8_t *)b.data,
                d->out_shape, (int8_t *)out.data);
        } else {
            tml_add_s8(&d->q, tml_num_elements(&out), (const int8_t *)a.data, (const int8_t *)b.data, (int8_t *)out.data);
        }
    } else if (d->broadcast) {
        tml_broadcast_add_f32(d->act_min, d->act_max, d->shape1, (const float *)a.data, d->shape2,
            (const float *)b.data, d->out_shape, (float *)out.data);
    } else {
        tml_add_f32(d->act_min, d->act_max, tml_num_elements(&out), (const float *)a.data, (const float *)b.data,
            (float *)out.data);
    }
    return TML_OK;
}

const tml_op_t tml_op_add = {
    .name = "ADD",
    .builtin_code = TML_BUILTIN_ADD,
    .prepare = add_prepare,
    .eval = add_eval,
};
