// tinyml.Model: a .tflite model on the engine, its arena in the MicroPython heap.
//
//   m = tinyml.Model("/models/kws.tflite")   # or bytes / bytearray / memoryview; arena=bytearray
//   m.input(0)[:] = frame; m.invoke(); m.output(0)          # zero-copy memoryviews
//   m.predict([floats]) -> [floats]; m.inputs, m.outputs, m.ops, m.arena_size, m.profile()
// As in TFLM, the planner lets later tensors reuse input memory: fill the inputs before every
// invoke. The views stay valid as long as they exist (they keep the arena alive).
#include <string.h>

#include "py/mphal.h"
#include "py/objarray.h"
#include "py/objtuple.h"
#include "py/runtime.h"
#include "tinyml_model.h"

typedef struct {
    mp_obj_base_t base;
    mp_obj_t model_obj;   // owner of the model bytes (read in place, never copied)
    mp_obj_t arena_obj;   // the user's arena, or MP_OBJ_NULL when we allocated it
    uint8_t *arena;       // start of the arena's heap block: keeps it alive for the GC
    size_t arena_len;
    uint32_t *ticks;      // per-op microseconds of the last invoke
    mp_obj_t inputs;      // tuples of tensor specs, built once
    mp_obj_t outputs;
    tml_interpreter_t it;
} tinyml_model_obj_t;

static uint32_t ticks_us(void *user) {
    (void)user;
    return (uint32_t)mp_hal_ticks_us();
}

// The model bytes of a file: used in place when the file is memory-mapped (ROMFS files offer
// the buffer protocol), else read into one exactly-sized heap buffer (seek for the size, readinto).
static mp_obj_t read_file(mp_obj_t path) {
    mp_obj_t open_args[2] = { path, MP_OBJ_NEW_QSTR(MP_QSTR_rb) };
    mp_obj_t f = mp_call_function_n_kw(mp_load_global(MP_QSTR_open), 2, 0, open_args);
    mp_buffer_info_t mapped;
    if (mp_get_buffer(f, &mapped, MP_BUFFER_READ)) {
        return f;  // keeping the file object keeps the mapping valid
    }
    mp_obj_t dest[4];
    mp_load_method(f, MP_QSTR_seek, dest);
    dest[2] = MP_OBJ_NEW_SMALL_INT(0);
    dest[3] = MP_OBJ_NEW_SMALL_INT(2);
    size_t size = mp_obj_get_int(mp_call_method_n_kw(2, 0, dest));
    mp_load_method(f, MP_QSTR_seek, dest);
    dest[2] = MP_OBJ_NEW_SMALL_INT(0);
    mp_call_method_n_kw(1, 0, dest);
    uint8_t *buf = m_new(uint8_t, size ? size : 1);
    size_t got = 0;
    while (got < size) {
        mp_obj_t view = mp_obj_new_memoryview('B' | MP_OBJ_ARRAY_TYPECODE_FLAG_RW, size - got, buf + got);
        mp_load_method(f, MP_QSTR_readinto, dest);
        dest[2] = view;
        mp_obj_t n = mp_call_method_n_kw(1, 0, dest);
        if (n == mp_const_none || mp_obj_get_int(n) <= 0) {
            break;
        }
        got += mp_obj_get_int(n);
    }
    mp_load_method(f, MP_QSTR_close, dest);
    mp_call_method_n_kw(0, 0, dest);
    if (got != size) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("short read of model file"));
    }
    return mp_obj_new_bytearray_by_ref(size, buf);
}

static const char *dtype_name(int type) {
    switch (type) {
        case TML_TYPE_INT8:
            return "int8";
        case TML_TYPE_UINT8:
            return "uint8";
        case TML_TYPE_INT16:
            return "int16";
        case TML_TYPE_INT32:
            return "int32";
        case TML_TYPE_FLOAT32:
            return "float32";
        case TML_TYPE_BOOL:
            return "bool";
        case TML_TYPE_INT64:
            return "int64";
        default:
            return "other";
    }
}

// memoryview typecode of a tensor type, 0 if it has none.
static char typecode(int type) {
    switch (type) {
        case TML_TYPE_INT8:
            return 'b';
        case TML_TYPE_UINT8:
        case TML_TYPE_BOOL:
            return 'B';
        case TML_TYPE_INT16:
            return 'h';
        case TML_TYPE_INT32:
            return 'i';
        #if MICROPY_PY_BUILTINS_FLOAT
        case TML_TYPE_FLOAT32:
            return 'f';
        #endif
        default:
            return 0;
    }
}

static const qstr spec_fields[] = { MP_QSTR_shape, MP_QSTR_dtype, MP_QSTR_scale, MP_QSTR_zero_point };

static mp_obj_t tensor_spec(const tml_tensor_t *t) {
    mp_obj_t dims[TML_MAX_DIMS];
    for (int d = 0; d < t->ndims; d++) {
        dims[d] = MP_OBJ_NEW_SMALL_INT(t->dims[d]);
    }
    mp_obj_t items[4] = {
        mp_obj_new_tuple(t->ndims, dims),
        mp_obj_new_str(dtype_name(t->type), strlen(dtype_name(t->type))),
        #if MICROPY_PY_BUILTINS_FLOAT
        mp_obj_new_float((mp_float_t)t->scale),
        #else
        MP_OBJ_NEW_SMALL_INT(0),
        #endif
        MP_OBJ_NEW_SMALL_INT(t->zero_point),
    };
    #if MICROPY_PY_ATTRTUPLE
    return mp_obj_new_attrtuple(spec_fields, 4, items);
    #else
    return mp_obj_new_tuple(4, items);
    #endif
}

static mp_obj_t tensor_specs(tinyml_model_obj_t *self, int outputs) {
    uint32_t n = outputs ? tml_graph_output_count(&self->it) : tml_graph_input_count(&self->it);
    mp_obj_tuple_t *tuple = MP_OBJ_TO_PTR(mp_obj_new_tuple(n, NULL));
    for (uint32_t i = 0; i < n; i++) {
        tml_tensor_t t;
        tml_status_t s = outputs ? tml_graph_output(&self->it, i, &t) : tml_graph_input(&self->it, i, &t);
        if (s != TML_OK) {
            tinyml_raise(&self->it, s);
        }
        tuple->items[i] = tensor_spec(&t);
    }
    return MP_OBJ_FROM_PTR(tuple);
}

// Size the arena exactly with a throw-away planning workspace, then allocate (or check) it.
static void allocate_arena(tinyml_model_obj_t *self, mp_obj_t arena_arg) {
    size_t ws = tml_plan_workspace(&self->it);
    uint8_t *work = m_new(uint8_t, ws);
    tml_status_t s = tml_plan(&self->it, work, ws);
    m_del(uint8_t, work, ws);
    if (s != TML_OK) {
        tinyml_raise(&self->it, s);
    }
    size_t needed = tml_arena_needed(&self->it);
    if (arena_arg == mp_const_none) {
        self->arena = m_new(uint8_t, needed);
        self->arena_len = needed;
    } else {
        mp_buffer_info_t info;
        mp_get_buffer_raise(arena_arg, &info, MP_BUFFER_WRITE);
        self->arena_obj = arena_arg;
        self->arena = info.buf;
        self->arena_len = info.len;
    }
    s = tml_allocate(&self->it, self->arena, self->arena_len);
    if (s != TML_OK) {
        tinyml_raise(&self->it, s);
    }
}

static mp_obj_t model_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_model, ARG_arena };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_model, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_arena, MP_ARG_OBJ, {.u_obj = mp_const_none} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    tinyml_model_obj_t *self = mp_obj_malloc(tinyml_model_obj_t, type);
    self->arena_obj = MP_OBJ_NULL;
    self->arena = NULL;
    self->ticks = NULL;
    mp_obj_t model = args[ARG_model].u_obj;
    self->model_obj = mp_obj_is_str(model) ? read_file(model) : model;
    mp_buffer_info_t info;
    mp_get_buffer_raise(self->model_obj, &info, MP_BUFFER_READ);
    tml_status_t s = tml_init(&self->it, info.buf, info.len);
    if (s != TML_OK) {
        tinyml_raise(&self->it, s);
    }
    allocate_arena(self, args[ARG_arena].u_obj);
    uint32_t n_ops = tml_op_count(&self->it);
    self->ticks = m_new0(uint32_t, n_ops ? n_ops : 1);
    tml_set_profiler(&self->it, ticks_us, NULL, self->ticks);
    self->inputs = tensor_specs(self, 0);
    self->outputs = tensor_specs(self, 1);
    return MP_OBJ_FROM_PTR(self);
}

// A writable memoryview of a tensor, anchored at the arena's start so it keeps the arena alive.
static mp_obj_t tensor_view(tinyml_model_obj_t *self, mp_obj_t index, int output) {
    tml_tensor_t t;
    mp_int_t i = mp_obj_get_int(index);
    uint32_t n = output ? tml_graph_output_count(&self->it) : tml_graph_input_count(&self->it);
    if (i < 0 || (uint32_t)i >= n) {
        mp_raise_msg_varg(&mp_type_IndexError, MP_ERROR_TEXT("%s %d out of range"), output ? "output" : "input", (int)i);
    }
    tml_status_t s = output ? tml_graph_output(&self->it, i, &t) : tml_graph_input(&self->it, i, &t);
    if (s != TML_OK) {
        tinyml_raise(&self->it, s);
    }
    char code = typecode(t.type);
    size_t elem = tml_type_size(t.type);
    uint8_t *data = (uint8_t *)t.data;
    if (code == 0) {
        mp_raise_msg_varg(&mp_type_NotImplementedError, MP_ERROR_TEXT("no memoryview for tensor type %s"), dtype_name(t.type));
    }
    mp_obj_array_t *view = m_new_obj(mp_obj_array_t);
    if (data >= self->arena && data < self->arena + self->arena_len && (size_t)(data - self->arena) % elem == 0) {
        mp_obj_memoryview_init(view, code | MP_OBJ_ARRAY_TYPECODE_FLAG_RW, (data - self->arena) / elem,
            t.bytes / elem, self->arena);
    } else {
        mp_obj_memoryview_init(view, code | MP_OBJ_ARRAY_TYPECODE_FLAG_RW, 0, t.bytes / elem, data);
    }
    return MP_OBJ_FROM_PTR(view);
}

static mp_obj_t model_input(mp_obj_t self_in, mp_obj_t index) {
    return tensor_view(MP_OBJ_TO_PTR(self_in), index, 0);
}
static MP_DEFINE_CONST_FUN_OBJ_2(model_input_obj, model_input);

static mp_obj_t model_output(mp_obj_t self_in, mp_obj_t index) {
    return tensor_view(MP_OBJ_TO_PTR(self_in), index, 1);
}
static MP_DEFINE_CONST_FUN_OBJ_2(model_output_obj, model_output);

static mp_obj_t model_invoke(mp_obj_t self_in) {
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(self_in);
    tml_status_t s = tml_invoke(&self->it);
    if (s != TML_OK) {
        tinyml_raise(&self->it, s);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(model_invoke_obj, model_invoke);

#if MICROPY_PY_BUILTINS_FLOAT
// Quantise floats into input 0 (round half away from zero, saturate), invoke, dequantise output 0.
static mp_obj_t model_predict(mp_obj_t self_in, mp_obj_t x) {
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(self_in);
    tml_tensor_t in, out;
    if (tml_graph_input(&self->it, 0, &in) != TML_OK || tml_graph_output(&self->it, 0, &out) != TML_OK) {
        tinyml_raise(&self->it, self->it.error.status);
    }
    int32_t n = tml_num_elements(&in);
    if ((mp_int_t)mp_obj_get_int(mp_obj_len(x)) != n) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("input 0 needs %d values"), (int)n);
    }
    mp_obj_t iter = mp_getiter(x, NULL);
    for (int32_t i = 0; i < n; i++) {
        mp_float_t v = mp_obj_get_float(mp_iternext(iter));
        if (in.type == TML_TYPE_FLOAT32) {
            ((float *)in.data)[i] = (float)v;
        } else if (in.type == TML_TYPE_INT8) {
            mp_float_t q = v / (mp_float_t)in.scale;
            mp_int_t r = (mp_int_t)(q < 0 ? q - (mp_float_t)0.5 : q + (mp_float_t)0.5) + in.zero_point;
            ((int8_t *)in.data)[i] = (int8_t)(r < -128 ? -128 : (r > 127 ? 127 : r));
        } else {
            mp_raise_msg(&mp_type_NotImplementedError, MP_ERROR_TEXT("predict needs an int8 or float32 input"));
        }
    }
    model_invoke(self_in);
    int32_t m = tml_num_elements(&out);
    mp_obj_list_t *list = MP_OBJ_TO_PTR(mp_obj_new_list(m, NULL));
    for (int32_t i = 0; i < m; i++) {
        mp_float_t v;
        if (out.type == TML_TYPE_FLOAT32) {
            v = ((float *)out.data)[i];
        } else if (out.type == TML_TYPE_INT8) {
            v = (mp_float_t)(((int8_t *)out.data)[i] - out.zero_point) * (mp_float_t)out.scale;
        } else {
            mp_raise_msg(&mp_type_NotImplementedError, MP_ERROR_TEXT("predict needs an int8 or float32 output"));
        }
        list->items[i] = mp_obj_new_float(v);
    }
    return MP_OBJ_FROM_PTR(list);
}
static MP_DEFINE_CONST_FUN_OBJ_2(model_predict_obj, model_predict);
#endif

static mp_obj_t model_profile(mp_obj_t self_in) {
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(self_in);
    uint32_t n = tml_op_count(&self->it);
    mp_obj_list_t *list = MP_OBJ_TO_PTR(mp_obj_new_list(n, NULL));
    for (uint32_t i = 0; i < n; i++) {
        const char *name = tml_op_name(&self->it, i);
        mp_obj_t pair[2] = { mp_obj_new_str(name, strlen(name)), mp_obj_new_int_from_uint(self->ticks[i]) };
        list->items[i] = mp_obj_new_tuple(2, pair);
    }
    return MP_OBJ_FROM_PTR(list);
}
static MP_DEFINE_CONST_FUN_OBJ_1(model_profile_obj, model_profile);

static mp_obj_t model_ops(tinyml_model_obj_t *self) {
    uint32_t n = tml_op_count(&self->it);
    mp_obj_tuple_t *tuple = MP_OBJ_TO_PTR(mp_obj_new_tuple(n, NULL));
    for (uint32_t i = 0; i < n; i++) {
        const char *name = tml_op_name(&self->it, i);
        tuple->items[i] = mp_obj_new_str(name, strlen(name));
    }
    return MP_OBJ_FROM_PTR(tuple);
}

// Read-only attributes; methods come from the locals dict.
static void model_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] != MP_OBJ_NULL) {
        return;  // no stores or deletes
    }
    switch (attr) {
        case MP_QSTR_inputs:
            dest[0] = self->inputs;
            break;
        case MP_QSTR_outputs:
            dest[0] = self->outputs;
            break;
        case MP_QSTR_arena_size:
            dest[0] = mp_obj_new_int_from_uint(tml_arena_needed(&self->it));
            break;
        case MP_QSTR_ops:
            dest[0] = model_ops(self);
            break;
        default:
            dest[1] = MP_OBJ_SENTINEL;  // continue in locals_dict
            break;
    }
}

static void model_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<Model %u ops, arena %u bytes>", (unsigned)tml_op_count(&self->it),
        (unsigned)tml_arena_needed(&self->it));
}

static const mp_rom_map_elem_t model_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_input), MP_ROM_PTR(&model_input_obj) },
    { MP_ROM_QSTR(MP_QSTR_output), MP_ROM_PTR(&model_output_obj) },
    { MP_ROM_QSTR(MP_QSTR_invoke), MP_ROM_PTR(&model_invoke_obj) },
    #if MICROPY_PY_BUILTINS_FLOAT
    { MP_ROM_QSTR(MP_QSTR_predict), MP_ROM_PTR(&model_predict_obj) },
    #endif
    { MP_ROM_QSTR(MP_QSTR_profile), MP_ROM_PTR(&model_profile_obj) },
};
static MP_DEFINE_CONST_DICT(model_locals_dict, model_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    tinyml_model_type,
    MP_QSTR_Model,
    MP_TYPE_FLAG_NONE,
    make_new, model_make_new,
    print, model_print,
    attr, model_attr,
    locals_dict, &model_locals_dict
    );
