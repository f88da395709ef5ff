// DEPTHWISE_CONV_2D for Cortex-M with DSP (depth multiplier 1, no dilation, channels % 4 == 0):
// four channels per step; SXTAB16 adds the input offset to two channels in one instruction and
// SMLABB/SMLATT multiply-accumulate each 16-bit lane. Other geometries use the fast/ kernel.
#include "kernels/arm_dsp/tml_arm_dsp.h"

#if defined(TML_KERNELS_ARM_DSP)

void tml_depthwise_conv_s8_arm_dsp(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,
    const tml_shape4_t *out_shape, int8_t *out) {
    const int32_t in_h = in_shape->h, in_w = in_shape->w, in_c = in_shape->c;
    const int32_t f_h = filter_shape->h, f_w = filter_shape->w;
    if (p->depth_multiplier != 1 || p->dilation_w != 1 || p->dilation_h != 1 || (in_c & 3) != 0) {
        tml_depthwise_conv_s8_fast(p, in_shape, in, filter_shape, filter, bias, out_shape, out);
        return;
    }
    const uint32_t off2 = ((uint32_t)(uint16_t)p->input_offset << 16) | (uint16_t)p->input_offset;
    const int32_t row_in = in_w * in_c, row_f = f_w * in_c;
    // Locals, not *p: int8_t stores may alias anything, so GCC would reload *p per output.
    const int32_t *mult = p->multiplier;
    const int8_t *shift = p->shift;
    const int32_t out_offset = p->output_offset, act_min = p->act_min, act_max = p->act_max;
    // Per-channel requantisation table in the (otherwise unused) im2col scratch.
    const int full = act_min == -128 && act_max == 127;
    tml_arm_rq_t *tab = (tml_arm_rq_t *)(void *)tml_arm_col;
    if ((size_t)in_c * sizeof(tml_arm_rq_t) > sizeof(tml_arm_col) || !tml_arm_rq_init(tab, in_c, mult, shift, out_offset)) {
        tab = NULL;
    }
    for (int32_t b = 0; b < out_shape->n; b++) {
        const int8_t *in_b = in + b * in_h * in_w * in_c;
        int8_t *o = out + b * out_shape->h * out_shape->w * in_c;
        for (int32_t oy = 0; oy < out_shape->h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            tml_fast_taps(y0, f_h, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_shape->w; ox++, o += in_c) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                tml_fast_taps(x0, f_w, in_w, &fx0, &fx1);
                const int32_t taps_w = fx1 - fx0, rows = fy1 - fy0;
                const int8_t *ip0 = in_b + ((y0 + fy0) * in_w + x0 + fx0) * in_c;
                const int8_t *fp0 = filter + (fy0 * f_w + fx0) * in_c;
                for (int32_t c = 0; c < in_c; c += 4) {
                    // with the table the sums start at the bias (tml_fast_bias adds it otherwise)
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    if (tab && bias) {
                        a0 = bias[c];
                        a1 = bias[c + 1];
                        a2 = bias[c + 2];
                        a3 = bias[c + 3];
                    }
                    const int8_t *ip = ip0 + c, *fp = fp0 + c;
// One tap, four channels: SXTAB16 adds the offset to two lanes, SMLABB/SMLATT multiply each lane.
#define DW_TAP(I)                                                                          \
    do {                                                                                   \
        const uint32_t wi = tml_arm_read_s8x4(ip + (I)), wf = tml_arm_read_s8x4(fp + (I)); \
        const uint32_t x02 = __SXTAB16(off2, wi), x13 = __SXTAB16_RORn(off2, wi, 8);       \
        const uint32_t f02 = __SXTB16(wf), f13 = tml_arm_sxtb16_ror8(wf);                  \
        a0 += (int16_t)x02 * (int16_t)f02;                                                 \
        a2 += ((int32_t)x02 >> 16) * ((int32_t)f02 >> 16);                                 \
        a1 += (int16_t)x13 * (int16_t)f13;                                                 \
        a3 += ((int32_t)x13 >> 16) * ((int32_t)f13 >> 16);                                \
    } while (0)
                    if (taps_w == 3) {  // 3x3 filters away from the edges: rows unrolled
                        for (int32_t r = rows; r > 0; r--, ip += row_in, fp += row_f) {
                            DW_TAP(0);
                            DW_TAP(in_c);
                            DW_TAP(2 * in_c);
                        }
                    } else {
                        for (int32_t r = rows; r > 0; r--, ip += row_in, fp += row_f) {
                            for (int32_t t = 0; t < taps_w * in_c; t += in_c) {
                                DW_TAP(t);
                            }
                        }
                    }
#undef DW_TAP
                    if (tab && full) {  // no activation clamp beyond int8: SSAT alone
                        const tml_arm_rq_t *e = tab + c;
                        const int32_t r0 = tml_arm_rq_out_sat(a0, e);
                        const int32_t r1 = tml_arm_rq_out_sat(a1, e + 1);
                        const int32_t r2 = tml_arm_rq_out_sat(a2, e + 2);
                        const int32_t r3 = tml_arm_rq_out_sat(a3, e + 3);
                        o[c] = (int8_t)r0;
                        o[c + 1] = (int8_t)r1;
                        o[c + 2] = (int8_t)r2;
                        o[c + 3] = (int8_t)r3;
                    } else if (tab) {
                        const tml_arm_rq_t *e = tab + c;
                        const int32_t r0 = tml_arm_rq_out(a0, e, act_min, act_max);
                        const int32_t r1 = tml_arm_rq_out(a1, e + 1, act_min, act_max);
                        const int32_t r2 = tml_arm_rq_out(a2, e + 2, act_min, act_max);
                        const int32_t r3 = tml_arm_rq_out(a3, e + 3, act_min, act_max);
                        o[c] = (int8_t)r0;
                        o[c + 1] = (int8_t)r1;
                        o[c + 2] = (int8_t)r2;
                        o[c + 3] = (int8_t)r3;
                    } else {
                        const int32_t acc[4] = {a0, a1, a2, a3};
                        for (int j = 0; j < 4; j++) {
                            o[c + j] = tml_fast_out(tml_fast_bias(acc[j], bias, c + j), mult[c + j], shift[c + j],
                                out_offset, act_min, act_max);
                        }
                    }
                }
            }
        }
    }
}

#endif
