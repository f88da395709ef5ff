// Data-movement kernels (TFLM concatenation.cc, pack.cc, pad.cc, transpose.cc, strided_slice.cc,
// space_to_batch_nd.cc, batch_to_space_nd.cc; TILE as TFLite's tile.cc). They move elements of
// `esize` bytes and never look at values, so one kernel serves every type.
#ifndef TML_SHAPE_OPS_H
#define TML_SHAPE_OPS_H

#include <stddef.h>
#include <stdint.h>

#define TML_SHAPE_MAX_DIMS 6

// CONCATENATION / PACK: `outer` blocks; input k contributes inner[k] elements per block.
void tml_concat(const void *const *inputs, const int32_t *inner, int n_inputs, int32_t outer, size_t esize, void *out);

// SPLIT / SPLIT_V / UNPACK, the inverse of tml_concat: output k takes inner[k] elements of
// each of the `outer` blocks.
void tml_split(const void *in, int32_t outer, void *const *outputs, const int32_t *inner, int n_outputs, size_t esize);

// PAD / PADV2: pads[2*d] before, pads[2*d+1] after dimension d; `value` is one element.
void tml_pad(const void *in, const int32_t *in_dims, int ndims, const int32_t *pads, const void *value, size_t esize,
    void *out);

// TRANSPOSE: output dim d is input dim perm[d].
void tml_transpose(const void *in, const int32_t *in_dims, int ndims, const int32_t *perm, size_t esize, void *out);

// STRIDED_SLICE after mask resolution: per dimension start, stop, stride (TFLite semantics).
void tml_strided_slice(const void *in, const int32_t *in_dims, int ndims, const int32_t *start, const int32_t *stop,
    const int32_t *stride, size_t esize, void *out);
// StartForAxis / StopForAxis of reference strided_slice_logic.h.
int32_t tml_ss_start(int32_t begin, int32_t stride, int32_t size, int begin_masked);
int32_t tml_ss_stop(int32_t end, int32_t stride, int32_t size, int32_t start, int end_masked, int shrink);
// Number of elements the loop for one axis visits.
int32_t tml_ss_count(int32_t start, int32_t stop, int32_t stride);

// SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND on 4-D NHWC shapes (3-D callers pass W = 1).
void tml_space_to_batch(const void *in, const int32_t *in_dims, const int32_t *out_dims, int32_t block_h,
    int32_t block_w, int32_t pad_top, int32_t pad_left, int pad_byte, size_t esize, void *out);
void tml_batch_to_space(const void *in, const int32_t *in_dims, const int32_t *out_dims, int32_t block_h,
    int32_t block_w, int32_t crop_top, int32_t crop_left, size_t esize, void *out);

// TILE: output dim d = in_dims[d] * multiples[d].
void tml_tile(const void *in, const int32_t *in_dims, int ndims, const int32_t *multiples, size_t esize, void *out);

#endif
