// EXPAND_DIMS: inserts a size-1 dimension; the bytes do not move (the axis input only shaped
// the output, which the model already records).
#include "tml_op_extra.h"

const tml_op_t tml_op_expand_dims = {
    .name = "EXPAND_DIMS",
    .builtin_code = TML_BUILTIN_EXPAND_DIMS,
    .prepare = tml_copy_prepare,
    .eval = tml_copy_eval,
};
