// tinyml: the MicroPython binding of the tinydev inference engine and DSP features.
// The engine (engine/) and DSP (dsp/) are plain C99 and know nothing of MicroPython;
// this file and its siblings turn their status codes into exceptions.
#include "py/runtime.h"
#include "py/objstr.h"

#define TINYML_VERSION "0.1.0"

// Names of the TFLite builtin ops the engine supports; filled as ops land.
static const MP_DEFINE_STR_OBJ(tinyml_version_obj, TINYML_VERSION);

static mp_obj_t tinyml_ops(void) {
    // Placeholder list until the engine registry exists (engine issue).
    return mp_obj_new_tuple(0, NULL);
}
static MP_DEFINE_CONST_FUN_OBJ_0(tinyml_ops_obj, tinyml_ops);

static const mp_rom_map_elem_t tinyml_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_tinyml) },
    { MP_ROM_QSTR(MP_QSTR___version__), MP_ROM_PTR(&tinyml_version_obj) },
    { MP_ROM_QSTR(MP_QSTR_ops), MP_ROM_PTR(&tinyml_ops_obj) },
};
static MP_DEFINE_CONST_DICT(tinyml_module_globals, tinyml_module_globals_table);

const mp_obj_module_t tinyml_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&tinyml_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_tinyml, tinyml_user_cmodule);
