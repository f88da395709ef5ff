// Broadcast index set-up shared by the binary kernels, and the fused activation ranges.
#include <float.h>
#include <math.h>

#include "tml_binary.h"

int tml_bcast_init(tml_bcast_t *b, const int32_t *d1, int n1, const int32_t *d2, int n2, const int32_t *dout, int nout) {
    if (nout > TML_BCAST_MAX_DIMS || n1 > nout || n2 > nout || nout < 0) {
        return -1;
    }
    int32_t s1 = 1, s2 = 1;
    b->ndims = nout;
    for (int i = nout - 1; i >= 0; i--) {
        const int k1 = i - (nout - n1), k2 = i - (nout - n2);
        const int32_t e1 = k1 >= 0 ? d1[k1] : 1, e2 = k2 >= 0 ? d2[k2] : 1, eo = dout[i];
        if ((e1 != eo && e1 != 1) || (e2 != eo && e2 != 1)) {
            return -1;
        }
        b->out_dims[i] = eo;
        b->stride1[i] = e1 == 1 ? 0 : s1;
        b->stride2[i] = e2 == 1 ? 0 : s2;
        s1 *= e1;
        s2 *= e2;
    }
    return 0;
}

int tml_act_range_s8(int act, float out_scale, int32_t out_zp, int32_t *act_min, int32_t *act_max) {
    int32_t lo = -128, hi = 127;
    // quantize(f) = zp + (int32)round(f / scale), in float as TFLite does.
    if (act == 1 || act == 3) {
        int32_t q0 = out_zp + (int32_t)roundf(0.0f / out_scale);
        lo = q0 > lo ? q0 : lo;
        if (act == 3) {
            int32_t q6 = out_zp + (int32_t)roundf(6.0f / out_scale);
            hi = q6 < hi ? q6 : hi;
        }
    } else if (act == 2) {
        int32_t qm1 = out_zp + (int32_t)roundf(-1.0f / out_scale);
        int32_t q1 = out_zp + (int32_t)roundf(1.0f / out_scale);
        lo = qm1 > lo ? qm1 : lo;
        hi = q1 < hi ? q1 : hi;
    } else if (act != 0) {
        return -1;
    }
    *act_min = lo;
    *act_max = hi;
    return 0;
}

int tml_act_range_f32(int act, float *act_min, float *act_max) {
    switch (act) {
        case 0: *act_min = -FLT_MAX; *act_max = FLT_MAX; return 0;
        case 1: *act_min = 0.0f; *act_max = FLT_MAX; return 0;
        case 2: *act_min = -1.0f; *act_max = 1.0f; return 0;
        case 3: *act_min = 0.0f; *act_max = 6.0f; return 0;
        default: return -1;
    }
}
