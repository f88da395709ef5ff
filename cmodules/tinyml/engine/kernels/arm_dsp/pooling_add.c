// AVERAGE/MAX_POOL_2D and ADD on Cortex-M with DSP: these ops are a few percent of the MLPerf
// models' instructions and are memory-bound, so the arm_dsp set uses the fast/ loops for them
// (channels innermost, hoisted bounds) rather than SIMD variants of its own.
#include "kernels/arm_dsp/tml_arm_dsp.h"

#if defined(TML_KERNELS_ARM_DSP)

int tml_average_pool_s8_arm_dsp(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out) {
    return tml_average_pool_s8_fast(p, in_shape, in, out_shape, out);
}

void tml_max_pool_s8_arm_dsp(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out) {
    tml_max_pool_s8_fast(p, in_shape, in, out_shape, out);
}

void tml_add_s8_arm_dsp(const tml_add_params_t *p, int32_t n, const int8_t *in1, const int8_t *in2, int8_t *out) {
    tml_add_s8_fast(p, n, in1, in2, out);
}

#endif
