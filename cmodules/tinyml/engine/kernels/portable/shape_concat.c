// CONCATENATION and PACK interleave contiguous runs of each input (reference_ops::Concatenation);
// SPLIT, SPLIT_V and UNPACK take them apart again.
#include <string.h>

#include "tml_shape_ops.h"

void tml_concat(const void *const *inputs, const int32_t *inner, int n_inputs, int32_t outer, size_t esize, void *out) {
    uint8_t *o = (uint8_t *)out;
    for (int32_t b = 0; b < outer; b++) {
        for (int k = 0; k < n_inputs; k++) {
            const size_t run = (size_t)inner[k] * esize;
            memcpy(o, (const uint8_t *)inputs[k] + (size_t)b * run, run);
            o += run;
        }
    }
}

void tml_split(const void *in, int32_t outer, void *const *outputs, const int32_t *inner, int n_outputs, size_t esize) {
    const uint8_t *i = (const uint8_t *)in;
    for (int32_t b = 0; b < outer; b++) {
        for (int k = 0; k < n_outputs; k++) {
            const size_t run = (size_t)inner[k] * esize;
            memcpy((uint8_t *)outputs[k] + (size_t)b * run, i, run);
            i += run;
        }
    }
}
