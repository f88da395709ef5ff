// tinyml.dsp.Ring(capacity, typecode='h'): SPSC ring for streaming samples. write() allocates
// nothing and may be called from an IRQ handler or I2S callback; frame(out, hop) slices the
// stream into (overlapping) frames so audio is processed continuously without gaps.
#include "moddsp.h"
#include "py/binary.h"
#include "tml_ring.h"

typedef struct {
    mp_obj_base_t base;
    tml_ring_t ring;
    char typecode;
    uint8_t mem[];
} dsp_ring_obj_t;

static size_t item_size_of(char typecode) {
    switch (typecode) {
        case 'b': case 'B': return 1;
        case 'h': case 'H': return 2;
        case 'i': case 'I': case 'f': return 4;
        default: return 0;
    }
}

static mp_obj_t ring_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_capacity, ARG_typecode };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_capacity, MP_ARG_REQUIRED | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_typecode, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_QSTR(MP_QSTR_h)} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, args);
    mp_int_t cap = args[ARG_capacity].u_int;
    size_t tc_len;
    const char *tc = mp_obj_str_get_data(args[ARG_typecode].u_obj, &tc_len);
    size_t item = tc_len == 1 ? item_size_of(tc[0]) : 0;
    if (item == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("typecode must be one of 'bBhHiIf'"));
    }
    if (cap < 1 || (size_t)cap > 0x7fffffff / item) {
        mp_raise_ValueError(MP_ERROR_TEXT("capacity must be >= 1"));
    }
    dsp_ring_obj_t *self = mp_obj_malloc_var(dsp_ring_obj_t, mem, uint8_t, cap * item + 3, type);
    // Items are copied with memcpy, but keep storage 4-byte aligned for readers of the buffer.
    uint8_t *storage = (uint8_t *)(((uintptr_t)self->mem + 3) & ~(uintptr_t)3);
    tml_ring_init(&self->ring, storage, cap, item);
    self->typecode = tc[0];
    return MP_OBJ_FROM_PTR(self);
}

// Items in a buffer of the ring's item size (or raw bytes, a whole number of items).
static void *ring_buffer(dsp_ring_obj_t *self, mp_obj_t obj, mp_uint_t flags, uint32_t *n_items, const char *what) {
    mp_buffer_info_t bi;
    mp_get_buffer_raise(obj, &bi, flags);
    size_t item = self->ring.item_size;
    int raw = bi.typecode == BYTEARRAY_TYPECODE || bi.typecode == 'B';
    if (!raw && item_size_of(bi.typecode) != item) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%s items must be %d bytes like the ring's"),
            what, (int)item);
    }
    if (bi.len % item) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s is not a whole number of items"), what);
    }
    *n_items = bi.len / item;
    return bi.buf;
}

// write(buf) -> items taken (the rest is dropped and counted). IRQ-safe.
static mp_obj_t ring_write(mp_obj_t self_in, mp_obj_t buf_in) {
    dsp_ring_obj_t *self = MP_OBJ_TO_PTR(self_in);
    uint32_t n;
    void *p = ring_buffer(self, buf_in, MP_BUFFER_READ, &n, "buf");
    return MP_OBJ_NEW_SMALL_INT(tml_ring_write(&self->ring, p, n));
}
static MP_DEFINE_CONST_FUN_OBJ_2(ring_write_obj, ring_write);

// read(buf) -> items copied into buf (up to its length).
static mp_obj_t ring_read(mp_obj_t self_in, mp_obj_t buf_in) {
    dsp_ring_obj_t *self = MP_OBJ_TO_PTR(self_in);
    uint32_t n;
    void *p = ring_buffer(self, buf_in, MP_BUFFER_WRITE, &n, "buf");
    return MP_OBJ_NEW_SMALL_INT(tml_ring_read(&self->ring, p, n));
}
static MP_DEFINE_CONST_FUN_OBJ_2(ring_read_obj, ring_read);

// frame(buf, hop) -> True when a full frame (len(buf) items) was copied and hop items consumed.
static mp_obj_t ring_frame(mp_obj_t self_in, mp_obj_t buf_in, mp_obj_t hop_in) {
    dsp_ring_obj_t *self = MP_OBJ_TO_PTR(self_in);
    uint32_t n;
    void *p = ring_buffer(self, buf_in, MP_BUFFER_WRITE, &n, "frame");
    mp_int_t hop = mp_obj_get_int(hop_in);
    if (n == 0 || n > self->ring.capacity) {
        mp_raise_ValueError(MP_ERROR_TEXT("frame must hold 1..capacity items"));
    }
    if (hop < 1 || (mp_uint_t)hop > self->ring.capacity) {
        mp_raise_ValueError(MP_ERROR_TEXT("hop must be in 1..capacity"));
    }
    return mp_obj_new_bool(tml_ring_frame(&self->ring, p, n, hop));
}
static MP_DEFINE_CONST_FUN_OBJ_3(ring_frame_obj, ring_frame);

static mp_obj_t ring_available(mp_obj_t self_in) {
    dsp_ring_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return MP_OBJ_NEW_SMALL_INT(tml_ring_available(&self->ring));
}
static MP_DEFINE_CONST_FUN_OBJ_1(ring_available_obj, ring_available);

static mp_obj_t ring_space(mp_obj_t self_in) {
    dsp_ring_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return MP_OBJ_NEW_SMALL_INT(tml_ring_space(&self->ring));
}
static MP_DEFINE_CONST_FUN_OBJ_1(ring_space_obj, ring_space);

static mp_obj_t ring_dropped(mp_obj_t self_in) {
    dsp_ring_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return mp_obj_new_int_from_uint(self->ring.dropped);
}
static MP_DEFINE_CONST_FUN_OBJ_1(ring_dropped_obj, ring_dropped);

static mp_obj_t ring_clear(mp_obj_t self_in) {
    dsp_ring_obj_t *self = MP_OBJ_TO_PTR(self_in);
    tml_ring_clear(&self->ring);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(ring_clear_obj, ring_clear);

static mp_obj_t ring_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    dsp_ring_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (op) {
        case MP_UNARY_OP_LEN:
            return MP_OBJ_NEW_SMALL_INT(tml_ring_available(&self->ring));
        case MP_UNARY_OP_BOOL:
            return mp_obj_new_bool(tml_ring_available(&self->ring) != 0);
        default:
            return MP_OBJ_NULL;
    }
}

static const mp_rom_map_elem_t ring_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&ring_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&ring_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_frame), MP_ROM_PTR(&ring_frame_obj) },
    { MP_ROM_QSTR(MP_QSTR_available), MP_ROM_PTR(&ring_available_obj) },
    { MP_ROM_QSTR(MP_QSTR_space), MP_ROM_PTR(&ring_space_obj) },
    { MP_ROM_QSTR(MP_QSTR_dropped), MP_ROM_PTR(&ring_dropped_obj) },
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&ring_clear_obj) },
};
static MP_DEFINE_CONST_DICT(ring_locals, ring_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    dsp_ring_type,
    MP_QSTR_Ring,
    MP_TYPE_FLAG_NONE,
    make_new, ring_make_new,
    unary_op, ring_unary_op,
    locals_dict, &ring_locals
    );
