// FULLY_CONNECTED, portable fast path: four output units share each input load and its offset
// add. A non-zero filter offset (never produced by the int8 converter) uses the reference kernel.
#include "kernels/fast/tml_fast.h"

#if defined(TML_KERNELS_FAST)

static inline int8_t fc_out(const tml_fc_params_t *p, int32_t acc, const int32_t *bias, int32_t oc) {
    const int ch = p->per_channel ? oc : 0;
    acc = tml_fast_bias(acc, bias, oc);
    return tml_fast_out(acc, p->multiplier[ch], p->shift[ch], p->output_offset, p->act_min, p->act_max);
}

void tml_fully_connected_s8_fast(const tml_fc_params_t *p, int32_t batches, int32_t accum_depth,
    int32_t output_depth, const int8_t *in, const int8_t *filter, const int32_t *bias, int8_t *out) {
    if (p->filter_offset != 0) {
        tml_fully_connected_s8(p, batches, accum_depth, output_depth, in, filter, bias, out);
        return;
    }
    const int32_t off = p->input_offset;
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *ib = in + (int64_t)b * accum_depth;
        int8_t *ob = out + (int64_t)b * output_depth;
        int32_t oc = 0;
        for (; oc + 4 <= output_depth; oc += 4) {
            const int8_t *f0 = filter + (int64_t)oc * accum_depth;
            const int8_t *f1 = f0 + accum_depth, *f2 = f1 + accum_depth, *f3 = f2 + accum_depth;
            int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            for (int32_t d = 0; d < accum_depth; d++) {
                const int32_t x = ib[d] + off;
                a0 += f0[d] * x;
                a1 += f1[d] * x;
                a2 += f2[d] * x;
                a3 += f3[d] * x;
            }
            ob[oc] = fc_out(p, a0, bias, oc);
            ob[oc + 1] = fc_out(p, a1, bias, oc + 1);
            ob[oc + 2] = fc_out(p, a2, bias, oc + 2);
            ob[oc + 3] = fc_out(p, a3, bias, oc + 3);
        }
        for (; oc < output_depth; oc++) {
            const int8_t *f0 = filter + (int64_t)oc * accum_depth;
            int32_t a = 0;
            for (int32_t d = 0; d < accum_depth; d++) {
                a += f0[d] * (ib[d] + off);
            }
            ob[oc] = fc_out(p, a, bias, oc);
        }
    }
}

#endif
