// FULLY_CONNECTED reference kernels (TFLM reference_integer_ops::FullyConnected[PerChannel]
// and reference_ops::FullyConnected).
#include "kernels/tml_kernels.h"
#include "kernels/tml_qmath.h"

void tml_fully_connected_s8(const tml_fc_params_t *p, int32_t batches, int32_t accum_depth, int32_t output_depth,
    const int8_t *in, const int8_t *filter, const int32_t *bias, int8_t *out) {
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *ib = in + (int64_t)b * accum_depth;
        for (int32_t oc = 0; oc < output_depth; oc++) {
            const int8_t *f = filter + (int64_t)oc * accum_depth;
            int32_t acc = 0;
            for (int32_t d = 0; d < accum_depth; d++) {
                acc += ((int32_t)f[d] + p->filter_offset) * ((int32_t)ib[d] + p->input_offset);
            }
            if (bias) {
                acc = (int32_t)((uint32_t)acc + (uint32_t)bias[oc]);  // wraps like TFLM, no UB
            }
            int ch = p->per_channel ? oc : 0;
            acc = tml_mbqm(acc, p->multiplier[ch], p->shift[ch]) + p->output_offset;
            acc = acc < p->act_min ? p->act_min : acc;
            acc = acc > p->act_max ? p->act_max : acc;
            out[(int64_t)b * output_depth + oc] = (int8_t)acc;
        }
    }
}

void tml_fully_connected_f32(float act_min, float act_max, int32_t batches, int32_t accum_depth,
    int32_t output_depth, const float *in, const float *filter, const float *bias, float *out) {
    for (int32_t b = 0; b < batches; b++) {
        const float *ib = in + (int64_t)b * accum_depth;
        for (int32_t oc = 0; oc < output_depth; oc++) {
            const float *f = filter + (int64_t)oc * accum_depth;
            float acc = 0.0f;
            for (int32_t d = 0; d < accum_depth; d++) {
                acc += ib[d] * f[d];
            }
            float v = acc + (bias ? bias[oc] : 0.0f);
            v = v < act_min ? act_min : v;
            v = v > act_max ? act_max : v;
            out[(int64_t)b * output_depth + oc] = v;
        }
    }
}
