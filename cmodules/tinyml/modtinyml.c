// tinyml: the MicroPython binding of the tinydev inference engine and DSP features.
// The engine (engine/) and DSP (dsp/) are plain C99 and know nothing of MicroPython;
// this file and its siblings (tinyml_model.c, tinyml_error.c, dsp/moddsp*.c) turn their
// status codes into exceptions.
#include <string.h>

#include "py/runtime.h"
#include "py/objstr.h"
#include "tinyml_model.h"

#define TINYML_VERSION "0.1.0"

static const MP_DEFINE_STR_OBJ(tinyml_version_obj, TINYML_VERSION);

extern const mp_obj_module_t tinyml_dsp_module;

// Names of the TFLite builtin ops this firmware's engine supports, from the op registry.
static mp_obj_t tinyml_ops(void) {
    size_t n = 0;
    while (tml_op_registry[n] != NULL) {
        n++;
    }
    mp_obj_tuple_t *tuple = MP_OBJ_TO_PTR(mp_obj_new_tuple(n, NULL));
    for (size_t i = 0; i < n; i++) {
        const char *name = tml_op_registry[i]->name;
        tuple->items[i] = mp_obj_new_str(name, strlen(name));
    }
    return MP_OBJ_FROM_PTR(tuple);
}
static MP_DEFINE_CONST_FUN_OBJ_0(tinyml_ops_obj, tinyml_ops);

static const mp_rom_map_elem_t tinyml_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_tinyml) },
    { MP_ROM_QSTR(MP_QSTR___version__), MP_ROM_PTR(&tinyml_version_obj) },
    { MP_ROM_QSTR(MP_QSTR_ops), MP_ROM_PTR(&tinyml_ops_obj) },
    { MP_ROM_QSTR(MP_QSTR_Model), MP_ROM_PTR(&tinyml_model_type) },
    { MP_ROM_QSTR(MP_QSTR_dsp), MP_ROM_PTR(&tinyml_dsp_module) },
};
static MP_DEFINE_CONST_DICT(tinyml_module_globals, tinyml_module_globals_table);

const mp_obj_module_t tinyml_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&tinyml_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_tinyml, tinyml_user_cmodule);
