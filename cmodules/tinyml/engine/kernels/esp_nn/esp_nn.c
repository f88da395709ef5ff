// ESP-NN hook (ESP32-S3): CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED call Espressif's s8
// kernels (the ones esp-tflite-micro uses; their results match TFLM's reference). Compiled only
// when micropython.cmake finds idf::esp-nn (TML_USE_ESP_NN). NOT compiled or run in this
// project's CI (no ESP-IDF here): written against esp_nn.h / esp_nn_defs.h of esp-nn 1.x.
// What ESP-NN does not take (dilation, groups, batches > 1, scratch over ESP_NN_SCRATCH bytes,
// more than ESP_NN_MAX_CH channels, a non-zero filter offset) and pools/ADD use fast/.
#include "kernels/fast/tml_fast.h"

#if defined(TML_KERNELS_ESP_NN)
#include "esp_nn.h"

#define ESP_NN_SCRATCH (16 * 1024)
#define ESP_NN_MAX_CH 512

static int8_t scratch[ESP_NN_SCRATCH] __attribute__((aligned(16)));
// ESP-NN wants int32 shifts; the engine keeps them as int8.
static int32_t shift32[ESP_NN_MAX_CH];

static int widen_shifts(const int8_t *shift, int32_t n) {
    if (n > ESP_NN_MAX_CH) {
        return 0;
    }
    for (int32_t i = 0; i < n; i++) {
        shift32[i] = shift[i];
    }
    return 1;
}

void tml_conv_s8_esp_nn(const tml_conv_params_t *p, const tml_shape4_t *is, const int8_t *in,
    const tml_shape4_t *fs, const int8_t *filter, const int32_t *bias, const tml_shape4_t *os, int8_t *out) {
    data_dims_t in_dims = {.width = is->w, .height = is->h, .channels = is->c, .extra = 1};
    data_dims_t f_dims = {.width = fs->w, .height = fs->h, .channels = fs->c, .extra = 1};
    data_dims_t out_dims = {.width = os->w, .height = os->h, .channels = os->c, .extra = 1};
    conv_params_t cp = {
        .in_offset = p->input_offset, .out_offset = p->output_offset,
        .stride = {.width = p->stride_w, .height = p->stride_h},
        .padding = {.width = p->pad_w, .height = p->pad_h},
        .dilation = {.width = 1, .height = 1},
        .activation = {.min = p->act_min, .max = p->act_max},
    };
    if (is->n != 1 || fs->c != is->c || p->dilation_w != 1 || p->dilation_h != 1 || !widen_shifts(p->shift, os->c) ||
        esp_nn_get_conv_scratch_size(&in_dims, &f_dims, &out_dims, &cp) > ESP_NN_SCRATCH) {
        tml_conv_s8_fast(p, is, in, fs, filter, bias, os, out);
        return;
    }
    quant_data_t q = {.shift = shift32, .mult = (int32_t *)p->multiplier};
    esp_nn_set_conv_scratch_buf(scratch);
    esp_nn_conv_s8(&in_dims, in, &f_dims, filter, bias, &out_dims, out, &cp, &q);
}

void tml_depthwise_conv_s8_esp_nn(const tml_conv_params_t *p, const tml_shape4_t *is, const int8_t *in,
    const tml_shape4_t *fs, const int8_t *filter, const int32_t *bias, const tml_shape4_t *os, int8_t *out) {
    data_dims_t in_dims = {.width = is->w, .height = is->h, .channels = is->c, .extra = 1};
    data_dims_t f_dims = {.width = fs->w, .height = fs->h, .channels = fs->c, .extra = 1};
    data_dims_t out_dims = {.width = os->w, .height = os->h, .channels = os->c, .extra = 1};
    dw_conv_params_t cp = {
        .in_offset = p->input_offset, .out_offset = p->output_offset, .ch_mult = p->depth_multiplier,
        .stride = {.width = p->stride_w, .height = p->stride_h},
        .padding = {.width = p->pad_w, .height = p->pad_h},
        .dilation = {.width = 1, .height = 1},
        .activation = {.min = p->act_min, .max = p->act_max},
    };
    if (is->n != 1 || p->dilation_w != 1 || p->dilation_h != 1 || !widen_shifts(p->shift, os->c) ||
        esp_nn_get_depthwise_conv_scratch_size(&in_dims, &f_dims, &out_dims, &cp) > ESP_NN_SCRATCH) {
        tml_depthwise_conv_s8_fast(p, is, in, fs, filter, bias, os, out);
        return;
    }
    quant_data_t q = {.shift = shift32, .mult = (int32_t *)p->multiplier};
    esp_nn_set_depthwise_conv_scratch_buf(scratch);
    esp_nn_depthwise_conv_s8(&in_dims, in, &f_dims, filter, bias, &out_dims, out, &cp, &q);
}

void tml_fully_connected_s8_esp_nn(const tml_fc_params_t *p, int32_t batches, int32_t accum_depth,
    int32_t output_depth, const int8_t *in, const int8_t *filter, const int32_t *bias, int8_t *out) {
    // esp_nn_fully_connected_s8 takes one (per-tensor) multiplier and uint16 lengths.
    if (p->per_channel || accum_depth > 65535 || output_depth > 65535) {
        tml_fully_connected_s8_fast(p, batches, accum_depth, output_depth, in, filter, bias, out);
        return;
    }
    for (int32_t b = 0; b < batches; b++) {
        esp_nn_fully_connected_s8(in + b * accum_depth, p->input_offset, (uint16_t)accum_depth, filter,
            p->filter_offset, bias, out + b * output_depth, (uint16_t)output_depth, p->output_offset,
            p->shift[0], p->multiplier[0], p->act_min, p->act_max);
    }
}

int tml_average_pool_s8_esp_nn(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out) {
    return tml_average_pool_s8_fast(p, in_shape, in, out_shape, out);
}

void tml_max_pool_s8_esp_nn(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out) {
    tml_max_pool_s8_fast(p, in_shape, in, out_shape, out);
}

void tml_add_s8_esp_nn(const tml_add_params_t *p, int32_t n, const int8_t *in1, const int8_t *in2, int8_t *out) {
    tml_add_s8_fast(p, n, in1, in2, out);
}

#endif
