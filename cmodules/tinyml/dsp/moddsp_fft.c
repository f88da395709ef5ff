// tinyml.dsp.RFFT(n, window=NONE): real FFT of n samples; spectrum, magnitude or power.
#include "moddsp.h"
#include "tml_fft.h"
#include "tml_window.h"

typedef struct {
    mp_obj_base_t base;
    tml_rfft_t plan;
    int window_kind;
    float *window;     // n, or NULL for a rectangular window
    float *scratch;    // n + 2
    float mem[];       // table, window, scratch
} dsp_rfft_obj_t;

static mp_obj_t rfft_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_n, ARG_window };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_n, MP_ARG_REQUIRED | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_window, MP_ARG_INT, {.u_int = TML_WINDOW_NONE} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, args);
    mp_int_t n = args[ARG_n].u_int;
    int kind = args[ARG_window].u_int;
    if (n < 0 || !tml_rfft_size_ok((uint32_t)n)) {
        mp_raise_ValueError(MP_ERROR_TEXT("FFT size must be a power of two in 64..2048"));
    }
    if (kind < TML_WINDOW_NONE || kind > TML_WINDOW_HAMMING) {
        mp_raise_ValueError(MP_ERROR_TEXT("window must be NONE, HANN or HAMMING"));
    }
    size_t mem = tml_rfft_table_len(n) + n + (n + 2);
    dsp_rfft_obj_t *self = mp_obj_malloc_var(dsp_rfft_obj_t, mem, float, mem, type);
    tml_rfft_init(&self->plan, n, self->mem, tml_rfft_table_len(n));
    self->window_kind = kind;
    self->window = NULL;
    if (kind != TML_WINDOW_NONE) {
        self->window = self->mem + tml_rfft_table_len(n);
        tml_window_fill(self->window, n, kind);
    }
    self->scratch = self->mem + tml_rfft_table_len(n) + n;
    return MP_OBJ_FROM_PTR(self);
}

// Windowed copy of x into scratch, then the packed transform; int16 is scaled by 1/32768.
static float *transform(dsp_rfft_obj_t *self, mp_obj_t x_in) {
    const uint32_t n = self->plan.n;
    dsp_samples_t x;
    dsp_get_samples(x_in, &x, "x", MP_BUFFER_READ);
    dsp_check_len(x.len, n, "x");
    float *buf = self->scratch;
    if (x.kind == DSP_I16) {
        const int16_t *s = x.ptr;
        for (uint32_t i = 0; i < n; i++) {
            buf[i] = (float)s[i] * (1.0f / 32768.0f);
        }
    } else {
        const float *s = x.ptr;
        for (uint32_t i = 0; i < n; i++) {
            buf[i] = s[i];
        }
    }
    if (self->window) {
        for (uint32_t i = 0; i < n; i++) {
            buf[i] *= self->window[i];
        }
    }
    tml_rfft_packed(&self->plan, buf);
    return buf;
}

// rfft(x, out): out gets n+2 floats, re/im of bins 0..n/2 (numpy.fft.rfft layout).
static mp_obj_t rfft_rfft(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    dsp_rfft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    float *out = dsp_get_floats_out(out_in, self->plan.n + 2, "out");
    float *buf = transform(self, x_in);
    tml_rfft_unpack(&self->plan, buf, out);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(rfft_rfft_obj, rfft_rfft);

// power(x, out): |X[k]|^2 for k = 0..n/2.
static mp_obj_t rfft_power(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    dsp_rfft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    float *out = dsp_get_floats_out(out_in, self->plan.n / 2 + 1, "out");
    tml_rfft_power(&self->plan, transform(self, x_in), out);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(rfft_power_obj, rfft_power);

// magnitude(x, out): |X[k]| for k = 0..n/2.
static mp_obj_t rfft_magnitude(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    dsp_rfft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    float *out = dsp_get_floats_out(out_in, self->plan.n / 2 + 1, "out");
    tml_rfft_magnitude(&self->plan, transform(self, x_in), out);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(rfft_magnitude_obj, rfft_magnitude);

static void rfft_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    dsp_rfft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_n) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(self->plan.n);
    } else if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_n_bins) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(self->plan.n / 2 + 1);
    } else {
        dest[1] = MP_OBJ_SENTINEL;  // methods: look in locals_dict
    }
}

static const mp_rom_map_elem_t rfft_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_rfft), MP_ROM_PTR(&rfft_rfft_obj) },
    { MP_ROM_QSTR(MP_QSTR_power), MP_ROM_PTR(&rfft_power_obj) },
    { MP_ROM_QSTR(MP_QSTR_magnitude), MP_ROM_PTR(&rfft_magnitude_obj) },
};
static MP_DEFINE_CONST_DICT(rfft_locals, rfft_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    dsp_rfft_type,
    MP_QSTR_RFFT,
    MP_TYPE_FLAG_NONE,
    make_new, rfft_make_new,
    attr, rfft_attr,
    locals_dict, &rfft_locals
    );
