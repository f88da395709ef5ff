// Validation and decoding of the model structure; see tml_model.h.
#include "tml_model.h"

#include <string.h>

// Largest product of the non-zero dimensions of an empty tensor (see decode_shape).
#ifndef TML_MAX_EMPTY_SPAN
#define TML_MAX_EMPTY_SPAN (1u << 16)
#endif

static tml_status_t fail(tml_model_t *m, tml_error_t *err, tml_status_t status, int32_t tensor, const char *reason) {
    err->status = status;
    err->tensor_index = tensor;
    err->offset = m->fb.bad_offset;
    err->reason = reason;
    return status;
}

static tml_status_t check_index_vector(tml_model_t *m, const tml_fb_vec_t *v, int allow_optional) {
    for (uint32_t i = 0; i < v->count; i++) {
        int32_t t = tml_model_vec_i32(m, v, i);
        if (t >= (int32_t)m->tensors.count || t < (allow_optional ? -1 : 0)) {
            m->fb.bad_offset = v->pos + 4 * i;
            return TML_ERR_MALFORMED;
        }
    }
    return TML_OK;
}

static tml_status_t check_operator(tml_model_t *m, uint32_t i, tml_error_t *err) {
    tml_fb_table_t op, options;
    tml_fb_vec_t v;
    int present;
    int32_t code;
    if (tml_model_operator(m, i, &op) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, -1, "bad operator table");
    }
    if (tml_model_builtin_code(m, &op, &code) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, -1, "bad operator code");
    }
    for (int which = 0; which < 2; which++) {
        if (tml_model_op_tensors(m, &op, which, &v) != TML_OK || check_index_vector(m, &v, which == 0) != TML_OK) {
            return fail(m, err, TML_ERR_MALFORMED, -1, which ? "bad operator outputs" : "bad operator inputs");
        }
    }
    if (tml_fb_table_field(&m->fb, &op, TML_OPERATOR_BUILTIN_OPTIONS, &options, &present) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, -1, "bad builtin options");
    }
    return TML_OK;
}

// Scales finite and > 0 for the quantised integer types (int8, uint8, int16; >= 0 for the
// others, e.g. int32 bias, where the scale is informative only), zero points inside the type's
// range: kernels may then add offsets to values without overflowing, and activation ranges and
// requantisation multipliers never divide by zero (a zero, NaN or infinite scale would make
// tml_quantize_one compute NaN). TFLite's converter never writes such a scale (an all-zero
// range gets scale 1), so legal models are unaffected. Done once here; the per-eval decode
// skips it.
static tml_status_t check_quant_values(tml_model_t *m, const tml_tensor_t *t, tml_error_t *err) {
    int32_t lo = INT32_MIN, hi = INT32_MAX;
    int strict = 1;
    if (t->type == TML_TYPE_INT8) {
        lo = -128;
        hi = 127;
    } else if (t->type == TML_TYPE_UINT8) {
        lo = 0;
        hi = 255;
    } else if (t->type == TML_TYPE_INT16) {
        lo = -32768;
        hi = 32767;
    } else {
        strict = 0;
    }
    if (strict && t->num_channels == 0) {
        // No quantisation parameters: the ops would use scale 0 (TFLM's converter always
        // writes them for these types).
        m->fb.bad_offset = 0;
        return fail(m, err, TML_ERR_BAD_MODEL, t->index, "int8/uint8/int16 tensor has no quantisation scale");
    }
    for (int32_t c = 0; c < t->num_channels; c++) {
        float scale = tml_load_f32(t->channel_scales + 4 * c);
        int64_t zp = t->channel_zero_points ? (int64_t)tml_load_u64(t->channel_zero_points + 8 * c) : 0;
        // A constant per-channel tensor (weights) may have a zero channel scale: TFLite's older
        // quantiser writes one for an all-zero (pruned) channel, TFLM runs such models, and the
        // channel scale is only ever a factor of a requantisation multiplier (which is then 0).
        int zero_ok = !strict || (t->is_const && t->num_channels > 1);
        int scale_ok = (zero_ok ? scale >= 0.0f : scale > 0.0f) && scale <= 3.402823466e+38f;
        if (!scale_ok) {
            m->fb.bad_offset = (uint32_t)(t->channel_scales - m->fb.buf) + 4u * (uint32_t)c;
            return fail(m, err, TML_ERR_BAD_MODEL, t->index,
                zero_ok ? "quantisation scale is negative or not finite" : "quantisation scale is not positive and finite");
        }
        if (zp < lo || zp > hi) {
            m->fb.bad_offset = (uint32_t)(t->channel_zero_points - m->fb.buf) + 8u * (uint32_t)c;
            return fail(m, err, TML_ERR_BAD_MODEL, t->index, "quantisation zero point out of range for the type");
        }
    }
    return TML_OK;
}

tml_status_t tml_model_init(tml_model_t *m, const uint8_t *buf, size_t len, tml_error_t *err) {
    tml_fb_table_t root, subgraph;
    tml_fb_vec_t subgraphs;
    tml_status_t s = TML_OK;
    int present;
    memset(m, 0, sizeof *m);
    if (tml_fb_init(&m->fb, buf, len) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, -1, "model too short or too long");
    }
    if (memcmp(buf + 4, "TFL3", 4) != 0) {
        m->fb.bad_offset = 4;
        return fail(m, err, TML_ERR_MALFORMED, -1, "not a TFLite model (file identifier is not TFL3)");
    }
    if (tml_fb_root(&m->fb, &root) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, -1, "bad root table");
    }
    uint32_t version = tml_fb_u32_field(&m->fb, &root, TML_MODEL_VERSION, 0, &s);
    if (s != TML_OK || version != 3) {
        m->fb.bad_offset = tml_fb_field(&m->fb, &root, TML_MODEL_VERSION, 4, &s);
        return fail(m, err, TML_ERR_MALFORMED, -1, "unsupported schema version (need 3)");
    }
    if (tml_fb_vec_field(&m->fb, &root, TML_MODEL_OPERATOR_CODES, 4, &m->opcodes, &present) != TML_OK ||
        tml_fb_vec_field(&m->fb, &root, TML_MODEL_BUFFERS, 4, &m->buffers, &present) != TML_OK ||
        tml_fb_vec_field(&m->fb, &root, TML_MODEL_SUBGRAPHS, 4, &subgraphs, &present) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, -1, "bad model table");
    }
    if (subgraphs.count < 1) {
        m->fb.bad_offset = root.pos;
        return fail(m, err, TML_ERR_MALFORMED, -1, "model has no subgraph");
    }
    if (tml_fb_vec_table(&m->fb, &subgraphs, 0, &subgraph) != TML_OK ||
        tml_fb_vec_field(&m->fb, &subgraph, TML_SUBGRAPH_TENSORS, 4, &m->tensors, &present) != TML_OK ||
        tml_fb_vec_field(&m->fb, &subgraph, TML_SUBGRAPH_INPUTS, 4, &m->inputs, &present) != TML_OK ||
        tml_fb_vec_field(&m->fb, &subgraph, TML_SUBGRAPH_OUTPUTS, 4, &m->outputs, &present) != TML_OK ||
        tml_fb_vec_field(&m->fb, &subgraph, TML_SUBGRAPH_OPERATORS, 4, &m->operators, &present) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, -1, "bad subgraph table");
    }
    // Indices are kept in 16 bits by the planner and the nodes.
    if (m->tensors.count > 0x7fff || m->operators.count > 0x7fff) {
        m->fb.bad_offset = subgraph.pos;
        return fail(m, err, TML_ERR_BAD_MODEL, -1, "too many tensors or operators");
    }
    if (check_index_vector(m, &m->inputs, 0) != TML_OK || check_index_vector(m, &m->outputs, 0) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, -1, "bad subgraph input/output index");
    }
    for (uint32_t i = 0; i < m->tensors.count; i++) {
        tml_tensor_t t;
        if ((s = tml_model_tensor(m, (int32_t)i, &t, err)) != TML_OK || (s = check_quant_values(m, &t, err)) != TML_OK) {
            return s;
        }
    }
    for (uint32_t i = 0; i < m->operators.count; i++) {
        if ((s = check_operator(m, i, err)) != TML_OK) {
            err->op_index = (int32_t)i;
            return s;
        }
    }
    return TML_OK;
}

size_t tml_type_size(int type) {
    switch (type) {
        case TML_TYPE_INT8: case TML_TYPE_UINT8: case TML_TYPE_BOOL:
            return 1;
        case TML_TYPE_INT16: case TML_TYPE_UINT16: case TML_TYPE_FLOAT16:
            return 2;
        case TML_TYPE_INT32: case TML_TYPE_UINT32: case TML_TYPE_FLOAT32:
            return 4;
        case TML_TYPE_INT64: case TML_TYPE_UINT64: case TML_TYPE_FLOAT64: case TML_TYPE_COMPLEX64:
            return 8;
        default:
            return 0;
    }
}

// Shape and element bytes; the shape's product must fit 32 bits.
static tml_status_t decode_shape(tml_model_t *m, const tml_fb_table_t *tt, tml_tensor_t *t, tml_error_t *err) {
    tml_fb_vec_t shape;
    int present;
    if (tml_fb_vec_field(&m->fb, tt, TML_TENSOR_SHAPE, 4, &shape, &present) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, t->index, "bad tensor shape");
    }
    if (shape.count > TML_MAX_DIMS) {
        m->fb.bad_offset = shape.pos;
        return fail(m, err, TML_ERR_UNSUPPORTED_TYPE, t->index, "tensor has more than 6 dimensions");
    }
    size_t elem = tml_type_size(t->type);
    if (elem == 0) {
        m->fb.bad_offset = tt->pos;
        return fail(m, err, TML_ERR_UNSUPPORTED_TYPE, t->index, "unsupported tensor type");
    }
    uint64_t bytes = elem;
    t->ndims = (uint8_t)shape.count;
    for (uint32_t d = 0; d < shape.count; d++) {
        int32_t n = tml_model_vec_i32(m, &shape, d);
        if (n < 0) {
            m->fb.bad_offset = shape.pos + 4 * d;
            return fail(m, err, TML_ERR_BAD_MODEL, t->index, "dynamic or negative dimension");
        }
        t->dims[d] = n;
        bytes *= (uint64_t)n;
        if (bytes > 0x7fffffffu) {
            m->fb.bad_offset = shape.pos + 4 * d;
            return fail(m, err, TML_ERR_BAD_MODEL, t->index, "tensor too large");
        }
    }
    // An empty tensor (a zero dimension) takes no memory, so the bound above does not limit
    // its other dimensions, yet kernels loop over them: a corrupt 1x50000000x0x4 filter made a
    // depthwise conv spin for seconds. Their span is bounded as well.
    if (bytes == 0 && shape.count > 0) {
        uint64_t span = 1;
        for (uint32_t d = 0; d < shape.count; d++) {
            span *= t->dims[d] ? (uint64_t)t->dims[d] : 1u;
            if (span > TML_MAX_EMPTY_SPAN) {
                m->fb.bad_offset = shape.pos + 4 * d;
                return fail(m, err, TML_ERR_BAD_MODEL, t->index, "empty tensor with huge dimensions");
            }
        }
    }
    t->bytes = (uint32_t)bytes;
    return TML_OK;
}

// Constant data: Buffer.data, or Buffer.offset/size for data stored after the flatbuffer.
static tml_status_t decode_buffer(tml_model_t *m, const tml_fb_table_t *tt, tml_tensor_t *t, tml_error_t *err) {
    tml_status_t s = TML_OK;
    tml_fb_table_t buffer;
    tml_fb_vec_t data;
    int present;
    uint32_t index = tml_fb_u32_field(&m->fb, tt, TML_TENSOR_BUFFER, 0, &s);
    if (s != TML_OK || index >= m->buffers.count) {
        m->fb.bad_offset = tml_fb_field(&m->fb, tt, TML_TENSOR_BUFFER, 4, &s);
        return fail(m, err, TML_ERR_MALFORMED, t->index, "bad buffer index");
    }
    if (index == 0) {
        return TML_OK;  // buffer 0 is the empty sentinel
    }
    if (tml_fb_vec_table(&m->fb, &m->buffers, index, &buffer) != TML_OK ||
        tml_fb_vec_field(&m->fb, &buffer, TML_BUFFER_DATA, 1, &data, &present) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, t->index, "bad buffer table");
    }
    uint64_t offset = tml_fb_u64_field(&m->fb, &buffer, TML_BUFFER_OFFSET, 0, &s);
    uint64_t size = tml_fb_u64_field(&m->fb, &buffer, TML_BUFFER_SIZE, 0, &s);
    if (s != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, t->index, "bad buffer table");
    }
    const uint8_t *ptr = NULL;
    uint64_t have = 0;
    if (data.count > 0) {
        ptr = m->fb.buf + data.pos;
        have = data.count;
    } else if (offset > 1 && size > 0) {  // offset 1 is the writer's "not placed" marker
        if (offset + size > m->fb.len) {
            m->fb.bad_offset = buffer.pos;
            return fail(m, err, TML_ERR_MALFORMED, t->index, "buffer offset/size past the end of the model");
        }
        ptr = m->fb.buf + offset;
        have = size;
    }
    if (ptr == NULL) {
        return TML_OK;
    }
    if (have != t->bytes) {
        m->fb.bad_offset = data.count ? data.pos - 4 : buffer.pos;
        return fail(m, err, TML_ERR_BAD_MODEL, t->index, "buffer size does not match the tensor shape");
    }
    t->data = (void *)ptr;  // const tensor: ops never write it
    t->is_const = 1;
    return TML_OK;
}

static tml_status_t decode_quantization(tml_model_t *m, const tml_fb_table_t *tt, tml_tensor_t *t, tml_error_t *err) {
    tml_fb_table_t q;
    tml_fb_vec_t scales, zero_points;
    tml_status_t s = TML_OK;
    int present, has_scales, has_zps;
    if (tml_fb_table_field(&m->fb, tt, TML_TENSOR_QUANTIZATION, &q, &present) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, t->index, "bad quantization table");
    }
    if (!present) {
        return TML_OK;
    }
    if (tml_fb_vec_field(&m->fb, &q, TML_QUANT_SCALE, 4, &scales, &has_scales) != TML_OK ||
        tml_fb_vec_field(&m->fb, &q, TML_QUANT_ZERO_POINT, 8, &zero_points, &has_zps) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, t->index, "bad quantization vectors");
    }
    int32_t qdim = tml_fb_int_field(&m->fb, &q, TML_QUANT_QUANTIZED_DIMENSION, 4, 0, &s);
    if (s != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, t->index, "bad quantization table");
    }
    if (scales.count == 0) {
        return TML_OK;
    }
    if (zero_points.count != 0 && zero_points.count != scales.count) {
        m->fb.bad_offset = zero_points.pos;
        return fail(m, err, TML_ERR_BAD_MODEL, t->index, "scale and zero_point counts differ");
    }
    if (scales.count > 1 && (qdim < 0 || qdim >= t->ndims || (uint32_t)t->dims[qdim] != scales.count)) {
        m->fb.bad_offset = q.pos;
        return fail(m, err, TML_ERR_BAD_MODEL, t->index, "per-channel scales do not match quantized_dimension");
    }
    t->channel_scales = m->fb.buf + scales.pos;
    t->channel_zero_points = zero_points.count ? m->fb.buf + zero_points.pos : NULL;
    t->num_channels = (int32_t)scales.count;
    t->quantized_dimension = qdim;
    t->scale = tml_load_f32(t->channel_scales);
    t->zero_point = t->channel_zero_points ? (int32_t)tml_load_u64(t->channel_zero_points) : 0;
    return TML_OK;
}

tml_status_t tml_model_tensor(tml_model_t *m, int32_t index, tml_tensor_t *t, tml_error_t *err) {
    tml_fb_table_t tt;
    tml_status_t s = TML_OK;
    memset(t, 0, sizeof *t);
    t->index = index;
    if (index < 0 || (uint32_t)index >= m->tensors.count) {
        m->fb.bad_offset = m->tensors.pos;
        return fail(m, err, TML_ERR_MALFORMED, index, "tensor index out of range");
    }
    if (tml_fb_vec_table(&m->fb, &m->tensors, (uint32_t)index, &tt) != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, index, "bad tensor table");
    }
    t->type = (uint8_t)tml_fb_int_field(&m->fb, &tt, TML_TENSOR_TYPE, 1, TML_TYPE_FLOAT32, &s);
    t->is_variable = (uint8_t)tml_fb_int_field(&m->fb, &tt, TML_TENSOR_IS_VARIABLE, 1, 0, &s);
    if (s != TML_OK) {
        return fail(m, err, TML_ERR_MALFORMED, index, "bad tensor table");
    }
    if (tml_fb_field(&m->fb, &tt, TML_TENSOR_SPARSITY, 4, &s) != 0) {
        m->fb.bad_offset = tt.pos;
        return fail(m, err, TML_ERR_UNSUPPORTED_TYPE, index, "sparse tensors are not supported");
    }
    if ((s = decode_shape(m, &tt, t, err)) != TML_OK || (s = decode_buffer(m, &tt, t, err)) != TML_OK) {
        return s;
    }
    return decode_quantization(m, &tt, t, err);
}

tml_status_t tml_model_operator(tml_model_t *m, uint32_t i, tml_fb_table_t *op) {
    return tml_fb_vec_table(&m->fb, &m->operators, i, op);
}

tml_status_t tml_model_builtin_code(tml_model_t *m, const tml_fb_table_t *op, int32_t *code) {
    tml_status_t s = TML_OK;
    tml_fb_table_t oc;
    uint32_t index = tml_fb_u32_field(&m->fb, op, TML_OPERATOR_OPCODE_INDEX, 0, &s);
    if (s != TML_OK || index >= m->opcodes.count) {
        m->fb.bad_offset = op->pos;
        return TML_ERR_MALFORMED;
    }
    if ((s = tml_fb_vec_table(&m->fb, &m->opcodes, index, &oc)) != TML_OK) {
        return s;
    }
    int32_t deprecated = tml_fb_int_field(&m->fb, &oc, TML_OPCODE_DEPRECATED_BUILTIN_CODE, 1, 0, &s);
    int32_t current = tml_fb_int_field(&m->fb, &oc, TML_OPCODE_BUILTIN_CODE, 4, 0, &s);
    *code = deprecated > current ? deprecated : current;
    return s;
}

tml_status_t tml_model_op_tensors(tml_model_t *m, const tml_fb_table_t *op, int which, tml_fb_vec_t *v) {
    int present;
    return tml_fb_vec_field(&m->fb, op, which ? TML_OPERATOR_OUTPUTS : TML_OPERATOR_INPUTS, 4, v, &present);
}
