// Shared prepare of CONV_2D and DEPTHWISE_CONV_2D (conv_common.c).
#ifndef TML_CONV_COMMON_H
#define TML_CONV_COMMON_H

#include "tml_op_util.h"

// Persistent data of both convolutions: int8 params, followed by the per-channel multipliers
// (int32) and shifts (int8), or the float params.
typedef union {
    tml_conv_params_t q;
    tml_conv_params_f32_t f;
} conv_data_t;

tml_status_t tml_conv_prepare_common(tml_ctx_t *ctx, tml_node_t *node, int options_type, int depthwise);

#endif
