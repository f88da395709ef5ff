// Engine status -> MicroPython exception; the engine only gives codes and static reasons.
#include "py/runtime.h"
#include "tinyml_model.h"

static const mp_obj_type_t *exception_type(tml_status_t status) {
    switch (status) {
        case TML_ERR_UNSUPPORTED_OP:
        case TML_ERR_UNSUPPORTED_TYPE:
            return &mp_type_NotImplementedError;
        case TML_ERR_ARENA:
            return &mp_type_MemoryError;
        default:
            return &mp_type_ValueError;
    }
}

static const char *status_text(tml_status_t status) {
    switch (status) {
        case TML_ERR_MALFORMED:
            return "malformed model";
        case TML_ERR_UNSUPPORTED_OP:
            return "unsupported op";
        case TML_ERR_UNSUPPORTED_TYPE:
            return "unsupported type";
        case TML_ERR_BAD_MODEL:
            return "bad model";
        case TML_ERR_ARENA:
            return "arena too small";
        default:
            return "bad argument";
    }
}

MP_NORETURN void tinyml_raise(tml_interpreter_t *it, tml_status_t status) {
    const tml_error_t *e = tml_last_error(it);
    vstr_t vstr;
    mp_print_t print;
    vstr_init_print(&vstr, 80, &print);
    mp_printf(&print, "%s: %s", status_text(status), e->reason ? e->reason : "failed");
    if (e->op_index >= 0) {
        mp_printf(&print, " (op %d %s", (int)e->op_index, tml_builtin_name(e->builtin_code));
        if (e->tensor_index >= 0) {
            mp_printf(&print, ", tensor %d", (int)e->tensor_index);
        }
        mp_print_str(&print, ")");
    } else if (e->tensor_index >= 0) {
        mp_printf(&print, " (tensor %d)", (int)e->tensor_index);
    }
    if (e->offset) {
        mp_printf(&print, " at byte %u", (unsigned)e->offset);
    }
    if (status == TML_ERR_ARENA && e->bytes_needed) {
        mp_printf(&print, ": %u bytes needed", (unsigned)e->bytes_needed);
    }
    mp_obj_t msg = mp_obj_new_str_from_vstr(&vstr);
    nlr_raise(mp_obj_new_exception_arg1(exception_type(status), msg));
}
