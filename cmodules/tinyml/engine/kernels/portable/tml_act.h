// Element-wise activation kernels (TFLM reference arithmetic): RELU, RELU6, LEAKY_RELU,
// HARD_SWISH, LOGISTIC, TANH. Each int8 kernel has a *_params() that derives its fixed-point
// parameters from the tensors' quantisation exactly as TFLM's Prepare does (float/double steps
// included), so the op files only read tensors and call these.
#ifndef TML_ACT_H
#define TML_ACT_H

#include <stdint.h>

// ---- RELU / RELU6 (TFLM activations.cc) ----
typedef struct {
    int32_t input_offset, output_offset, multiplier, act_min, act_max;
    int shift;
} tml_relu_params_t;
void tml_relu_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, tml_relu_params_t *p);
void tml_relu_s8(const int8_t *in, int8_t *out, int32_t n, const tml_relu_params_t *p);
void tml_relu_f32(const float *in, float *out, int32_t n);
// RELU6 int8 in TFLM clamps in the *input* quantisation (no rescale).
void tml_relu6_bounds(float in_scale, int32_t in_zp, int8_t *lower, int8_t *upper);
void tml_relu6_s8(const int8_t *in, int8_t *out, int32_t n, int8_t lower, int8_t upper);
void tml_relu6_f32(const float *in, float *out, int32_t n);

// ---- LEAKY_RELU (TFLM leaky_relu.cc) ----
typedef struct {
    int32_t input_offset, output_offset;
    int32_t mult_alpha, mult_identity;
    int shift_alpha, shift_identity;
} tml_leaky_relu_params_t;
void tml_leaky_relu_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, float alpha,
    tml_leaky_relu_params_t *p);
void tml_leaky_relu_s8(const int8_t *in, int8_t *out, int32_t n, const tml_leaky_relu_params_t *p);
void tml_leaky_relu_f32(const float *in, float *out, int32_t n, float alpha);

// ---- HARD_SWISH (TFLM hard_swish.cc) ----
typedef struct {
    int32_t input_zero_point, output_zero_point;
    int16_t reluish_mult16, output_mult16;
    int reluish_exponent, output_exponent;
} tml_hard_swish_params_t;
// Returns 0, or -1 when the output multiplier needs a left shift (TFLM rejects that model too).
int tml_hard_swish_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, tml_hard_swish_params_t *p);
void tml_hard_swish_s8(const int8_t *in, int8_t *out, int32_t n, const tml_hard_swish_params_t *p);
void tml_hard_swish_f32(const float *in, float *out, int32_t n);

// ---- LOGISTIC / TANH (TFLM logistic.cc, tanh.cc): Q4.27 input, gemmlowp fixed-point ----
typedef struct {
    int32_t input_zero_point, input_range_radius, input_multiplier;
    int input_left_shift;
} tml_sigmoid_params_t;
void tml_sigmoid_params(float in_scale, int32_t in_zp, tml_sigmoid_params_t *p);  // both ops
void tml_logistic_s8(const int8_t *in, int8_t *out, int32_t n, const tml_sigmoid_params_t *p);
void tml_tanh_s8(const int8_t *in, int8_t *out, int32_t n, const tml_sigmoid_params_t *p);
void tml_logistic_f32(const float *in, float *out, int32_t n);
void tml_tanh_f32(const float *in, float *out, int32_t n);

#endif
