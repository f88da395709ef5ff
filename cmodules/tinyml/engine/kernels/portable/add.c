// ADD reference kernels (TFLM reference_integer_ops::Add / BroadcastAdd6DSlow and the float ones).
#include "kernels/tml_kernels.h"
#include "kernels/tml_qmath.h"

static int8_t add_one(const tml_add_params_t *p, int8_t a, int8_t b) {
    const int32_t x = tml_shl_wrap(p->input1_offset + a, p->left_shift);
    const int32_t y = tml_shl_wrap(p->input2_offset + b, p->left_shift);
    const int32_t sx = tml_mbqm_smaller_than_one(x, p->input1_multiplier, p->input1_shift);
    const int32_t sy = tml_mbqm_smaller_than_one(y, p->input2_multiplier, p->input2_shift);
    int32_t v = tml_mbqm_smaller_than_one(sx + sy, p->output_multiplier, p->output_shift) + p->output_offset;
    v = v < p->act_min ? p->act_min : v;
    v = v > p->act_max ? p->act_max : v;
    return (int8_t)v;
}

void tml_add_s8(const tml_add_params_t *p, int32_t n, const int8_t *in1, const int8_t *in2, int8_t *out) {
    for (int32_t i = 0; i < n; i++) {
        out[i] = add_one(p, in1[i], in2[i]);
    }
}

static float clampf(float v, float lo, float hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

void tml_add_f32(float act_min, float act_max, int32_t n, const float *in1, const float *in2, float *out) {
    for (int32_t i = 0; i < n; i++) {
        out[i] = clampf(in1[i] + in2[i], act_min, act_max);
    }
}

// Element strides of a broadcast operand: 0 along the dims where it has size 1.
static void broadcast_strides(const int32_t *shape, int32_t *strides) {
    int32_t stride = 1;
    for (int d = TML_BROADCAST_DIMS - 1; d >= 0; d--) {
        strides[d] = shape[d] == 1 ? 0 : stride;
        stride *= shape[d];
    }
}

// Walk the output in row-major order, calling fn for each element with the operand offsets.
#define BROADCAST_LOOP(out_shape, s1, s2, BODY)                                            \
    do {                                                                                   \
        int32_t idx[TML_BROADCAST_DIMS] = {0};                                             \
        int64_t total = 1;                                                                 \
        for (int d = 0; d < TML_BROADCAST_DIMS; d++) {                                     \
            total *= out_shape[d];                                                         \
        }                                                                                  \
        for (int64_t o = 0; o < total; o++) {                                              \
            int64_t i1 = 0, i2 = 0;                                                        \
            for (int d = 0; d < TML_BROADCAST_DIMS; d++) {                                 \
                i1 += (int64_t)idx[d] * s1[d];                                             \
                i2 += (int64_t)idx[d] * s2[d];                                             \
            }                                                                              \
            BODY;                                                                          \
            for (int d = TML_BROADCAST_DIMS - 1; d >= 0; d--) {                            \
                if (++idx[d] < out_shape[d]) {                                             \
                    break;                                                                 \
                }                                                                          \
                idx[d] = 0;                                                                \
            }                                                                              \
        }                                                                                  \
    } while (0)

void tml_broadcast_add_s8(const tml_add_params_t *p, const int32_t *shape1, const int8_t *in1,
    const int32_t *shape2, const int8_t *in2, const int32_t *out_shape, int8_t *out) {
    int32_t s1[TML_BROADCAST_DIMS], s2[TML_BROADCAST_DIMS];
    broadcast_strides(shape1, s1);
    broadcast_strides(shape2, s2);
    BROADCAST_LOOP(out_shape, s1, s2, out[o] = add_one(p, in1[i1], in2[i2]));
}

void tml_broadcast_add_f32(float act_min, float act_max, const int32_t *shape1, const float *in1,
    const int32_t *shape2, const float *in2, const int32_t *out_shape, float *out) {
    int32_t s1[TML_BROADCAST_DIMS], s2[TML_BROADCAST_DIMS];
    broadcast_strides(shape1, s1);
    broadcast_strides(shape2, s2);
    BROADCAST_LOOP(out_shape, s1, s2, out[o] = clampf(in1[i1] + in2[i2], act_min, act_max));
}
