// QUANTIZE and DEQUANTIZE (TFLM quantize.cc / dequantize.cc; reference AffineQuantize,
// Requantize, Dequantize).
#ifndef TML_QUANTIZE_H
#define TML_QUANTIZE_H

#include <stdint.h>

// float -> int8/int16/uint8 (qmin/qmax give the type): round(x / scale) + zero_point, clamped.
void tml_affine_quantize_f32(const float *in, void *out, int32_t n, float scale, int32_t zp, int out_type);
// Integer -> integer requantisation; in_type/out_type are TFLite tensor types (INT8 9, UINT8 3, INT16 7).
typedef struct {
    int32_t multiplier, input_zp, output_zp;
    int shift;
} tml_requant_params_t;
void tml_requant_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, tml_requant_params_t *p);
void tml_requantize(const void *in, int in_type, void *out, int out_type, int32_t n, const tml_requant_params_t *p);
// int8/int16/uint8 -> float: (float)(double(scale) * (x - zero_point)).
void tml_dequantize(const void *in, int in_type, float *out, int32_t n, float scale, int32_t zp);

#endif
