// The MicroPython side of the engine: the Model type and the error translation.
#ifndef TINYML_MODEL_H
#define TINYML_MODEL_H

#include "py/obj.h"
#include "tml_interpreter.h"

extern const mp_obj_type_t tinyml_model_type;

// Raise the exception that matches the engine status, with a message naming op/tensor/offset:
// ValueError (malformed or inconsistent model, bad argument), NotImplementedError (unsupported
// op or type), MemoryError (arena too small, with the bytes needed).
MP_NORETURN void tinyml_raise(tml_interpreter_t *it, tml_status_t status);

#endif
