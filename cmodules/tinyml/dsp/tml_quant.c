#include <math.h>
#include "tml_quant.h"

void tml_quantize_s8(const float *x, int8_t *q, uint32_t n, float scale, int32_t zero_point) {
    for (uint32_t i = 0; i < n; i++) {
        float v = x[i] / scale;
        float r = floorf(fabsf(v) + 0.5f);
        int32_t iv;
        // Saturate in float first: casting an out-of-range float to int is undefined.
        if (r > 1000.0f) {
            r = 1000.0f;
        }
        if (!(r == r)) {
            r = 0.0f;  // NaN in, zero point out
        }
        iv = (int32_t)r;
        iv = (v < 0.0f ? -iv : iv) + zero_point;
        q[i] = (int8_t)(iv < -128 ? -128 : (iv > 127 ? 127 : iv));
    }
}
