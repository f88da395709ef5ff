// What CONV_2D and DEPTHWISE_CONV_2D share in prepare: options, geometry checks, quantisation
// multipliers (TFLM's conv_common / depthwise_conv_common).
#include "conv_common.h"

// What CONV_2D and DEPTHWISE_CONV_2D share: options, geometry checks, quantisation.
static tml_status_t check_types(tml_ctx_t *ctx, const tml_tensor_t *in, const tml_tensor_t *filter,
    const tml_tensor_t *bias, const tml_tensor_t *out, int32_t out_channels) {
    int is_int8 = in->type == TML_TYPE_INT8;
    if (!(is_int8 || in->type == TML_TYPE_FLOAT32)) {
        return tml_fail(ctx, TML_ERR_UNSUPPORTED_TYPE, in->index, "input must be int8 or float32");
    }
    TML_ENSURE(ctx, filter->type == in->type, TML_ERR_UNSUPPORTED_TYPE, filter->index, "filter type differs from input");
    TML_ENSURE(ctx, out->type == in->type, TML_ERR_UNSUPPORTED_TYPE, out->index, "output type differs from input");
    if (tml_present(bias)) {
        int want = is_int8 ? TML_TYPE_INT32 : TML_TYPE_FLOAT32;
        TML_ENSURE(ctx, bias->type == want, TML_ERR_UNSUPPORTED_TYPE, bias->index, "bias must be int32 (int8) or float32");
        TML_ENSURE(ctx, tml_num_elements(bias) == out_channels, TML_ERR_BAD_MODEL, bias->index, "bias size is not the output channels");
    }
    if (is_int8) {
        TML_ENSURE(ctx, in->scale > 0.0f, TML_ERR_BAD_MODEL, in->index, "input is not quantised");
        TML_ENSURE(ctx, out->scale > 0.0f, TML_ERR_BAD_MODEL, out->index, "output is not quantised");
        TML_ENSURE(ctx, filter->num_channels == 1 || filter->num_channels == out_channels, TML_ERR_BAD_MODEL,
            filter->index, "filter scales do not match the output channels");
        for (int32_t c = 0; c < filter->num_channels; c++) {
            TML_ENSURE(ctx, tml_channel_zero_point(filter, c) == 0, TML_ERR_UNSUPPORTED_TYPE, filter->index,
                "int8 filter must be symmetric (zero point 0)");
        }
    }
    return TML_OK;
}

tml_status_t tml_conv_prepare_common(tml_ctx_t *ctx, tml_node_t *node, int options_type, int depthwise) {
    tml_tensor_t in, filter, bias, out;
    TML_TRY(tml_expect_options(ctx, node, options_type));
    TML_TRY(tml_input(ctx, node, 0, &in));
    TML_TRY(tml_input(ctx, node, 1, &filter));
    TML_TRY(tml_input(ctx, node, 2, &bias));
    TML_TRY(tml_output(ctx, node, 0, &out));
    TML_ENSURE(ctx, tml_present(&in) && tml_present(&filter), TML_ERR_BAD_MODEL, -1, "missing input or filter");
    TML_ENSURE(ctx, in.ndims == 4, TML_ERR_BAD_MODEL, in.index, "input must be 4-D");
    TML_ENSURE(ctx, filter.ndims == 4, TML_ERR_BAD_MODEL, filter.index, "filter must be 4-D");
    TML_ENSURE(ctx, out.ndims == 4, TML_ERR_BAD_MODEL, out.index, "output must be 4-D");
    // Field slots differ between Conv2DOptions and DepthwiseConv2DOptions.
    int padding, act;
    int32_t stride_w, stride_h, dil_w, dil_h;
    if (depthwise) {
        padding = tml_opt_u8(ctx, node, TML_DEPTHWISE_CONV2D_OPTIONS_PADDING, 0);
        stride_w = tml_opt_i32(ctx, node, TML_DEPTHWISE_CONV2D_OPTIONS_STRIDE_W, 0);
        stride_h = tml_opt_i32(ctx, node, TML_DEPTHWISE_CONV2D_OPTIONS_STRIDE_H, 0);
        act = tml_opt_u8(ctx, node, TML_DEPTHWISE_CONV2D_OPTIONS_FUSED_ACTIVATION_FUNCTION, 0);
        dil_w = tml_opt_i32(ctx, node, TML_DEPTHWISE_CONV2D_OPTIONS_DILATION_W_FACTOR, 1);
        dil_h = tml_opt_i32(ctx, node, TML_DEPTHWISE_CONV2D_OPTIONS_DILATION_H_FACTOR, 1);
    } else {
        padding = tml_opt_u8(ctx, node, TML_CONV2D_OPTIONS_PADDING, 0);
        stride_w = tml_opt_i32(ctx, node, TML_CONV2D_OPTIONS_STRIDE_W, 0);
        stride_h = tml_opt_i32(ctx, node, TML_CONV2D_OPTIONS_STRIDE_H, 0);
        act = tml_opt_u8(ctx, node, TML_CONV2D_OPTIONS_FUSED_ACTIVATION_FUNCTION, 0);
        dil_w = tml_opt_i32(ctx, node, TML_CONV2D_OPTIONS_DILATION_W_FACTOR, 1);
        dil_h = tml_opt_i32(ctx, node, TML_CONV2D_OPTIONS_DILATION_H_FACTOR, 1);
    }
    TML_ENSURE(ctx, stride_w > 0 && stride_h > 0 && dil_w > 0 && dil_h > 0, TML_ERR_BAD_MODEL, -1,
        "stride and dilation must be positive");
    TML_ENSURE(ctx, padding == TML_PADDING_SAME || padding == TML_PADDING_VALID, TML_ERR_BAD_MODEL, -1, "unknown padding");
    TML_ENSURE(ctx, act <= TML_ACT_RELU6, TML_ERR_UNSUPPORTED_TYPE, -1, "unsupported fused activation");
    // Empty operands: the kernels' loops would run over the other (unbounded) dimensions.
    TML_ENSURE(ctx, tml_num_elements(&in) > 0, TML_ERR_BAD_MODEL, in.index, "input has no elements");
    TML_ENSURE(ctx, tml_num_elements(&filter) > 0, TML_ERR_BAD_MODEL, filter.index, "filter has no elements");
    TML_ENSURE(ctx, tml_num_elements(&out) > 0, TML_ERR_BAD_MODEL, out.index, "output has no elements");
    tml_shape4_t is, fs, os;
    tml_shape4(&in, &is);
    tml_shape4(&filter, &fs);
    tml_shape4(&out, &os);
    int32_t out_channels = depthwise ? fs.c : fs.n;
    TML_ENSURE(ctx, os.c == out_channels, TML_ERR_BAD_MODEL, out.index, "output channels differ from the filter");
    TML_ENSURE(ctx, os.n == is.n, TML_ERR_BAD_MODEL, out.index, "batch differs");
    int32_t multiplier = 1;
    if (depthwise) {
        TML_ENSURE(ctx, fs.n == 1 && is.c > 0 && out_channels % is.c == 0, TML_ERR_BAD_MODEL, filter.index,
            "depthwise filter must be 1xHxWx(C*M)");
        multiplier = out_channels / is.c;
    } else {
        TML_ENSURE(ctx, fs.c > 0 && is.c >= fs.c && is.c % fs.c == 0 && out_channels % (is.c / fs.c) == 0, TML_ERR_BAD_MODEL,
            filter.index, "filter channels do not divide the input channels");
    }
    int32_t out_h = tml_out_size(padding, is.h, fs.h, stride_h, dil_h);
    int32_t out_w = tml_out_size(padding, is.w, fs.w, stride_w, dil_w);
    TML_ENSURE(ctx, out_h >= 0 && out_w >= 0, TML_ERR_BAD_MODEL, filter.index,
        "filter, stride or dilation out of range (effective filter size does not fit)");
    TML_ENSURE(ctx, out_h == os.h && out_w == os.w, TML_ERR_BAD_MODEL, out.index, "output size does not match padding/stride");
    TML_TRY(check_types(ctx, &in, &filter, &bias, &out, out_channels));

    conv_data_t *d;
    int is_int8 = in.type == TML_TYPE_INT8;
    size_t bytes = is_int8 ? sizeof(tml_conv_params_t) + (sizeof(int32_t) + sizeof(int8_t)) * (size_t)out_channels
                           : sizeof(tml_conv_params_f32_t);
    TML_ALLOC_PERSISTENT(ctx, d, bytes);
    node->user_data = d;
    int32_t pad_w = tml_padding(stride_w, dil_w, is.w, fs.w, out_w);
    int32_t pad_h = tml_padding(stride_h, dil_h, is.h, fs.h, out_h);
    TML_ENSURE(ctx, pad_w >= 0 && pad_h >= 0, TML_ERR_BAD_MODEL, filter.index, "padding out of range (stride/dilation)");
    if (!is_int8) {
        tml_conv_params_f32_t *f = &d->f;
        f->stride_w = stride_w;
        f->stride_h = stride_h;
        f->dilation_w = dil_w;
        f->dilation_h = dil_h;
        f->pad_w = pad_w;
        f->pad_h = pad_h;
        f->depth_multiplier = multiplier;
        tml_activation_range_f32(act, &f->act_min, &f->act_max);
        return TML_OK;
    }
    tml_conv_params_t *q = &d->q;
    int32_t *mult = (int32_t *)(q + 1);
    int8_t *shift = (int8_t *)(mult + out_channels);
    q->stride_w = stride_w;
    q->stride_h = stride_h;
    q->dilation_w = dil_w;
    q->dilation_h = dil_h;
    q->pad_w = pad_w;
    q->pad_h = pad_h;
    q->depth_multiplier = multiplier;
    tml_per_channel_multipliers_s8(&in, &filter, &out, out_channels, mult, shift);
    q->multiplier = mult;
    q->shift = shift;
    q->input_offset = -in.zero_point;
    q->output_offset = out.zero_point;
    tml_activation_range_quantized(act, out.scale, out.zero_point, -128, 127, &q->act_min, &q->act_max);
    return TML_OK;
}

