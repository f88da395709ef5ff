// Shared helpers of the tinyml.dsp binding (buffers in, status codes out). Binding files only.
#ifndef MODDSP_H
#define MODDSP_H

#include "py/runtime.h"
#include "tml_dsp_status.h"

typedef enum {
    DSP_I16,   // array('h'), or raw bytes read as little-endian int16 (what I2S.readinto gives)
    DSP_F32,   // array('f')
} dsp_kind_t;

typedef struct {
    void *ptr;
    size_t len;      // items
    dsp_kind_t kind;
} dsp_samples_t;

// Sample input: int16 or float32; raises TypeError naming `what` otherwise.
void dsp_get_samples(mp_obj_t obj, dsp_samples_t *s, const char *what, mp_uint_t flags);
// Writable float32 output (array('f') or raw bytes); len == 0 means any length.
float *dsp_get_floats_out(mp_obj_t obj, size_t len, const char *what);
// Float32 input (array('f') or raw bytes) of any length; *len gets the item count.
const float *dsp_get_floats_in(mp_obj_t obj, size_t *len, const char *what);
// Raise ValueError unless got == want.
void dsp_check_len(size_t got, size_t want, const char *what);
// Turn a core status into an exception (only called on failure).
MP_NORETURN void dsp_raise(tml_dsp_status_t st, const char *what);

extern const mp_obj_type_t dsp_rfft_type;
extern const mp_obj_type_t dsp_mfcc_type;
extern const mp_obj_type_t dsp_vibration_type;
extern const mp_obj_type_t dsp_ring_type;
extern const mp_obj_type_t dsp_pdm_type;

#endif
