// Fixed-point output of features for an int8 model input:
//   q = clamp(round_half_away_from_zero(x / scale) + zero_point, -128, 127)
// with x / scale and the rounding done in float32, so the host twin reproduces it bit for bit.
#ifndef TML_QUANT_H
#define TML_QUANT_H

#include <stdint.h>

void tml_quantize_s8(const float *x, int8_t *q, uint32_t n, float scale, int32_t zero_point);

#endif
