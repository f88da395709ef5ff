// TRANSPOSE_CONV (TFLM transpose_conv.cc; reference TransposeConv and
// reference_integer_ops::TransposeConv): scatter each input pixel through the filter into an
// accumulator the size of the output, then add bias and requantise per output channel.
#ifndef TML_TRANSPOSE_CONV_H
#define TML_TRANSPOSE_CONV_H

#include <stdint.h>

typedef struct {
    int32_t in_dims[4];      // NHWC
    int32_t filter_dims[4];  // O, H, W, I
    int32_t out_dims[4];     // NHWC
    int32_t stride_h, stride_w, pad_h, pad_w;
} tml_tconv_geom_t;

// int8: acc is scratch of out_dims product int32 entries; mult/shift per output channel.
void tml_transpose_conv_s8(const tml_tconv_geom_t *g, const int8_t *in, int32_t input_offset, const int8_t *filter,
    const int32_t *bias, const int32_t *mult, const int32_t *shift, int32_t output_offset, int32_t act_min,
    int32_t act_max, int32_t *acc, int8_t *out);
void tml_transpose_conv_f32(const tml_tconv_geom_t *g, const float *in, const float *filter, const float *bias,
    float act_min, float act_max, float *out);

#endif
