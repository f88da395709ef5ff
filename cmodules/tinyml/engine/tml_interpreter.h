// The interpreter: runs subgraph 0 of a model, all memory in one caller-given arena.
//
//   tml_interpreter_t it;                       // caller-owned (static, stack or heap)
//   tml_init(&it, model, len);                  // validate the model, check every op is known
//   work = <tml_plan_workspace(&it) bytes>;     // temporary memory for the sizing pass
//   tml_plan(&it, work, n);                     // then tml_arena_needed(&it) is exact
//   tml_allocate(&it, arena, tml_arena_needed(&it));  // plans now if tml_plan was skipped
//   tml_graph_input(&it, 0, &t); fill t.data; tml_invoke(&it); tml_graph_output(&it, 0, &t);
//
// Arena layout: [tensor data pointers | nodes | persistent op data | planned tensors + scratch].
// Every failure returns a status and leaves the details in it.error.
#ifndef TML_INTERPRETER_H
#define TML_INTERPRETER_H

#include "tml_model.h"
#include "tml_op.h"

typedef uint32_t (*tml_clock_fn)(void *user);

struct tml_ctx {
    tml_model_t model;
    tml_error_t error;
    uint8_t *base;             // arena (or sizing workspace), 16-byte aligned
    size_t len;
    void **tensor_data;        // per tensor: planned data, or a copy of misaligned const data
    tml_node_t *nodes;
    uint8_t *planned;          // start of the planned region
    size_t head_bytes;         // tensor_data + nodes
    size_t persistent_used;
    size_t persistent_bytes;   // measured by the sizing pass
    size_t plan_bytes;         // span of the planned tensors and scratch
    size_t workspace_bytes;    // planner workspace of the real pass
    size_t arena_needed;       // 0 until planned
    uint16_t num_tensors;
    uint16_t num_nodes;
    int32_t current_op;
    uint8_t sizing;
    uint8_t state;             // TML_STATE_*
    tml_clock_fn clock;        // profiler: ticks per op of the last invoke
    void *clock_user;
    uint32_t *ticks;
};
typedef struct tml_ctx tml_interpreter_t;

enum { TML_STATE_EMPTY, TML_STATE_INIT, TML_STATE_PLANNED, TML_STATE_READY };

tml_status_t tml_init(tml_interpreter_t *it, const uint8_t *model, size_t len);
size_t tml_plan_workspace(const tml_interpreter_t *it);
tml_status_t tml_plan(tml_interpreter_t *it, void *work, size_t len);
size_t tml_arena_needed(const tml_interpreter_t *it);
// Where the arena goes (after tml_plan): engine bookkeeping (tensor pointers, nodes), persistent
// op data, and the planned tensors + scratch (or the planner's workspace, if larger).
void tml_arena_usage(const tml_interpreter_t *it, size_t *head, size_t *persistent, size_t *tensors);
tml_status_t tml_allocate(tml_interpreter_t *it, void *arena, size_t len);
tml_status_t tml_invoke(tml_interpreter_t *it);

uint32_t tml_graph_input_count(const tml_interpreter_t *it);
uint32_t tml_graph_output_count(const tml_interpreter_t *it);
tml_status_t tml_graph_input(tml_interpreter_t *it, uint32_t i, tml_tensor_t *t);
tml_status_t tml_graph_output(tml_interpreter_t *it, uint32_t i, tml_tensor_t *t);

uint32_t tml_op_count(const tml_interpreter_t *it);
int32_t tml_op_builtin(tml_interpreter_t *it, uint32_t i);  // -1 if out of range
const char *tml_op_name(tml_interpreter_t *it, uint32_t i);

// For bindings that cannot see the struct (ctypes): its size and the last error.
size_t tml_interpreter_size(void);
const tml_error_t *tml_last_error(const tml_interpreter_t *it);

// Per-op timing of each invoke into ticks[tml_op_count()] with the caller's clock (NULL: off).
void tml_set_profiler(tml_interpreter_t *it, tml_clock_fn clock, void *user, uint32_t *ticks);

#endif
