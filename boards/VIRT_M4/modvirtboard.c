// virtboard: what only the virtual board has (its disk, a way to stop QEMU).

#include "py/runtime.h"
#include "shared/runtime/semihosting_arm.h"

extern const mp_obj_type_t virtboard_disk_type;

// exit(code=0): stop QEMU (semihosting SYS_EXIT); QEMU exits with 0 for code 0, else 1.
static mp_obj_t virtboard_exit(size_t n_args, const mp_obj_t *args) {
    mp_semihosting_exit(n_args > 0 ? mp_obj_get_int(args[0]) : 0);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(virtboard_exit_obj, 0, 1, virtboard_exit);

static const mp_rom_map_elem_t virtboard_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_virtboard) },
    { MP_ROM_QSTR(MP_QSTR_Disk), MP_ROM_PTR(&virtboard_disk_type) },
    { MP_ROM_QSTR(MP_QSTR_exit), MP_ROM_PTR(&virtboard_exit_obj) },
};
static MP_DEFINE_CONST_DICT(virtboard_module_globals, virtboard_module_globals_table);

const mp_obj_module_t mp_module_virtboard = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&virtboard_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_virtboard, mp_module_virtboard);
