// The helpers of the op interface (tml_op.h): tensors, options, scratch and errors of a node.
#include <string.h>

#include "tml_interpreter.h"

static tml_status_t node_operator(tml_ctx_t *ctx, const tml_node_t *node, tml_fb_table_t *op) {
    return tml_fb_table_at(&ctx->model.fb, node->table, op);
}

static int node_count(tml_ctx_t *ctx, const tml_node_t *node, int which) {
    tml_fb_table_t op;
    tml_fb_vec_t v;
    if (node_operator(ctx, node, &op) != TML_OK || tml_model_op_tensors(&ctx->model, &op, which, &v) != TML_OK) {
        return 0;
    }
    return (int)v.count;
}

int tml_num_inputs(tml_ctx_t *ctx, const tml_node_t *node) {
    return node_count(ctx, node, 0);
}

int tml_num_outputs(tml_ctx_t *ctx, const tml_node_t *node) {
    return node_count(ctx, node, 1);
}

static tml_status_t node_tensor(tml_ctx_t *ctx, const tml_node_t *node, int which, int i, tml_tensor_t *t) {
    tml_fb_table_t op;
    tml_fb_vec_t v;
    memset(t, 0, sizeof *t);
    t->index = -1;
    if (node_operator(ctx, node, &op) != TML_OK || tml_model_op_tensors(&ctx->model, &op, which, &v) != TML_OK) {
        return tml_fail(ctx, TML_ERR_MALFORMED, -1, "bad operator table");
    }
    if (i < 0 || (uint32_t)i >= v.count) {
        return which ? tml_fail(ctx, TML_ERR_BAD_MODEL, -1, "operator has too few outputs") : TML_OK;
    }
    int32_t index = tml_model_vec_i32(&ctx->model, &v, (uint32_t)i);
    if (index < 0) {
        return TML_OK;  // optional input left out
    }
    tml_status_t s = tml_model_tensor(&ctx->model, index, t, &ctx->error);
    if (s != TML_OK) {
        ctx->error.op_index = ctx->current_op;
        return s;
    }
    if (ctx->tensor_data != NULL && ctx->tensor_data[index] != NULL) {
        t->data = ctx->tensor_data[index];
    }
    return TML_OK;
}

tml_status_t tml_input(tml_ctx_t *ctx, const tml_node_t *node, int i, tml_tensor_t *t) {
    return node_tensor(ctx, node, 0, i, t);
}

tml_status_t tml_output(tml_ctx_t *ctx, const tml_node_t *node, int i, tml_tensor_t *t) {
    return node_tensor(ctx, node, 1, i, t);
}

int32_t tml_num_elements(const tml_tensor_t *t) {
    int32_t n = 1;
    for (int d = 0; d < t->ndims; d++) {
        n *= t->dims[d];
    }
    return n;
}

int32_t tml_dim(const tml_tensor_t *t, int i) {
    if (i < 0) {
        i += t->ndims;
    }
    return (i >= 0 && i < t->ndims) ? t->dims[i] : 1;
}

float tml_channel_scale(const tml_tensor_t *t, int32_t channel) {
    if (t->channel_scales == NULL) {
        return 0.0f;
    }
    if (channel < 0 || channel >= t->num_channels) {
        channel = 0;  // per-tensor quantisation broadcasts along the channels
    }
    return tml_load_f32(t->channel_scales + 4 * channel);
}

int32_t tml_channel_zero_point(const tml_tensor_t *t, int32_t channel) {
    if (t->channel_zero_points == NULL) {
        return 0;
    }
    if (channel < 0 || channel >= t->num_channels) {
        channel = 0;
    }
    return (int32_t)tml_load_u64(t->channel_zero_points + 8 * channel);
}

// ---- options ----

static int node_options(tml_ctx_t *ctx, const tml_node_t *node, tml_fb_table_t *options) {
    tml_fb_table_t op;
    int present = 0;
    if (node_operator(ctx, node, &op) != TML_OK ||
        tml_fb_table_field(&ctx->model.fb, &op, TML_OPERATOR_BUILTIN_OPTIONS, options, &present) != TML_OK) {
        return 0;
    }
    return present;
}

tml_status_t tml_expect_options(tml_ctx_t *ctx, const tml_node_t *node, int options_type) {
    tml_fb_table_t options;
    if (node_options(ctx, node, &options) && node->options_type != options_type) {
        ctx->error.offset = options.pos;
        return tml_fail(ctx, TML_ERR_MALFORMED, -1, "builtin options of the wrong type");
    }
    return TML_OK;
}

int32_t tml_opt_int(tml_ctx_t *ctx, const tml_node_t *node, int field, int size, int32_t dflt) {
    tml_fb_table_t options;
    tml_status_t s = TML_OK;
    if (!node_options(ctx, node, &options)) {
        return dflt;
    }
    int32_t v = tml_fb_int_field(&ctx->model.fb, &options, field, size, dflt, &s);
    return s == TML_OK ? v : dflt;
}

float tml_opt_f32(tml_ctx_t *ctx, const tml_node_t *node, int field, float dflt) {
    tml_fb_table_t options;
    tml_status_t s = TML_OK;
    if (!node_options(ctx, node, &options)) {
        return dflt;
    }
    float v = tml_fb_f32_field(&ctx->model.fb, &options, field, dflt, &s);
    return s == TML_OK ? v : dflt;
}

int tml_opt_vec_i32(tml_ctx_t *ctx, const tml_node_t *node, int field, int32_t *out, int max) {
    tml_fb_table_t options;
    tml_fb_vec_t v;
    int present;
    if (!node_options(ctx, node, &options) ||
        tml_fb_vec_field(&ctx->model.fb, &options, field, 4, &v, &present) != TML_OK || !present) {
        return -1;
    }
    for (uint32_t i = 0; i < v.count && (int)i < max; i++) {
        out[i] = tml_model_vec_i32(&ctx->model, &v, i);
    }
    return (int)v.count;
}

// ---- scratch ----

tml_status_t tml_request_scratch(tml_ctx_t *ctx, tml_node_t *node, size_t bytes, int *handle) {
    if (node->num_scratch >= TML_MAX_SCRATCH || bytes > 0x7fffffffu) {
        return tml_fail(ctx, TML_ERR_BAD_MODEL, -1, "too many or too large scratch buffers");
    }
    node->scratch[node->num_scratch] = (uint32_t)bytes;
    *handle = node->num_scratch++;
    return TML_OK;
}

void *tml_scratch(tml_ctx_t *ctx, const tml_node_t *node, int handle) {
    if (handle < 0 || handle >= node->num_scratch || ctx->planned == NULL) {
        return NULL;
    }
    return ctx->planned + node->scratch[handle];
}

// ---- errors ----

tml_status_t tml_fail(tml_ctx_t *ctx, tml_status_t status, int32_t tensor_index, const char *reason) {
    uint32_t offset = ctx->error.offset;
    ctx->error.status = status;
    ctx->error.op_index = ctx->current_op;
    ctx->error.builtin_code = ctx->current_op >= 0 ? tml_op_builtin(ctx, (uint32_t)ctx->current_op) : -1;
    ctx->error.tensor_index = tensor_index;
    ctx->error.offset = offset;
    ctx->error.reason = reason;
    return status;
}
