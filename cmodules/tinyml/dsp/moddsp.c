// tinyml.dsp: feature extraction in C (FFT, mel/MFCC, vibration statistics, streaming ring,
// PDM microphone decimation).
// The numbers are defined by host/tinydev/ml/features.py; the C core lives in tml_*.c.
#include <string.h>
#include "py/binary.h"
#include "moddsp.h"
#include "tml_window.h"
#include "tml_quant.h"

static int is_raw_bytes(char typecode) {
    return typecode == 'B' || typecode == BYTEARRAY_TYPECODE;
}

static void check_aligned(const void *p, size_t align, const char *what) {
    if ((uintptr_t)p % align) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s is not %d-byte aligned"), what, (int)align);
    }
}

void dsp_get_samples(mp_obj_t obj, dsp_samples_t *s, const char *what, mp_uint_t flags) {
    mp_buffer_info_t bi;
    mp_get_buffer_raise(obj, &bi, flags);
    char tc = bi.typecode;
    if (tc == 'h' || is_raw_bytes(tc)) {
        if (bi.len % 2) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s has an odd byte count for int16"), what);
        }
        s->kind = DSP_I16;
        s->len = bi.len / 2;
        check_aligned(bi.buf, 2, what);
    } else if (tc == 'f') {
        s->kind = DSP_F32;
        s->len = bi.len / 4;
        check_aligned(bi.buf, 4, what);
    } else {
        mp_raise_msg_varg(&mp_type_TypeError,
            MP_ERROR_TEXT("%s must be an int16 ('h') or float32 ('f') buffer"), what);
    }
    s->ptr = bi.buf;
}

static float *get_floats(mp_obj_t obj, size_t *len, const char *what, mp_uint_t flags) {
    mp_buffer_info_t bi;
    mp_get_buffer_raise(obj, &bi, flags);
    if (bi.typecode != 'f' && !is_raw_bytes(bi.typecode)) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%s must be a float32 ('f') buffer"), what);
    }
    if (bi.len % 4) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s byte count is not a multiple of 4"), what);
    }
    check_aligned(bi.buf, 4, what);
    *len = bi.len / 4;
    return (float *)bi.buf;
}

float *dsp_get_floats_out(mp_obj_t obj, size_t len, const char *what) {
    size_t got;
    float *p = get_floats(obj, &got, what, MP_BUFFER_WRITE);
    if (len) {
        dsp_check_len(got, len, what);
    }
    return p;
}

const float *dsp_get_floats_in(mp_obj_t obj, size_t *len, const char *what) {
    return get_floats(obj, len, what, MP_BUFFER_READ);
}

void dsp_check_len(size_t got, size_t want, const char *what) {
    if (got != want) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s must hold %d values, got %d"),
            what, (int)want, (int)got);
    }
}

MP_NORETURN void dsp_raise(tml_dsp_status_t st, const char *what) {
    switch (st) {
        case TML_DSP_BAD_SIZE:
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s: bad size"), what);
        case TML_DSP_BAD_PARAM:
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s: parameter out of range"), what);
        default:
            mp_raise_msg_varg(&mp_type_RuntimeError, MP_ERROR_TEXT("%s: internal error %d"), what, (int)st);
    }
}

// window(out, kind=HANN): fill a float32 buffer with the periodic window of its length.
static mp_obj_t dsp_window(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_out, ARG_kind };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_out, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_kind, MP_ARG_INT, {.u_int = TML_WINDOW_HANN} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed), allowed, args);
    size_t n;
    float *w = get_floats(args[ARG_out].u_obj, &n, "out", MP_BUFFER_WRITE);
    if (n == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("out is empty"));
    }
    if (tml_window_fill(w, n, args[ARG_kind].u_int) != TML_DSP_OK) {
        mp_raise_ValueError(MP_ERROR_TEXT("window kind must be NONE, HANN or HAMMING"));
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(dsp_window_obj, 1, dsp_window);

// quantize(x, out, scale, zero_point): float32 features to int8 model input (see tml_quant.h).
static mp_obj_t dsp_quantize(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_x, ARG_out, ARG_scale, ARG_zero_point };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_x, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_out, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_scale, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_zero_point, MP_ARG_INT, {.u_int = 0} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed), allowed, args);
    size_t n;
    const float *x = dsp_get_floats_in(args[ARG_x].u_obj, &n, "x");
    mp_buffer_info_t bi;
    mp_get_buffer_raise(args[ARG_out].u_obj, &bi, MP_BUFFER_WRITE);
    if (bi.typecode != 'b' && !is_raw_bytes(bi.typecode)) {
        mp_raise_TypeError(MP_ERROR_TEXT("out must be an int8 ('b') or bytes-like buffer"));
    }
    dsp_check_len(bi.len, n, "out");
    float scale = mp_obj_get_float_to_f(args[ARG_scale].u_obj);
    if (!(scale > 0.0f)) {
        mp_raise_ValueError(MP_ERROR_TEXT("scale must be > 0"));
    }
    mp_int_t zp = args[ARG_zero_point].u_int;
    if (zp < -128 || zp > 127) {
        mp_raise_ValueError(MP_ERROR_TEXT("zero_point must be in -128..127"));
    }
    tml_quantize_s8(x, (int8_t *)bi.buf, n, scale, zp);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(dsp_quantize_obj, 3, dsp_quantize);

static const mp_rom_map_elem_t dsp_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_dsp) },
    { MP_ROM_QSTR(MP_QSTR_window), MP_ROM_PTR(&dsp_window_obj) },
    { MP_ROM_QSTR(MP_QSTR_quantize), MP_ROM_PTR(&dsp_quantize_obj) },
    { MP_ROM_QSTR(MP_QSTR_RFFT), MP_ROM_PTR(&dsp_rfft_type) },
    { MP_ROM_QSTR(MP_QSTR_MFCC), MP_ROM_PTR(&dsp_mfcc_type) },
    { MP_ROM_QSTR(MP_QSTR_Vibration), MP_ROM_PTR(&dsp_vibration_type) },
    { MP_ROM_QSTR(MP_QSTR_Ring), MP_ROM_PTR(&dsp_ring_type) },
    { MP_ROM_QSTR(MP_QSTR_PDM), MP_ROM_PTR(&dsp_pdm_type) },
    { MP_ROM_QSTR(MP_QSTR_NONE), MP_ROM_INT(TML_WINDOW_NONE) },
    { MP_ROM_QSTR(MP_QSTR_HANN), MP_ROM_INT(TML_WINDOW_HANN) },
    { MP_ROM_QSTR(MP_QSTR_HAMMING), MP_ROM_INT(TML_WINDOW_HAMMING) },
};
static MP_DEFINE_CONST_DICT(dsp_module_globals, dsp_module_globals_table);

const mp_obj_module_t tinyml_dsp_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&dsp_module_globals,
};
