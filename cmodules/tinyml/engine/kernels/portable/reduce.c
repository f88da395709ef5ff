// MEAN and REDUCE_MAX. Inputs are visited in row-major order and folded into their output
// element (TFLite's ReduceSumImpl / ReduceGeneric order), which keeps float sums bit exact.
#include <float.h>

#include "tml_fixedpoint.h"
#include "tml_reduce.h"

int32_t tml_reduce_axes(const int32_t *axis, int num_axis, int ndims) {
    int32_t mask = 0;
    for (int i = 0; i < num_axis; i++) {
        int32_t a = axis[i] < 0 ? axis[i] + ndims : axis[i];
        if (a < 0 || a >= ndims) {
            return -1;
        }
        mask |= (int32_t)1 << a;
    }
    return mask;
}

int32_t tml_reduce_out_count(const int32_t *dims, int ndims, int32_t mask) {
    int32_t n = 1;
    for (int i = 0; i < ndims; i++) {
        n *= (mask >> i) & 1 ? 1 : dims[i];
    }
    return n;
}

int32_t tml_reduce_in_count(const int32_t *dims, int ndims, int32_t mask) {
    int32_t n = 1;
    for (int i = 0; i < ndims; i++) {
        n *= (mask >> i) & 1 ? dims[i] : 1;
    }
    return n;
}

// Iterate over the input; `o` is the output index of input element `i`.
#define TML_REDUCE_LOOP(dims, ndims, mask, BODY)                                  \
    do {                                                                          \
        int32_t idx_[TML_REDUCE_MAX_DIMS] = {0};                                  \
        int32_t ostride_[TML_REDUCE_MAX_DIMS];                                    \
        int32_t total_ = 1, s_ = 1;                                               \
        for (int d_ = (ndims) - 1; d_ >= 0; d_--) {                               \
            ostride_[d_] = ((mask) >> d_) & 1 ? 0 : s_;                           \
            s_ *= ((mask) >> d_) & 1 ? 1 : (dims)[d_];                            \
            total_ *= (dims)[d_];                                                 \
        }                                                                         \
        int32_t o = 0;                                                            \
        for (int32_t i = 0; i < total_; i++) {                                    \
            BODY;                                                                 \
            for (int d_ = (ndims) - 1; d_ >= 0; d_--) {                           \
                o += ostride_[d_];                                                \
                if (++idx_[d_] < (dims)[d_]) break;                               \
                o -= ostride_[d_] * (dims)[d_];                                   \
                idx_[d_] = 0;                                                     \
            }                                                                     \
        }                                                                         \
    } while (0)

void tml_mean_s8_params(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, tml_mean_params_t *p) {
    tml_quantize_multiplier((double)in_scale / (double)out_scale, &p->multiplier, &p->shift);
    p->input_zp = in_zp;
    p->output_zp = out_zp;
}

static int count_leading_zeros64(uint64_t x) {
    int n = 0;
    if (x == 0) {
        return 64;
    }
    while (!(x & ((uint64_t)1 << 63))) {
        x <<= 1;
        n++;
    }
    return n;
}

void tml_mean_s8(const int8_t *in, const int32_t *dims, int ndims, int32_t mask, int8_t *out, int32_t *sums,
    const tml_mean_params_t *p) {
    const int32_t nout = tml_reduce_out_count(dims, ndims, mask);
    const int32_t count = tml_reduce_in_count(dims, ndims, mask);
    for (int32_t k = 0; k < nout; k++) {
        sums[k] = 0;
        out[k] = 0;
    }
    for (int d = 0; d < ndims; d++) {
        if (dims[d] == 0) {
            return;
        }
    }
    TML_REDUCE_LOOP(dims, ndims, mask, { sums[o] += in[i]; });
    // QuantizedMeanOrSum (integer version, used by TFLM for every int8 MEAN, also when input and
    // output quantisation are equal): fold 1/count into the multiplier, then requantise once.
    int shift = 63 - count_leading_zeros64((uint64_t)count);
    shift = shift < 32 ? shift : 32;
    shift = shift < 31 + p->shift ? shift : 31 + p->shift;
    const int32_t mult = (int32_t)(((int64_t)p->multiplier << shift) / count);
    const int out_shift = p->shift - shift;
    for (int32_t k = 0; k < nout; k++) {
        const int32_t shifted = (int32_t)(sums[k] - p->input_zp * count);
        int32_t v = tml_mbqm(shifted, mult, out_shift) + p->output_zp;
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
        out[k] = (int8_t)v;
    }
}

void tml_mean_f32(const float *in, const int32_t *dims, int ndims, int32_t mask, float *out) {
    const int32_t nout = tml_reduce_out_count(dims, ndims, mask);
    const int32_t count = tml_reduce_in_count(dims, ndims, mask);
    for (int32_t k = 0; k < nout; k++) {
        out[k] = 0.0f;
    }
    for (int d = 0; d < ndims; d++) {
        if (dims[d] == 0) {
            return;
        }
    }
    TML_REDUCE_LOOP(dims, ndims, mask, { out[o] += in[i]; });
    for (int32_t k = 0; k < nout; k++) {
        out[k] = out[k] / (float)count;
    }
}

void tml_reduce_max_s8(const int8_t *in, const int32_t *dims, int ndims, int32_t mask, int8_t *out) {
    const int32_t nout = tml_reduce_out_count(dims, ndims, mask);
    for (int32_t k = 0; k < nout; k++) {
        out[k] = INT8_MIN;
    }
    TML_REDUCE_LOOP(dims, ndims, mask, { out[o] = in[i] > out[o] ? in[i] : out[o]; });
}

void tml_reduce_max_f32(const float *in, const int32_t *dims, int ndims, int32_t mask, float *out) {
    const int32_t nout = tml_reduce_out_count(dims, ndims, mask);
    for (int32_t k = 0; k < nout; k++) {
        out[k] = -FLT_MAX;
    }
    TML_REDUCE_LOOP(dims, ndims, mask, { out[o] = in[i] > out[o] ? in[i] : out[o]; });
}
