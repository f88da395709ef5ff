// Broadcasting binary element-wise kernels (TFLM sub.cc, mul.cc): SUB and MUL, int8 and float.
// Shapes are right-aligned as in numpy/TFLite; a dimension of 1 broadcasts. The per-element
// arithmetic is TFLM's, so the order in which elements are visited does not matter.
#ifndef TML_BINARY_H
#define TML_BINARY_H

#include <stdint.h>

#define TML_BCAST_MAX_DIMS 6

typedef struct {
    int32_t ndims;
    int32_t out_dims[TML_BCAST_MAX_DIMS];
    int32_t stride1[TML_BCAST_MAX_DIMS];  // element strides into input 1 (0 = broadcast)
    int32_t stride2[TML_BCAST_MAX_DIMS];
} tml_bcast_t;

// Returns 0, or -1 if the shapes do not broadcast to the output shape (or exceed 6-D).
int tml_bcast_init(tml_bcast_t *b, const int32_t *d1, int n1, const int32_t *d2, int n2, const int32_t *dout, int nout);

typedef struct {
    int32_t input1_offset, input2_offset, output_offset;  // offsets are -zero_point for inputs
    int32_t input1_multiplier, input2_multiplier, output_multiplier;
    int input1_shift, input2_shift, output_shift;
    int left_shift;
    int32_t act_min, act_max;
} tml_arith_params_t;

// SUB: ADD-style rescaling of both inputs to a common scale (left_shift 20 for int8).
void tml_sub_s8_params(float s1, int32_t zp1, float s2, int32_t zp2, float so, int32_t zpo, tml_arith_params_t *p);
// MUL: one multiplier s1*s2/so.
void tml_mul_s8_params(float s1, int32_t zp1, float s2, int32_t zp2, float so, int32_t zpo, tml_arith_params_t *p);

void tml_sub_s8(const tml_bcast_t *b, const int8_t *x, const int8_t *y, int8_t *out, const tml_arith_params_t *p);
void tml_mul_s8(const tml_bcast_t *b, const int8_t *x, const int8_t *y, int8_t *out, const tml_arith_params_t *p);
void tml_sub_f32(const tml_bcast_t *b, const float *x, const float *y, float *out, float act_min, float act_max);
void tml_mul_f32(const tml_bcast_t *b, const float *x, const float *y, float *out, float act_min, float act_max);
void tml_sub_i32(const tml_bcast_t *b, const int32_t *x, const int32_t *y, int32_t *out, int32_t act_min, int32_t act_max);
void tml_mul_i32(const tml_bcast_t *b, const int32_t *x, const int32_t *y, int32_t *out, int32_t act_min, int32_t act_max);

#endif
