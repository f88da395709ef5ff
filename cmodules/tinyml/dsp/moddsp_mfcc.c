// tinyml.dsp.MFCC(...): power spectrum, mel energies, log-mel and MFCC of one audio frame.
// Defaults are the keyword-spotting setup: 16 kHz, 30 ms frames (480) in a 512 FFT, 40 mel bands
// from 20 Hz to 4 kHz, 13 coefficients, Hann window.
#include "moddsp.h"
#include "tml_mel.h"
#include "tml_window.h"

typedef struct {
    mp_obj_base_t base;
    tml_mel_t mel;
    float energies[TML_MEL_MAX_BANDS];
    float *power;      // n_bins
    float mem[];       // workspace, then power
} dsp_mfcc_obj_t;

static mp_obj_t mfcc_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_sample_rate, ARG_frame_len, ARG_n_fft, ARG_n_mels, ARG_n_mfcc, ARG_fmin, ARG_fmax, ARG_window };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_sample_rate, MP_ARG_INT, {.u_int = 16000} },
        { MP_QSTR_frame_len, MP_ARG_INT, {.u_int = 480} },
        { MP_QSTR_n_fft, MP_ARG_INT, {.u_int = 512} },
        { MP_QSTR_n_mels, MP_ARG_INT, {.u_int = 40} },
        { MP_QSTR_n_mfcc, MP_ARG_INT, {.u_int = 13} },
        { MP_QSTR_fmin, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_fmax, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_window, MP_ARG_INT, {.u_int = TML_WINDOW_HANN} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, args);

    tml_mel_config_t cfg;
    mp_int_t sr = args[ARG_sample_rate].u_int;
    mp_int_t frame_len = args[ARG_frame_len].u_int, n_fft = args[ARG_n_fft].u_int;
    mp_int_t n_mels = args[ARG_n_mels].u_int, n_mfcc = args[ARG_n_mfcc].u_int;
    if (sr <= 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("sample_rate must be > 0"));
    }
    if (n_fft < 0 || !tml_rfft_size_ok((uint32_t)n_fft)) {
        mp_raise_ValueError(MP_ERROR_TEXT("n_fft must be a power of two in 64..2048"));
    }
    if (frame_len < 1 || frame_len > n_fft) {
        mp_raise_ValueError(MP_ERROR_TEXT("frame_len must be in 1..n_fft"));
    }
    if (n_mels < 1 || n_mels > TML_MEL_MAX_BANDS) {
        mp_raise_ValueError(MP_ERROR_TEXT("n_mels must be in 1..128"));
    }
    if (n_mfcc < 0 || n_mfcc > n_mels) {
        mp_raise_ValueError(MP_ERROR_TEXT("n_mfcc must be in 0..n_mels"));
    }
    cfg.sample_rate = (float)sr;
    cfg.frame_len = frame_len;
    cfg.n_fft = n_fft;
    cfg.n_mels = n_mels;
    cfg.n_mfcc = n_mfcc;
    cfg.fmin = args[ARG_fmin].u_obj == mp_const_none ? 20.0f : mp_obj_get_float_to_f(args[ARG_fmin].u_obj);
    cfg.fmax = args[ARG_fmax].u_obj == mp_const_none ? 4000.0f : mp_obj_get_float_to_f(args[ARG_fmax].u_obj);
    cfg.window = args[ARG_window].u_int;
    if (!(cfg.fmin >= 0.0f && cfg.fmin < cfg.fmax && cfg.fmax <= 0.5f * cfg.sample_rate)) {
        mp_raise_ValueError(MP_ERROR_TEXT("need 0 <= fmin < fmax <= sample_rate/2"));
    }
    if (cfg.window < TML_WINDOW_NONE || cfg.window > TML_WINDOW_HAMMING) {
        mp_raise_ValueError(MP_ERROR_TEXT("window must be NONE, HANN or HAMMING"));
    }
    uint32_t ws = tml_mel_workspace_len(&cfg);
    uint32_t n_bins = n_fft / 2 + 1;
    dsp_mfcc_obj_t *self = mp_obj_malloc_var(dsp_mfcc_obj_t, mem, float, ws + n_bins, type);
    tml_dsp_status_t st = tml_mel_init(&self->mel, &cfg, self->mem, ws);
    if (st != TML_DSP_OK) {
        dsp_raise(st, "MFCC");
    }
    self->power = self->mem + ws;
    return MP_OBJ_FROM_PTR(self);
}

static void frame_power(dsp_mfcc_obj_t *self, mp_obj_t frame_in, float *power) {
    dsp_samples_t f;
    dsp_get_samples(frame_in, &f, "frame", MP_BUFFER_READ);
    dsp_check_len(f.len, self->mel.cfg.frame_len, "frame");
    if (f.kind == DSP_I16) {
        tml_mel_power_i16(&self->mel, f.ptr, power);
    } else {
        tml_mel_power_f32(&self->mel, f.ptr, power);
    }
}

// power(frame, out): |rfft(window * frame) / n_fft|^2, n_fft/2+1 values.
static mp_obj_t mfcc_power(mp_obj_t self_in, mp_obj_t frame_in, mp_obj_t out_in) {
    dsp_mfcc_obj_t *self = MP_OBJ_TO_PTR(self_in);
    float *out = dsp_get_floats_out(out_in, self->mel.n_bins, "out");
    frame_power(self, frame_in, out);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(mfcc_power_obj, mfcc_power);

// melspec(frame, out): mel band energies, n_mels values.
static mp_obj_t mfcc_melspec(mp_obj_t self_in, mp_obj_t frame_in, mp_obj_t out_in) {
    dsp_mfcc_obj_t *self = MP_OBJ_TO_PTR(self_in);
    float *out = dsp_get_floats_out(out_in, self->mel.cfg.n_mels, "out");
    frame_power(self, frame_in, self->power);
    tml_mel_energies(&self->mel, self->power, out);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(mfcc_melspec_obj, mfcc_melspec);

// logmel(frame, out): ln(mel energies + 1e-10), n_mels values.
static mp_obj_t mfcc_logmel(mp_obj_t self_in, mp_obj_t frame_in, mp_obj_t out_in) {
    dsp_mfcc_obj_t *self = MP_OBJ_TO_PTR(self_in);
    float *out = dsp_get_floats_out(out_in, self->mel.cfg.n_mels, "out");
    frame_power(self, frame_in, self->power);
    tml_mel_energies(&self->mel, self->power, out);
    tml_mel_log(&self->mel, out);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(mfcc_logmel_obj, mfcc_logmel);

// mfcc(frame, out): n_mfcc cepstral coefficients.
static mp_obj_t mfcc_mfcc(mp_obj_t self_in, mp_obj_t frame_in, mp_obj_t out_in) {
    dsp_mfcc_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->mel.cfg.n_mfcc == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("built with n_mfcc=0"));
    }
    float *out = dsp_get_floats_out(out_in, self->mel.cfg.n_mfcc, "out");
    frame_power(self, frame_in, self->power);
    tml_mel_energies(&self->mel, self->power, self->energies);
    tml_mel_log(&self->mel, self->energies);
    tml_mel_dct(&self->mel, self->energies, out);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(mfcc_mfcc_obj, mfcc_mfcc);

static void mfcc_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    dsp_mfcc_obj_t *self = MP_OBJ_TO_PTR(self_in);
    const tml_mel_config_t *c = &self->mel.cfg;
    mp_int_t v;
    switch (attr) {
        case MP_QSTR_frame_len: v = c->frame_len; break;
        case MP_QSTR_n_fft: v = c->n_fft; break;
        case MP_QSTR_n_bins: v = self->mel.n_bins; break;
        case MP_QSTR_n_mels: v = c->n_mels; break;
        case MP_QSTR_n_mfcc: v = c->n_mfcc; break;
        default:
            dest[1] = MP_OBJ_SENTINEL;  // methods: look in locals_dict
            return;
    }
    if (dest[0] == MP_OBJ_NULL) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(v);
    }
}

static const mp_rom_map_elem_t mfcc_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_power), MP_ROM_PTR(&mfcc_power_obj) },
    { MP_ROM_QSTR(MP_QSTR_melspec), MP_ROM_PTR(&mfcc_melspec_obj) },
    { MP_ROM_QSTR(MP_QSTR_logmel), MP_ROM_PTR(&mfcc_logmel_obj) },
    { MP_ROM_QSTR(MP_QSTR_mfcc), MP_ROM_PTR(&mfcc_mfcc_obj) },
};
static MP_DEFINE_CONST_DICT(mfcc_locals, mfcc_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    dsp_mfcc_type,
    MP_QSTR_MFCC,
    MP_TYPE_FLAG_NONE,
    make_new, mfcc_make_new,
    attr, mfcc_attr,
    locals_dict, &mfcc_locals
    );
