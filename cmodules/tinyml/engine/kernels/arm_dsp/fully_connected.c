// FULLY_CONNECTED for Cortex-M with DSP: the input row is converted once to int16 (offset added,
// reordered), then two output units per pass share each column load: 8 MACs per 4 SMLADs.
// A non-zero filter offset or a row over TML_ARM_COL_MAX * 2 uses the fast/ kernel.
#include "kernels/arm_dsp/tml_arm_dsp.h"

#if defined(TML_KERNELS_ARM_DSP)

static inline int8_t fc_out(const tml_fc_params_t *p, int32_t acc, const int32_t *bias, int32_t oc) {
    const int ch = p->per_channel ? oc : 0;
    return tml_fast_out(tml_fast_bias(acc, bias, oc), p->multiplier[ch], p->shift[ch], p->output_offset,
        p->act_min, p->act_max);
}

void tml_fully_connected_s8_arm_dsp(const tml_fc_params_t *p, int32_t batches, int32_t accum_depth,
    int32_t output_depth, const int8_t *in, const int8_t *filter, const int32_t *bias, int8_t *out) {
    const int32_t k = accum_depth, k4 = k & ~3;
    if (p->filter_offset != 0 || tml_arm_col_stride(k) > 2 * TML_ARM_COL_MAX) {
        tml_fully_connected_s8_fast(p, batches, accum_depth, output_depth, in, filter, bias, out);
        return;
    }
    int16_t *col = tml_arm_col;
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *ib = in + b * k;
        int8_t *ob = out + b * output_depth;
        tml_arm_q7_to_q15_reordered(ib, col, k4, p->input_offset);
        for (int32_t i = k4; i < k; i++) {
            col[i] = (int16_t)(ib[i] + p->input_offset);
        }
        int32_t oc = 0;
        for (; oc + 2 <= output_depth; oc += 2) {
            const int8_t *fa = filter + oc * k, *fb = fa + k;
            const int16_t *x = col;
            int32_t sa = 0, sb = 0;
            for (int32_t i = k4 >> 2; i > 0; i--) {
                const uint32_t wa = tml_arm_read_s8x4(fa), wb = tml_arm_read_s8x4(fb);
                fa += 4;
                fb += 4;
                const uint32_t x02 = tml_arm_read_u32(x), x13 = tml_arm_read_u32(x + 2);
                x += 4;
                sa = (int32_t)__SMLAD(__SXTB16(wa), x02, (uint32_t)sa);
                sb = (int32_t)__SMLAD(__SXTB16(wb), x02, (uint32_t)sb);
                sa = (int32_t)__SMLAD(tml_arm_sxtb16_ror8(wa), x13, (uint32_t)sa);
                sb = (int32_t)__SMLAD(tml_arm_sxtb16_ror8(wb), x13, (uint32_t)sb);
            }
            for (int32_t i = k4; i < k; i++) {
                sa += *fa++ * *x;
                sb += *fb++ * *x++;
            }
            ob[oc] = fc_out(p, sa, bias, oc);
            ob[oc + 1] = fc_out(p, sb, bias, oc + 1);
        }
        for (; oc < output_depth; oc++) {
            ob[oc] = fc_out(p, tml_arm_dot(filter + oc * k, col, k), bias, oc);
        }
    }
}

#endif
