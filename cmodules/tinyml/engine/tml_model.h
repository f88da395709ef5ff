// The TFLite model as stored: subgraph 0 of a "TFL3" flatbuffer, schema version 3, read in place.
// tml_model_init checks the whole structure once (every tensor, buffer, operator and index), so
// later accessors only re-read what was already proven in bounds (they still check, cheaply).
#ifndef TML_MODEL_H
#define TML_MODEL_H

#include "tml_flatbuffer.h"
#include "tml_op.h"

typedef struct {
    tml_fb_t fb;
    tml_fb_vec_t opcodes;    // [OperatorCode]
    tml_fb_vec_t buffers;    // [Buffer]
    tml_fb_vec_t tensors;    // subgraph 0 [Tensor]
    tml_fb_vec_t operators;  // subgraph 0 [Operator]
    tml_fb_vec_t inputs;     // subgraph 0 [int]
    tml_fb_vec_t outputs;    // subgraph 0 [int]
} tml_model_t;

tml_status_t tml_model_init(tml_model_t *m, const uint8_t *buf, size_t len, tml_error_t *err);

// Decode tensor `index` (data: model buffer for const tensors, NULL otherwise).
tml_status_t tml_model_tensor(tml_model_t *m, int32_t index, tml_tensor_t *t, tml_error_t *err);

tml_status_t tml_model_operator(tml_model_t *m, uint32_t i, tml_fb_table_t *op);
// Builtin code of an operator (max of deprecated_builtin_code and builtin_code, as TFLite does).
tml_status_t tml_model_builtin_code(tml_model_t *m, const tml_fb_table_t *op, int32_t *code);
// The operator's input (which = 0) or output (which = 1) tensor index vector.
tml_status_t tml_model_op_tensors(tml_model_t *m, const tml_fb_table_t *op, int which, tml_fb_vec_t *v);
static inline int32_t tml_model_vec_i32(const tml_model_t *m, const tml_fb_vec_t *v, uint32_t i) {
    return (int32_t)tml_load_u32(m->fb.buf + v->pos + 4 * i);
}

// Field slots of the tables the engine walks (schema.fbs order; unions take two slots).
enum {
    TML_MODEL_VERSION = 0, TML_MODEL_OPERATOR_CODES = 1, TML_MODEL_SUBGRAPHS = 2, TML_MODEL_BUFFERS = 4,
    TML_SUBGRAPH_TENSORS = 0, TML_SUBGRAPH_INPUTS = 1, TML_SUBGRAPH_OUTPUTS = 2, TML_SUBGRAPH_OPERATORS = 3,
    TML_TENSOR_SHAPE = 0, TML_TENSOR_TYPE = 1, TML_TENSOR_BUFFER = 2, TML_TENSOR_QUANTIZATION = 4,
    TML_TENSOR_IS_VARIABLE = 5, TML_TENSOR_SPARSITY = 6,
    TML_QUANT_SCALE = 2, TML_QUANT_ZERO_POINT = 3, TML_QUANT_QUANTIZED_DIMENSION = 6,
    TML_BUFFER_DATA = 0, TML_BUFFER_OFFSET = 1, TML_BUFFER_SIZE = 2,
    TML_OPCODE_DEPRECATED_BUILTIN_CODE = 0, TML_OPCODE_BUILTIN_CODE = 3,
    TML_OPERATOR_OPCODE_INDEX = 0, TML_OPERATOR_INPUTS = 1, TML_OPERATOR_OUTPUTS = 2,
    TML_OPERATOR_BUILTIN_OPTIONS_TYPE = 3, TML_OPERATOR_BUILTIN_OPTIONS = 4,
};

#endif
