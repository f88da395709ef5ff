// Broadcast index set-up shared by the binary kernels.
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
