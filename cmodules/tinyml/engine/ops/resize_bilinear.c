// RESIZE_BILINEAR (Keras UpSampling2D(interpolation="bilinear"), Resizing): int8 in Q10 integer
// arithmetic (ResizeBilinearInteger), float32.
#include "tml_resize_op.h"

static tml_status_t resize_bl_prepare(tml_ctx_t *ctx, tml_node_t *node) {
    return tml_resize_prepare(ctx, node, TML_OPTIONS_RESIZE_BILINEAR_OPTIONS, TML_RESIZE_BILINEAR_OPTIONS_ALIGN_CORNERS,
        TML_RESIZE_BILINEAR_OPTIONS_HALF_PIXEL_CENTERS, TML_BIT(TML_TYPE_INT8) | TML_BIT(TML_TYPE_FLOAT32));
}

static tml_status_t resize_bl_eval(tml_ctx_t *ctx, tml_node_t *node) {
    tml_tensor_t in, out;
    const tml_resize_params_t *p = (const tml_resize_params_t *)node->user_data;
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_output(ctx, node, 0, &out));
    if (in.type == TML_TYPE_INT8) {
        tml_resize_bilinear_s8(p, (const int8_t *)in.data, (int8_t *)out.data);
    } else {
        tml_resize_bilinear_f32(p, (const float *)in.data, (float *)out.data);
    }
    return TML_OK;
}

const tml_op_t tml_op_resize_bilinear = {
    .name = "RESIZE_BILINEAR",
    .builtin_code = TML_BUILTIN_RESIZE_BILINEAR,
    .prepare = resize_bl_prepare,
    .eval = resize_bl_eval,
};
