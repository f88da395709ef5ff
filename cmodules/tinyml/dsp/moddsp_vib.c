// tinyml.dsp.Vibration(n, fs, bands=(), axes=3): RMS, peak, crest, kurtosis and band energies
// per axis over a window of n interleaved samples (see tml_vib.h for the definitions).
#include "moddsp.h"
#include "tml_vib.h"

typedef struct {
    mp_obj_base_t base;
    tml_vib_t vib;
    float mem[];
} dsp_vib_obj_t;

static mp_obj_t vib_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_n, ARG_fs, ARG_bands, ARG_axes };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_n, MP_ARG_REQUIRED | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_fs, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_bands, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_axes, MP_ARG_INT, {.u_int = 3} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, args);

    tml_vib_config_t cfg;
    float lo[TML_VIB_MAX_BANDS], hi[TML_VIB_MAX_BANDS];
    mp_int_t n = args[ARG_n].u_int, axes = args[ARG_axes].u_int;
    cfg.fs = mp_obj_get_float_to_f(args[ARG_fs].u_obj);
    if (!(cfg.fs > 0.0f)) {
        mp_raise_ValueError(MP_ERROR_TEXT("fs must be > 0"));
    }
    if (axes < 1 || axes > TML_VIB_MAX_AXES) {
        mp_raise_ValueError(MP_ERROR_TEXT("axes must be in 1..8"));
    }
    size_t n_bands = 0;
    mp_obj_t *bands = NULL;
    if (args[ARG_bands].u_obj != mp_const_none) {
        mp_obj_get_array(args[ARG_bands].u_obj, &n_bands, &bands);
    }
    if (n_bands > TML_VIB_MAX_BANDS) {
        mp_raise_ValueError(MP_ERROR_TEXT("at most 32 bands"));
    }
    for (size_t b = 0; b < n_bands; b++) {
        mp_obj_t *edge;
        mp_obj_get_array_fixed_n(bands[b], 2, &edge);
        lo[b] = mp_obj_get_float_to_f(edge[0]);
        hi[b] = mp_obj_get_float_to_f(edge[1]);
        if (!(lo[b] >= 0.0f && lo[b] < hi[b])) {
            mp_raise_ValueError(MP_ERROR_TEXT("each band must be (lo, hi) with 0 <= lo < hi"));
        }
    }
    if (n < 2 || n > 0xffff || (n_bands && !tml_rfft_size_ok((uint32_t)n))) {
        mp_raise_ValueError(n_bands
            ? MP_ERROR_TEXT("n must be a power of two in 64..2048 when bands are given")
            : MP_ERROR_TEXT("n must be in 2..65535"));
    }
    cfg.n = n;
    cfg.n_axes = axes;
    cfg.n_bands = n_bands;
    uint32_t ws = tml_vib_workspace_len(&cfg);
    dsp_vib_obj_t *self = mp_obj_malloc_var(dsp_vib_obj_t, mem, float, ws, type);
    tml_dsp_status_t st = tml_vib_init(&self->vib, &cfg, lo, hi, self->mem, ws);
    if (st != TML_DSP_OK) {
        dsp_raise(st, "Vibration");
    }
    return MP_OBJ_FROM_PTR(self);
}

// features(samples, out): samples n*axes interleaved; out axes*(4+len(bands)) floats.
static mp_obj_t vib_features(mp_obj_t self_in, mp_obj_t samples_in, mp_obj_t out_in) {
    dsp_vib_obj_t *self = MP_OBJ_TO_PTR(self_in);
    const tml_vib_config_t *c = &self->vib.cfg;
    float *out = dsp_get_floats_out(out_in, tml_vib_out_len(c), "out");
    dsp_samples_t s;
    dsp_get_samples(samples_in, &s, "samples", MP_BUFFER_READ);
    dsp_check_len(s.len, c->n * c->n_axes, "samples");
    if (s.kind == DSP_I16) {
        tml_vib_features_i16(&self->vib, s.ptr, out);
    } else {
        tml_vib_features_f32(&self->vib, s.ptr, out);
    }
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(vib_features_obj, vib_features);

static void vib_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    dsp_vib_obj_t *self = MP_OBJ_TO_PTR(self_in);
    const tml_vib_config_t *c = &self->vib.cfg;
    mp_int_t v;
    switch (attr) {
        case MP_QSTR_n: v = c->n; break;
        case MP_QSTR_axes: v = c->n_axes; break;
        case MP_QSTR_n_out: v = tml_vib_out_len(c); break;
        default:
            dest[1] = MP_OBJ_SENTINEL;  // methods: look in locals_dict
            return;
    }
    if (dest[0] == MP_OBJ_NULL) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(v);
    }
}

static const mp_rom_map_elem_t vib_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_features), MP_ROM_PTR(&vib_features_obj) },
};
static MP_DEFINE_CONST_DICT(vib_locals, vib_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    dsp_vibration_type,
    MP_QSTR_Vibration,
    MP_TYPE_FLAG_NONE,
    make_new, vib_make_new,
    attr, vib_attr,
    locals_dict, &vib_locals
    );
