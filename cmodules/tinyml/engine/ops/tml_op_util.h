// Small helpers shared by op files: output size and padding (TFLM's ComputeOutSize and
// ComputePaddingHeightWidth), 4-D shapes, and per-channel multipliers.
#ifndef TML_OP_UTIL_H
#define TML_OP_UTIL_H

// Ops call kernels through the compile-time selection of kernels/tml_kernels.h.
#define TML_KERNEL_DISPATCH 1
#include "kernels/tml_kernels.h"
#include "kernels/tml_qmath.h"
#include "tml_op.h"

static inline int32_t tml_out_size(int padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation) {
    int32_t effective = (filter - 1) * dilation + 1;
    if (stride <= 0) {
        return 0;
    }
    if (padding == TML_PADDING_SAME) {
        return (in + stride - 1) / stride;
    }
    return (in + stride - effective) / stride;
}

static inline int32_t tml_padding(int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out) {
    int32_t effective = (filter - 1) * dilation + 1;
    int32_t pad = ((out - 1) * stride + effective - in) / 2;
    return pad > 0 ? pad : 0;
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
