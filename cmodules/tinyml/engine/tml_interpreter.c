// Model validation, the sizing pass, allocation and invoke; see tml_interpreter.h.
#include "tml_interpreter.h"

#include <string.h>

#include "tml_planner.h"

static size_t align16(size_t n) {
    return (n + 15u) & ~(size_t)15u;
}

static tml_status_t fail_at(tml_interpreter_t *it, tml_status_t s, int32_t op, const char *reason) {
    it->error.status = s;
    it->error.op_index = op;
    it->error.builtin_code = op >= 0 ? tml_op_builtin(it, (uint32_t)op) : -1;
    it->error.tensor_index = -1;
    it->error.offset = 0;
    it->error.reason = reason;
    return s;
}

static void clear_error(tml_interpreter_t *it) {
    memset(&it->error, 0, sizeof it->error);
    it->error.op_index = -1;
    it->error.builtin_code = -1;
    it->error.tensor_index = -1;
}

tml_status_t tml_init(tml_interpreter_t *it, const uint8_t *model, size_t len) {
    memset(it, 0, sizeof *it);
    clear_error(it);
    it->current_op = -1;
    tml_status_t s = tml_model_init(&it->model, model, len, &it->error);
    if (s != TML_OK) {
        return s;
    }
    it->num_tensors = (uint16_t)it->model.tensors.count;
    it->num_nodes = (uint16_t)it->model.operators.count;
    for (uint32_t i = 0; i < it->num_nodes; i++) {
        int32_t code = tml_op_builtin(it, i);
        if (tml_find_op(code) == NULL) {
            return fail_at(it, TML_ERR_UNSUPPORTED_OP, (int32_t)i, "operator not supported");
        }
    }
    it->state = TML_STATE_INIT;
    return TML_OK;
}

static size_t max_plan_buffers(const tml_interpreter_t *it) {
    return (size_t)it->num_tensors + (size_t)it->num_nodes * TML_MAX_SCRATCH;
}

static size_t head_bytes(const tml_interpreter_t *it) {
    return align16(it->num_tensors * sizeof(void *)) + align16(it->num_nodes * sizeof(tml_node_t));
}

size_t tml_plan_workspace(const tml_interpreter_t *it) {
    return head_bytes(it) + align16(max_plan_buffers(it) * sizeof(tml_plan_buf_t)) + TML_ALIGN;
}

size_t tml_arena_needed(const tml_interpreter_t *it) {
    return it->arena_needed;
}

void tml_arena_usage(const tml_interpreter_t *it, size_t *head, size_t *persistent, size_t *tensors) {
    *head = it->head_bytes;
    *persistent = it->persistent_bytes;
    *tensors = it->arena_needed - it->head_bytes - it->persistent_bytes;
}

// ---- the allocation pass (sizing or real) ----

void *tml_alloc_persistent(tml_ctx_t *ctx, size_t bytes) {
    size_t n = align16(bytes);
    if (ctx->sizing) {
        ctx->persistent_used += n;
        return NULL;
    }
    if (ctx->head_bytes + ctx->persistent_used + n > ctx->len) {
        tml_fail(ctx, TML_ERR_ARENA, -1, "arena too small for persistent data");
        return NULL;
    }
    void *p = ctx->base + ctx->head_bytes + ctx->persistent_used;
    ctx->persistent_used += n;
    return p;
}

int tml_sizing(const tml_ctx_t *ctx) {
    return ctx->sizing;
}

// Const data the kernels would read misaligned, and variable tensors, live in persistent memory.
static tml_status_t place_special_tensors(tml_interpreter_t *it) {
    for (uint32_t i = 0; i < it->num_tensors; i++) {
        tml_tensor_t t;
        TML_TRY(tml_model_tensor(&it->model, (int32_t)i, &t, &it->error));
        size_t elem = tml_type_size(t.type);
        int misaligned = t.is_const && ((uintptr_t)t.data % elem) != 0;
        if (!misaligned && !(t.is_variable && !t.is_const)) {
            continue;
        }
        void *p = tml_alloc_persistent(it, t.bytes);
        if (p == NULL && !it->sizing) {
            return TML_ERR_ARENA;
        }
        if (p != NULL) {
            if (misaligned) {
                memcpy(p, t.data, t.bytes);
            } else {
                memset(p, 0, t.bytes);
            }
            it->tensor_data[i] = p;
        }
    }
    return TML_OK;
}

static tml_status_t prepare_nodes(tml_interpreter_t *it) {
    for (uint32_t i = 0; i < it->num_nodes; i++) {
        tml_node_t *node = &it->nodes[i];
        tml_fb_table_t op;
        tml_status_t s = TML_OK;
        TML_TRY(tml_model_operator(&it->model, i, &op));
        node->op = tml_find_op(tml_op_builtin(it, i));
        node->table = op.pos;
        node->index = (uint16_t)i;
        node->options_type = (uint8_t)tml_fb_int_field(&it->model.fb, &op, TML_OPERATOR_BUILTIN_OPTIONS_TYPE, 1, 0, &s);
        it->current_op = (int32_t)i;
        if (node->op->prepare != NULL && (s = node->op->prepare(it, node)) != TML_OK) {
            if (it->error.status == TML_OK) {
                fail_at(it, s, (int32_t)i, "prepare failed");
            }
            it->error.op_index = (int32_t)i;
            it->error.builtin_code = node->op->builtin_code;
            return s;
        }
    }
    it->current_op = -1;
    return TML_OK;
}

static int tensor_is_planned(tml_interpreter_t *it, int32_t index) {
    tml_tensor_t t;
    if (index < 0 || tml_model_tensor(&it->model, index, &t, &it->error) != TML_OK) {
        return 0;
    }
    return !t.is_const && !t.is_variable && it->tensor_data[index] == NULL;
}

static void extend(tml_plan_buf_t *b, uint32_t op) {
    if (b->first == 0xffff || op < b->first) {
        b->first = (uint16_t)op;
    }
    if (b->last == 0xffff || op > b->last) {
        b->last = (uint16_t)op;
    }
}

// Lifetimes of the planned tensors (entry i = tensor i), then one entry per scratch request.
static uint32_t collect_buffers(tml_interpreter_t *it, tml_plan_buf_t *bufs) {
    uint32_t last_op = it->num_nodes ? it->num_nodes - 1u : 0u;
    for (uint32_t i = 0; i < it->num_tensors; i++) {
        bufs[i].first = bufs[i].last = 0xffff;
        bufs[i].id = (int32_t)i;
    }
    for (uint32_t k = 0; k < it->model.inputs.count; k++) {
        extend(&bufs[tml_model_vec_i32(&it->model, &it->model.inputs, k)], 0);
    }
    for (uint32_t k = 0; k < it->model.outputs.count; k++) {
        extend(&bufs[tml_model_vec_i32(&it->model, &it->model.outputs, k)], last_op);
    }
    for (uint32_t i = 0; i < it->num_nodes; i++) {
        tml_fb_table_t op;
        tml_fb_vec_t v;
        if (tml_model_operator(&it->model, i, &op) != TML_OK) {
            continue;  // proven well-formed by tml_init
        }
        for (int which = 0; which < 2; which++) {
            if (tml_model_op_tensors(&it->model, &op, which, &v) != TML_OK) {
                continue;
            }
            for (uint32_t k = 0; k < v.count; k++) {
                int32_t t = tml_model_vec_i32(&it->model, &v, k);
                if (t >= 0) {
                    extend(&bufs[t], i);
                }
            }
        }
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < it->num_tensors; i++) {
        tml_tensor_t t;
        if (bufs[i].first == 0xffff || !tensor_is_planned(it, (int32_t)i)) {
            continue;
        }
        tml_model_tensor(&it->model, (int32_t)i, &t, &it->error);
        bufs[n] = bufs[i];
        bufs[n].size = tml_align_up(t.bytes);
        n++;
    }
    for (uint32_t i = 0; i < it->num_nodes; i++) {
        for (uint32_t h = 0; h < it->nodes[i].num_scratch; h++) {
            bufs[n].size = tml_align_up(it->nodes[i].scratch[h]);
            bufs[n].id = -1 - (int32_t)(i * TML_MAX_SCRATCH + h);
            bufs[n].first = bufs[n].last = (uint16_t)i;
            n++;
        }
    }
    return n;
}

static void apply_plan(tml_interpreter_t *it, const tml_plan_buf_t *bufs, uint32_t n) {
    for (uint32_t k = 0; k < n; k++) {
        if (bufs[k].id >= 0) {
            it->tensor_data[bufs[k].id] = it->planned + bufs[k].offset;
        } else {
            uint32_t s = (uint32_t)(-1 - bufs[k].id);
            it->nodes[s / TML_MAX_SCRATCH].scratch[s % TML_MAX_SCRATCH] = bufs[k].offset;
        }
    }
}

// One allocation pass over [base, base + len): sizing (measure only) or real.
static tml_status_t run_pass(tml_interpreter_t *it, uint8_t *base, size_t len, int sizing) {
    it->base = base;
    it->len = len;
    it->sizing = (uint8_t)sizing;
    it->head_bytes = head_bytes(it);
    it->persistent_used = 0;
    it->tensor_data = (void **)base;
    it->nodes = (tml_node_t *)(base + align16(it->num_tensors * sizeof(void *)));
    memset(base, 0, it->head_bytes);
    TML_TRY(place_special_tensors(it));
    TML_TRY(prepare_nodes(it));
    size_t persistent = it->sizing ? 0 : it->persistent_used;  // sizing: nothing was placed
    it->planned = base + it->head_bytes + persistent;
    tml_plan_buf_t *bufs = (tml_plan_buf_t *)it->planned;
    size_t ws_max = max_plan_buffers(it) * sizeof(tml_plan_buf_t);
    if (it->head_bytes + persistent + ws_max > len) {
        // Real pass: the planner may use at most what the sizing pass measured.
        ws_max = it->workspace_bytes;
        if (it->head_bytes + persistent + ws_max > len) {
            return fail_at(it, TML_ERR_ARENA, -1, "arena too small for the planner");
        }
    }
    uint32_t n = collect_buffers(it, bufs);
    // collect_buffers uses one entry per tensor before compacting.
    it->workspace_bytes = align16((n > it->num_tensors ? n : it->num_tensors) * sizeof(tml_plan_buf_t));
    it->plan_bytes = tml_plan_greedy(bufs, n);
    if (sizing) {
        it->persistent_bytes = it->persistent_used;
        size_t tail = it->plan_bytes > it->workspace_bytes ? it->plan_bytes : it->workspace_bytes;
        it->arena_needed = it->head_bytes + it->persistent_bytes + tail;
        return TML_OK;
    }
    if (it->head_bytes + persistent + it->plan_bytes > len) {
        return fail_at(it, TML_ERR_ARENA, -1, "arena too small for the tensors");
    }
    apply_plan(it, bufs, n);
    return TML_OK;
}

static uint8_t *aligned_base(void *p, size_t *len) {
    uintptr_t a = ((uintptr_t)p + 15u) & ~(uintptr_t)15u;
    size_t pad = (size_t)(a - (uintptr_t)p);
    *len = *len > pad ? *len - pad : 0;
    return (uint8_t *)a;
}

tml_status_t tml_plan(tml_interpreter_t *it, void *work, size_t len) {
    if (it->state < TML_STATE_INIT) {
        return fail_at(it, TML_ERR_ARG, -1, "model not initialised");
    }
    clear_error(it);
    uint8_t *base = aligned_base(work, &len);
    if (work == NULL || len + TML_ALIGN < tml_plan_workspace(it)) {
        fail_at(it, TML_ERR_ARENA, -1, "workspace too small for the sizing pass");
        it->error.bytes_needed = (uint32_t)tml_plan_workspace(it);
        return TML_ERR_ARENA;
    }
    it->workspace_bytes = 0;
    tml_status_t s = run_pass(it, base, len, 1);
    it->sizing = 0;
    it->tensor_data = NULL;
    it->nodes = NULL;
    if (s != TML_OK) {
        return s;
    }
    it->state = TML_STATE_PLANNED;
    return TML_OK;
}

tml_status_t tml_allocate(tml_interpreter_t *it, void *arena, size_t len) {
    if (it->state < TML_STATE_PLANNED) {
        TML_TRY(tml_plan(it, arena, len));
    }
    clear_error(it);
    size_t usable = len;
    uint8_t *base = aligned_base(arena, &usable);
    size_t pad = len - usable;
    if (arena == NULL || usable < it->arena_needed) {
        fail_at(it, TML_ERR_ARENA, -1, "the arena is smaller than the plan");
        it->error.bytes_needed = (uint32_t)(it->arena_needed + pad);
        return TML_ERR_ARENA;
    }
    it->state = TML_STATE_PLANNED;
    tml_status_t s = run_pass(it, base, usable, 0);
    if (s != TML_OK) {
        return s;
    }
    it->state = TML_STATE_READY;
    return TML_OK;
}

tml_status_t tml_invoke(tml_interpreter_t *it) {
    if (it->state != TML_STATE_READY) {
        return fail_at(it, TML_ERR_ARG, -1, "invoke before allocate");
    }
    clear_error(it);
    for (uint32_t i = 0; i < it->num_nodes; i++) {
        tml_node_t *node = &it->nodes[i];
        uint32_t t0 = it->clock ? it->clock(it->clock_user) : 0;
        it->current_op = (int32_t)i;
        tml_status_t s = node->op->eval(it, node);
        if (s != TML_OK) {
            if (it->error.status == TML_OK) {
                fail_at(it, s, (int32_t)i, "eval failed");
            }
            it->error.op_index = (int32_t)i;
            it->error.builtin_code = node->op->builtin_code;
            it->current_op = -1;
            return s;
        }
        if (it->clock) {
            it->ticks[i] = it->clock(it->clock_user) - t0;
        }
    }
    it->current_op = -1;
    return TML_OK;
}

// ---- graph accessors ----

uint32_t tml_graph_input_count(const tml_interpreter_t *it) {
    return it->model.inputs.count;
}

uint32_t tml_graph_output_count(const tml_interpreter_t *it) {
    return it->model.outputs.count;
}

static tml_status_t graph_tensor(tml_interpreter_t *it, const tml_fb_vec_t *v, uint32_t i, tml_tensor_t *t) {
    if (it->state < TML_STATE_INIT || i >= v->count) {
        return fail_at(it, TML_ERR_ARG, -1, "no such input/output");
    }
    int32_t index = tml_model_vec_i32(&it->model, v, i);
    TML_TRY(tml_model_tensor(&it->model, index, t, &it->error));
    if (it->state == TML_STATE_READY && it->tensor_data[index] != NULL) {
        t->data = it->tensor_data[index];
    }
    return TML_OK;
}

tml_status_t tml_graph_input(tml_interpreter_t *it, uint32_t i, tml_tensor_t *t) {
    return graph_tensor(it, &it->model.inputs, i, t);
}

tml_status_t tml_graph_output(tml_interpreter_t *it, uint32_t i, tml_tensor_t *t) {
    return graph_tensor(it, &it->model.outputs, i, t);
}

uint32_t tml_op_count(const tml_interpreter_t *it) {
    return it->num_nodes;
}

int32_t tml_op_builtin(tml_interpreter_t *it, uint32_t i) {
    tml_fb_table_t op;
    int32_t code;
    if (i >= it->model.operators.count || tml_model_operator(&it->model, i, &op) != TML_OK ||
        tml_model_builtin_code(&it->model, &op, &code) != TML_OK) {
        return -1;
    }
    return code;
}

const char *tml_op_name(tml_interpreter_t *it, uint32_t i) {
    return tml_builtin_name(tml_op_builtin(it, i));
}

void tml_set_profiler(tml_interpreter_t *it, tml_clock_fn clock, void *user, uint32_t *ticks) {
    it->clock = ticks ? clock : NULL;
    it->clock_user = user;
    it->ticks = ticks;
}

size_t tml_interpreter_size(void) {
    return sizeof(tml_interpreter_t);
}

const tml_error_t *tml_last_error(const tml_interpreter_t *it) {
    return &it->error;
}
