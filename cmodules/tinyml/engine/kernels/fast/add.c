// ADD (same shapes), portable fast path: parameters hoisted into locals and the branch-free
// high multiply; per element the arithmetic is the reference's, step for step.
#include "kernels/fast/tml_fast.h"

#if defined(TML_KERNELS_FAST)

void tml_add_s8_fast(const tml_add_params_t *p, int32_t n, const int8_t *in1, const int8_t *in2, int8_t *out) {
    const int32_t off1 = p->input1_offset, off2 = p->input2_offset, ls = p->left_shift;
    const int32_t m1 = p->input1_multiplier, r1 = -p->input1_shift;
    const int32_t m2 = p->input2_multiplier, r2 = -p->input2_shift;
    const int32_t mo = p->output_multiplier, ro = -p->output_shift;
    for (int32_t i = 0; i < n; i++) {
        const int32_t x = tml_shl_wrap(off1 + in1[i], ls);
        const int32_t y = tml_shl_wrap(off2 + in2[i], ls);
        const int32_t s = tml_rdbpot(tml_fast_srdhm(x, m1), r1) + tml_rdbpot(tml_fast_srdhm(y, m2), r2);
        int32_t v = tml_rdbpot(tml_fast_srdhm(s, mo), ro) + p->output_offset;
        v = v < p->act_min ? p->act_min : v;
        v = v > p->act_max ? p->act_max : v;
        out[i] = (int8_t)v;
    }
}

#endif
