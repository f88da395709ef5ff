// Small helpers shared by op files: output size and padding (TFLM's ComputeOutSize and
// ComputePaddingHeightWidth), 4-D shapes, and per-channel multipliers.
#ifndef TML_OP_UTIL_H
#define TML_OP_UTIL_H

// Ops call kernels through the compile-time selection of kernels/tml_kernels.h.
#define TML_KERNEL_DISPATCH 1
#include "kernels/tml_kernels.h"
#include "kernels/tml_qmath.h"
#include "tml_op.h"

// Both are computed in 64 bits, so corrupt strides, dilations or sizes cannot overflow (UB).
// They return -1 when the geometry does not fit: a stride <= 0, an effective filter
// ((filter - 1) * dilation + 1) or input larger than TML_MAX_EXTENT (so that the kernels'
// int32 index arithmetic, at most input + effective filter, cannot overflow either), or a
// result outside 0..TML_MAX_EXTENT. Output sizes are compared with the tensors' dims (>= 0),
// so -1 never matches; callers check the padding for -1. For every geometry whose values fit
// in int32 the results are TFLM's ComputeOutSize / ComputePaddingHeightWidth, bit for bit.
#define TML_MAX_EXTENT ((int64_t)0x3fffffff)

static inline int64_t tml_effective_filter(int32_t filter, int32_t dilation) {
    return ((int64_t)filter - 1) * (int64_t)dilation + 1;
}

static inline int32_t tml_out_size(int padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation) {
    int64_t effective = tml_effective_filter(filter, dilation);
    if (stride <= 0 || in < 0 || in > TML_MAX_EXTENT || effective < 1 || effective > TML_MAX_EXTENT) {
        return -1;
    }
    int64_t out;
    if (padding == TML_PADDING_SAME) {
        out = ((int64_t)in + stride - 1) / stride;
    } else {
        out = ((int64_t)in + stride - effective) / stride;  // truncates toward zero like TFLM's int
    }
    return out < 0 || out > TML_MAX_EXTENT ? -1 : (int32_t)out;
}

static inline int32_t tml_padding(int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out) {
    int64_t effective = tml_effective_filter(filter, dilation);
    if (stride <= 0 || in < 0 || in > TML_MAX_EXTENT || effective < 1 || effective > TML_MAX_EXTENT || out < 0) {
        return -1;
    }
    int64_t pad = (((int64_t)out - 1) * stride + effective - in) / 2;
    if (pad > TML_MAX_EXTENT) {
        return -1;
    }
    return pad > 0 ? (int32_t)pad : 0;
}

static inline void tml_shape4(const tml_tensor_t *t, tml_shape4_t *s) {
    s->n = tml_dim(t, -4);
    s->h = tml_dim(t, -3);
    s->w = tml_dim(t, -2);
    s->c = tml_dim(t, -1);
}

// TFLM PopulateConvolutionQuantizationParams: per output channel,
// multiplier = double(input_scale) * double(filter_scale[c]) / double(output_scale).
static inline int tml_channel_multiplier(const tml_tensor_t *in, const tml_tensor_t *filter,
    const tml_tensor_t *out, int32_t channel, int32_t *multiplier) {
    double real = (double)in->scale * (double)tml_channel_scale(filter, channel) / (double)out->scale;
    int shift;
    tml_quantize_multiplier(real, multiplier, &shift);
    return shift;
}

static inline void tml_per_channel_multipliers(const tml_tensor_t *in, const tml_tensor_t *filter,
    const tml_tensor_t *out, int32_t channels, int32_t *multiplier, int32_t *shift) {
    for (int32_t c = 0; c < channels; c++) {
        shift[c] = tml_channel_multiplier(in, filter, out, c, &multiplier[c]);
    }
}

// The same with int8 shifts (what tml_conv_params_t / tml_fc_params_t hold). Shifts outside
// -31..31 only come from absurd scales; they are clamped (the kernels mask them anyway).
static inline void tml_per_channel_multipliers_s8(const tml_tensor_t *in, const tml_tensor_t *filter,
    const tml_tensor_t *out, int32_t channels, int32_t *multiplier, int8_t *shift) {
    for (int32_t c = 0; c < channels; c++) {
        int s = tml_channel_multiplier(in, filter, out, c, &multiplier[c]);
        shift[c] = (int8_t)(s > 31 ? 31 : (s < -31 ? -31 : s));
    }
}

#endif
