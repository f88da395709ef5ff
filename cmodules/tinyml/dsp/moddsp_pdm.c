// tinyml.dsp.PDM(decimation=64, order=5, hpf=10, gain=0): streaming PDM bitstream to int16 PCM
// (tml_pdm.h has the bit order and the filter). decode() allocates nothing.
#include "moddsp.h"
#include "py/binary.h"
#include "tml_pdm.h"

typedef struct {
    mp_obj_base_t base;
    tml_pdm_t pdm;
} dsp_pdm_obj_t;

static mp_obj_t pdm_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_decimation, ARG_order, ARG_hpf, ARG_gain };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_decimation, MP_ARG_INT, {.u_int = 64} },
        { MP_QSTR_order, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 5} },
        { MP_QSTR_hpf, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 10} },
        { MP_QSTR_gain, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 0} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, args);
    mp_int_t r = args[ARG_decimation].u_int, n = args[ARG_order].u_int;
    mp_int_t hpf = args[ARG_hpf].u_int, gain = args[ARG_gain].u_int;
    if (r != 8 && r != 16 && r != 32 && r != 64 && r != 128) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("decimation %d not supported: use 8, 16, 32, 64 or 128"), (int)r);
    }
    if (n < 2 || n > TML_PDM_MAX_ORDER) {
        mp_raise_ValueError(MP_ERROR_TEXT("order must be in 2..5"));
    }
    if ((r == 128 && n > 4)) {
        mp_raise_ValueError(MP_ERROR_TEXT("decimation 128 needs order <= 4 (CIC gain R^N must fit 2^30)"));
    }
    if (hpf != 0 && (hpf < 4 || hpf > 15)) {
        mp_raise_ValueError(MP_ERROR_TEXT("hpf must be 0 (off) or 4..15"));
    }
    if (gain < 0 || gain > 9) {
        mp_raise_ValueError(MP_ERROR_TEXT("gain must be in 0..9 (bits)"));
    }
    dsp_pdm_obj_t *self = mp_obj_malloc(dsp_pdm_obj_t, type);
    tml_dsp_status_t st = tml_pdm_init(&self->pdm, r, n, hpf, gain);
    if (st != TML_DSP_OK) {
        dsp_raise(st, "PDM");
    }
    return MP_OBJ_FROM_PTR(self);
}

// decode(src, out) -> samples written to out. src: the raw I2S words (bytes-like, 'h' or 'H'),
// an even byte count; out: int16 ('h' or raw bytes) with room for outputs(len(src)) samples.
static mp_obj_t pdm_decode(mp_obj_t self_in, mp_obj_t src_in, mp_obj_t out_in) {
    dsp_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_buffer_info_t src;
    mp_get_buffer_raise(src_in, &src, MP_BUFFER_READ);
    char tc = src.typecode;
    if (tc != 'B' && tc != BYTEARRAY_TYPECODE && tc != 'h' && tc != 'H') {
        mp_raise_TypeError(MP_ERROR_TEXT("src must be bytes-like or an int16 array of I2S words"));
    }
    if (src.len % 2) {
        mp_raise_ValueError(MP_ERROR_TEXT("src must hold whole 16-bit I2S words (even byte count)"));
    }
    dsp_samples_t out;
    dsp_get_samples(out_in, &out, "out", MP_BUFFER_WRITE);
    if (out.kind != DSP_I16) {
        mp_raise_TypeError(MP_ERROR_TEXT("out must be an int16 ('h') buffer"));
    }
    uint32_t need = tml_pdm_outputs(&self->pdm, src.len);
    if (out.len < need) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("out must hold at least %d samples, got %d"),
            (int)need, (int)out.len);
    }
    return MP_OBJ_NEW_SMALL_INT(tml_pdm_decode(&self->pdm, (const uint8_t *)src.buf, src.len, (int16_t *)out.ptr));
}
static MP_DEFINE_CONST_FUN_OBJ_3(pdm_decode_obj, pdm_decode);

// outputs(nbytes) -> samples that nbytes more input give from the current state.
static mp_obj_t pdm_outputs(mp_obj_t self_in, mp_obj_t n_in) {
    dsp_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_int_t n = mp_obj_get_int(n_in);
    if (n < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("nbytes must be >= 0"));
    }
    return mp_obj_new_int_from_uint(tml_pdm_outputs(&self->pdm, (size_t)n));
}
static MP_DEFINE_CONST_FUN_OBJ_2(pdm_outputs_obj, pdm_outputs);

// ones() -> 1 bits in the last decode() input (0 or all of them: a stuck data line).
static mp_obj_t pdm_ones(mp_obj_t self_in) {
    dsp_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return mp_obj_new_int_from_uint(self->pdm.ones);
}
static MP_DEFINE_CONST_FUN_OBJ_1(pdm_ones_obj, pdm_ones);

// level() -> sum of |sample| over the last decode() output.
static mp_obj_t pdm_level(mp_obj_t self_in) {
    dsp_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return mp_obj_new_int_from_uint(self->pdm.abs_sum);
}
static MP_DEFINE_CONST_FUN_OBJ_1(pdm_level_obj, pdm_level);

static mp_obj_t pdm_reset(mp_obj_t self_in) {
    dsp_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    tml_pdm_reset(&self->pdm);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(pdm_reset_obj, pdm_reset);

static const mp_rom_map_elem_t pdm_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_decode), MP_ROM_PTR(&pdm_decode_obj) },
    { MP_ROM_QSTR(MP_QSTR_outputs), MP_ROM_PTR(&pdm_outputs_obj) },
    { MP_ROM_QSTR(MP_QSTR_ones), MP_ROM_PTR(&pdm_ones_obj) },
    { MP_ROM_QSTR(MP_QSTR_level), MP_ROM_PTR(&pdm_level_obj) },
    { MP_ROM_QSTR(MP_QSTR_reset), MP_ROM_PTR(&pdm_reset_obj) },
};
static MP_DEFINE_CONST_DICT(pdm_locals, pdm_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    dsp_pdm_type,
    MP_QSTR_PDM,
    MP_TYPE_FLAG_NONE,
    make_new, pdm_make_new,
    locals_dict, &pdm_locals
    );
