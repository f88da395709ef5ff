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
// extra ops (activations, SUB/MUL, reductions, data movement, (de)quantisation, TRANSPOSE_CONV)
extern const tml_op_t tml_op_batch_to_space_nd;
extern const tml_op_t tml_op_concatenation;
extern const tml_op_t tml_op_dequantize;
extern const tml_op_t tml_op_expand_dims;
extern const tml_op_t tml_op_hard_swish;
extern const tml_op_t tml_op_leaky_relu;
extern const tml_op_t tml_op_logistic;
extern const tml_op_t tml_op_mean;
extern const tml_op_t tml_op_mul;
extern const tml_op_t tml_op_pack;
extern const tml_op_t tml_op_pad;
extern const tml_op_t tml_op_padv2;
extern const tml_op_t tml_op_quantize;
extern const tml_op_t tml_op_reduce_max;
extern const tml_op_t tml_op_relu;
extern const tml_op_t tml_op_relu6;
extern const tml_op_t tml_op_resize_bilinear;
extern const tml_op_t tml_op_resize_nearest_neighbor;
extern const tml_op_t tml_op_shape;
extern const tml_op_t tml_op_space_to_batch_nd;
extern const tml_op_t tml_op_split;
extern const tml_op_t tml_op_split_v;
extern const tml_op_t tml_op_squeeze;
extern const tml_op_t tml_op_strided_slice;
extern const tml_op_t tml_op_sub;
extern const tml_op_t tml_op_tanh;
extern const tml_op_t tml_op_tile;
extern const tml_op_t tml_op_transpose;
extern const tml_op_t tml_op_transpose_conv;
extern const tml_op_t tml_op_unpack;

const tml_op_t *const tml_op_registry[] = {
    &tml_op_add,
    &tml_op_average_pool_2d,
    &tml_op_conv_2d,
    &tml_op_depthwise_conv_2d,
    &tml_op_fully_connected,
    &tml_op_max_pool_2d,
    &tml_op_reshape,
    &tml_op_softmax,
    &tml_op_batch_to_space_nd,
    &tml_op_concatenation,
    &tml_op_dequantize,
    &tml_op_expand_dims,
    &tml_op_hard_swish,
    &tml_op_leaky_relu,
    &tml_op_logistic,
    &tml_op_mean,
    &tml_op_mul,
    &tml_op_pack,
    &tml_op_pad,
    &tml_op_padv2,
    &tml_op_quantize,
    &tml_op_reduce_max,
    &tml_op_relu,
    &tml_op_relu6,
    &tml_op_resize_bilinear,
    &tml_op_resize_nearest_neighbor,
    &tml_op_shape,
    &tml_op_space_to_batch_nd,
    &tml_op_split,
    &tml_op_split_v,
    &tml_op_squeeze,
    &tml_op_strided_slice,
    &tml_op_sub,
    &tml_op_tanh,
    &tml_op_tile,
    &tml_op_transpose,
    &tml_op_transpose_conv,
    &tml_op_unpack,
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
