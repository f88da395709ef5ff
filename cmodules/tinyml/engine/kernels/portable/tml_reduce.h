// Reductions (TFLM reduce.cc / reduce_common.cc): MEAN and REDUCE_MAX over any set of axes.
// The reduced axes are given as a bit mask over the input dimensions (tml_reduce_axes resolves
// negative and repeated axes as TFLite's ResolveAxis does). keep_dims does not change the flat
// layout of the output, so the kernels ignore it.
#ifndef TML_REDUCE_H
#define TML_REDUCE_H

#include <stdint.h>

#define TML_REDUCE_MAX_DIMS 6

// Returns the axis mask, or -1 for an axis outside [-ndims, ndims).
int32_t tml_reduce_axes(const int32_t *axis, int num_axis, int ndims);
// Number of output elements and of inputs reduced into each.
int32_t tml_reduce_out_count(const int32_t *dims, int ndims, int32_t mask);
int32_t tml_reduce_in_count(const int32_t *dims, int ndims, int32_t mask);

typedef struct {
    int32_t input_zp, output_zp, multiplier;  // multiplier/shift: QuantizeMultiplier(in_scale/out_scale)
    int shift;
} tml_mean_params_t;
void tml_mean_s8_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, tml_mean_params_t *p);

// int8 MEAN; `sums` is scratch of tml_reduce_out_count() int32 entries.
void tml_mean_s8(const int8_t *in, const int32_t *dims, int ndims, int32_t mask, int8_t *out, int32_t *sums,
    const tml_mean_params_t *p);
void tml_mean_f32(const float *in, const int32_t *dims, int ndims, int32_t mask, float *out);
// REDUCE_MAX: int8 needs equal input/output quantisation (TFLM checks it), so it is a plain max.
void tml_reduce_max_s8(const int8_t *in, const int32_t *dims, int ndims, int32_t mask, int8_t *out);
void tml_reduce_max_f32(const float *in, const int32_t *dims, int ndims, int32_t mask, float *out);

#endif
