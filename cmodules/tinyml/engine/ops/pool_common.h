// Shared prepare of AVERAGE_POOL_2D and MAX_POOL_2D (int8): options, output size, padding.
#ifndef TML_POOL_COMMON_H
#define TML_POOL_COMMON_H

#include "tml_op_util.h"

tml_status_t tml_pool_prepare(tml_ctx_t *ctx, tml_node_t *node);

#endif
