// The op interface of the tinyml engine: what an op file (engine/ops/<op>.c) sees.
//
// An op is a const tml_op_t with a prepare and an eval function, listed in tml_ops_registry.c.
//
// Life cycle (see tml_interpreter.h):
//   * prepare runs twice per model: once in a *sizing pass* (tml_plan) that only measures memory,
//     then in the real allocation (tml_allocate). Prepare must: validate types/shapes (return a
//     status through tml_fail), then request memory (tml_alloc_persistent / tml_request_scratch),
//     then fill its persistent data. In the sizing pass tml_alloc_persistent returns NULL: use
//     TML_ALLOC_PERSISTENT, which returns TML_OK from prepare at that point (all validation and
//     requests made before it still count). Tensor data of non-const tensors is NULL in prepare.
//   * eval runs on every invoke; tensor data pointers are valid; scratch via tml_scratch().
//
// Tensors are decoded from the flatbuffer into a caller-owned tml_tensor_t (on the stack):
//   tml_tensor_t in; TML_TRY(tml_input(ctx, node, 0, &in));
// so an op may look at any number of tensors without the engine keeping a struct per tensor.
// Const tensor data points into the model bytes (aligned to its element size: the engine copies
// misaligned const tensors into the arena). Per-channel quantisation vectors stay in the model
// and may be unaligned: read them only through tml_channel_scale / tml_channel_zero_point.
#ifndef TML_OP_H
#define TML_OP_H

#include <stddef.h>
#include <stdint.h>

#include "tml_schema.h"

#define TML_MAX_DIMS 6      // TFLM's reference kernels go up to 6-D (broadcast add/mul)
#define TML_MAX_SCRATCH 2   // scratch buffers one node may request

typedef enum {
    TML_OK = 0,
    TML_ERR_MALFORMED,        // the model bytes break the format (offset, vtable, index...)
    TML_ERR_UNSUPPORTED_OP,   // builtin op not in the registry, or custom op
    TML_ERR_UNSUPPORTED_TYPE, // tensor type / quantisation an op does not handle
    TML_ERR_BAD_MODEL,        // well-formed, but inconsistent (shape mismatch, bad quant params)
    TML_ERR_ARENA,            // arena too small (tml_error_t.bytes_needed says how much)
    TML_ERR_ARG,              // caller error (index out of range, wrong state)
} tml_status_t;

// Where and why something failed. Static reason strings only: the binding formats the message.
typedef struct {
    tml_status_t status;
    int32_t op_index;      // -1 when not inside an op
    int32_t builtin_code;  // of that op, -1 if none
    int32_t tensor_index;  // -1 if none
    uint32_t offset;       // byte offset in the model, 0 if none
    uint32_t bytes_needed; // for TML_ERR_ARENA
    const char *reason;
} tml_error_t;

typedef struct {
    void *data;                          // NULL in the sizing pass for non-const tensors
    const uint8_t *channel_scales;       // float32 LE in the model (maybe unaligned), or NULL
    const uint8_t *channel_zero_points;  // int64 LE in the model (maybe unaligned), or NULL
    uint32_t bytes;                      // element size * element count
    int32_t dims[TML_MAX_DIMS];
    float scale;                         // first scale (per-tensor), 0 if not quantised
    int32_t zero_point;                  // first zero point
    int32_t num_channels;                // entries in channel_scales (1 = per-tensor)
    int32_t quantized_dimension;
    int32_t index;                       // tensor index in subgraph 0
    uint8_t type;                        // enum tml_tensor_type (TFLite TensorType numbering)
    uint8_t ndims;
    uint8_t is_const;                    // data comes from a model buffer
    uint8_t is_variable;
} tml_tensor_t;

typedef struct tml_ctx tml_ctx_t;  // the interpreter; opaque to ops
struct tml_op;

typedef struct tml_node {
    const struct tml_op *op;
    void *user_data;                   // the op's persistent data, set by its prepare
    uint32_t scratch[TML_MAX_SCRATCH]; // sizes while planning, then offsets into the arena
    uint32_t table;                    // offset of the Operator table in the model
    uint16_t index;                    // position in the execution order
    uint8_t options_type;              // enum tml_builtin_options of builtin_options
    uint8_t num_scratch;
} tml_node_t;

typedef struct tml_op {
    const char *name;   // TFLite builtin name, e.g. "CONV_2D"
    int32_t builtin_code;
    tml_status_t (*prepare)(tml_ctx_t *ctx, tml_node_t *node);  // NULL: nothing to prepare
    tml_status_t (*eval)(tml_ctx_t *ctx, tml_node_t *node);
} tml_op_t;

// ---- registry (tml_ops_registry.c) ----
extern const tml_op_t *const tml_op_registry[];  // NULL-terminated
const tml_op_t *tml_find_op(int32_t builtin_code);
const char *tml_builtin_name(int code);  // "UNKNOWN" outside the schema

// ---- tensors of a node ----
int tml_num_inputs(tml_ctx_t *ctx, const tml_node_t *node);
int tml_num_outputs(tml_ctx_t *ctx, const tml_node_t *node);
// Decode input/output i into *t. Missing optional input (index -1 or i past the end): returns
// TML_OK with t->index == -1 and t->data == NULL; check with tml_present(t).
tml_status_t tml_input(tml_ctx_t *ctx, const tml_node_t *node, int i, tml_tensor_t *t);
tml_status_t tml_output(tml_ctx_t *ctx, const tml_node_t *node, int i, tml_tensor_t *t);
static inline int tml_present(const tml_tensor_t *t) {
    return t->index >= 0;
}
int32_t tml_num_elements(const tml_tensor_t *t);
int32_t tml_dim(const tml_tensor_t *t, int i);  // negative i counts from the end; 1 if absent
size_t tml_type_size(int type);                // 0 for types without a fixed element size
float tml_channel_scale(const tml_tensor_t *t, int32_t channel);       // per-tensor: scale
int32_t tml_channel_zero_point(const tml_tensor_t *t, int32_t channel);

// ---- builtin options of the node (fields by slot: TML_<TABLE>_<FIELD> in tml_schema.h) ----
// Fails (TML_ERR_MALFORMED) when the node carries options of another type than expected.
tml_status_t tml_expect_options(tml_ctx_t *ctx, const tml_node_t *node, int options_type);
int32_t tml_opt_int(tml_ctx_t *ctx, const tml_node_t *node, int field, int size, int32_t dflt);
#define tml_opt_u8(ctx, node, field, dflt) ((uint8_t)tml_opt_int(ctx, node, field, 1, dflt))
#define tml_opt_i32(ctx, node, field, dflt) tml_opt_int(ctx, node, field, 4, dflt)
float tml_opt_f32(tml_ctx_t *ctx, const tml_node_t *node, int field, float dflt);
// An int32 vector field: copies up to max entries into out, returns the count (-1 if absent).
int tml_opt_vec_i32(tml_ctx_t *ctx, const tml_node_t *node, int field, int32_t *out, int max);

// ---- memory ----
// Persistent memory from the arena (16-byte aligned), for the lifetime of the model.
// Returns NULL in the sizing pass (tml_sizing) and when the arena is exhausted (error set).
void *tml_alloc_persistent(tml_ctx_t *ctx, size_t bytes);
int tml_sizing(const tml_ctx_t *ctx);
#define TML_ALLOC_PERSISTENT(ctx, ptr, nbytes)                                   \
    do {                                                                         \
        (ptr) = tml_alloc_persistent((ctx), (nbytes));                           \
        if ((ptr) == NULL) {                                                     \
            return tml_sizing(ctx) ? TML_OK : TML_ERR_ARENA;                     \
        }                                                                        \
    } while (0)
// Scratch memory live only during this node's eval, planned with the tensors. Call in prepare;
// *handle is what tml_scratch takes in eval.
tml_status_t tml_request_scratch(tml_ctx_t *ctx, tml_node_t *node, size_t bytes, int *handle);
void *tml_scratch(tml_ctx_t *ctx, const tml_node_t *node, int handle);

// ---- errors ----
// Record an error for the current op (op index and code are filled in) and return status.
tml_status_t tml_fail(tml_ctx_t *ctx, tml_status_t status, int32_t tensor_index, const char *reason);
#define TML_TRY(expr)                          \
    do {                                       \
        tml_status_t tml_try_s_ = (expr);      \
        if (tml_try_s_ != TML_OK) {            \
            return tml_try_s_;                 \
        }                                      \
    } while (0)
// Fail with TML_ERR_BAD_MODEL (or the given status) naming a tensor when cond is false.
#define TML_ENSURE(ctx, cond, status, tensor, reason)        \
    do {                                                      \
        if (!(cond)) {                                        \
            return tml_fail((ctx), (status), (tensor), (reason)); \
        }                                                     \
    } while (0)

#endif
