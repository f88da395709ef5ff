// Every op the engine knows, one line each: the extern and its place in the table.
// To add an op: write ops/<op>.c defining `const tml_op_t tml_op_<op>`, add two lines here.
#include "tml_op.h"

extern const tml_op_t tml_op_add;
extern const tml_op_t tml_op_average_pool_2d;
extern const tml_op_t tml_op_conv_2d;
extern const tml_op_t tml_op_depthwise_conv_2d;
extern const tml_op_t tml_op_fully_connected;
extern const tml_op_t tml_op_max_pool_2d;
extern const tml_op_t tml_op_reshape;
extern const tml_op_t tml_op_softmax;

const tml_op_t *const tml_op_registry[] = {
    &tml_op_add,
    &tml_op_average_pool_2d,
    &tml_op_conv_2d,
    &tml_op_depthwise_conv_2d,
    &tml_op_fully_connected,
    &tml_op_max_pool_2d,
    &tml_op_reshape,
    &tml_op_softmax,
    NULL,
};

const tml_op_t *tml_find_op(int32_t builtin_code) {
    for (const tml_op_t *const *op = tml_op_registry; *op != NULL; op++) {
        if ((*op)->builtin_code == builtin_code) {
            return *op;
        }
    }
    return NULL;
}
