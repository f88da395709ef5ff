// SOFTMAX int8 reference kernel (TFLM reference_ops::Softmax, the gemmlowp fixed-point path):
// exp of input differences in Q5.26, sum in Q12.19, one reciprocal per row.
#include "kernels/tml_kernels.h"
#include "kernels/tml_qmath.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

void tml_softmax_s8(const tml_softmax_params_t *p, int32_t outer, int32_t depth, const int8_t *in, int8_t *out) {
    for (int32_t i = 0; i < outer; i++) {
        const int8_t *row = in + (int64_t)i * depth;
        int8_t *orow = out + (int64_t)i * depth;
        int32_t max = -128;
        for (int32_t c = 0; c < depth; c++) {
            max = row[c] > max ? row[c] : max;
        }
        int32_t sum_of_exps = 0;
        for (int32_t c = 0; c < depth; c++) {
            int32_t diff = (int32_t)row[c] - max;
            if (diff >= p->diff_min) {
                int32_t scaled = tml_mbqm_greater_than_one(diff, p->input_multiplier, p->input_left_shift);
                int32_t e = tml_exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS);
                sum_of_exps += tml_rdbpot(e, ACCUMULATION_INTEGER_BITS);  // Rescale Q0 -> Q12
            }
        }
        int num_bits_over_unit;
        int32_t shifted_scale = tml_get_reciprocal(sum_of_exps, ACCUMULATION_INTEGER_BITS, &num_bits_over_unit);
        for (int32_t c = 0; c < depth; c++) {
            int32_t diff = (int32_t)row[c] - max;
            if (diff >= p->diff_min) {
                int32_t scaled = tml_mbqm_greater_than_one(diff, p->input_multiplier, p->input_left_shift);
                int32_t e = tml_exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS);
                int32_t unsat = tml_rdbpot(tml_srdhm(shifted_scale, e), num_bits_over_unit + 31 - 8);
                int32_t v = unsat - 128;
                v = v > 127 ? 127 : v;
                v = v < -128 ? -128 : v;
                orow[c] = (int8_t)v;
            } else {
                orow[c] = -128;
            }
        }
    }
}
