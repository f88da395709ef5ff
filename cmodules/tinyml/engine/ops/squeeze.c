// SQUEEZE: drops size-1 dimensions; the bytes do not move (shapes are static in the model).
#include "tml_op_extra.h"

const tml_op_t tml_op_squeeze = {
    .name = "SQUEEZE",
    .builtin_code = TML_BUILTIN_SQUEEZE,
    .prepare = tml_copy_prepare,
    .eval = tml_copy_eval,
};
