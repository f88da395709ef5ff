// Kernel signatures shared by the portable reference kernels (kernels/portable/) and any
// optimised variant: pure functions over plain arrays, no engine types, no allocation.
#ifndef TML_KERNELS_H
#define TML_KERNELS_H

#include <stdint.h>

typedef struct {
    int32_t n, h, w, c;
} tml_shape4_t;

typedef struct {
    int32_t stride_w, stride_h;
    int32_t dilation_w, dilation_h;
    int32_t pad_w, pad_h;
    int32_t depth_multiplier;  // depthwise only
    int32_t input_offset;      // -input zero point
    int32_t output_offset;     // output zero point
    int32_t act_min, act_max;
    const int32_t *multiplier; // per output channel
    const int8_t *shift;       // per output channel, -31..31 (int8: 3 bytes less arena each)
} tml_conv_params_t;

typedef struct {
    int32_t stride_w, stride_h;
    int32_t dilation_w, dilation_h;
    int32_t pad_w, pad_h;
    int32_t depth_multiplier;
    float act_min, act_max;
} tml_conv_params_f32_t;

// Filter OHWI; grouped when the input has a multiple of the filter's input channels.
void tml_conv_s8(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,
    const tml_shape4_t *out_shape, int8_t *out);
void tml_conv_f32(const tml_conv_params_f32_t *p, const tml_shape4_t *in_shape, const float *in,
    const tml_shape4_t *filter_shape, const float *filter, const float *bias,
    const tml_shape4_t *out_shape, float *out);

// Filter 1HW(C*M).
void tml_depthwise_conv_s8(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,
    const tml_shape4_t *out_shape, int8_t *out);

typedef struct {
    int32_t input_offset, filter_offset, output_offset;
    int32_t act_min, act_max;
    const int32_t *multiplier;  // per output channel, or a single entry
    const int8_t *shift;
    int32_t per_channel;
} tml_fc_params_t;

void tml_fully_connected_s8(const tml_fc_params_t *p, int32_t batches, int32_t accum_depth, int32_t output_depth,
    const int8_t *in, const int8_t *filter, const int32_t *bias, int8_t *out);
void tml_fully_connected_f32(float act_min, float act_max, int32_t batches, int32_t accum_depth,
    int32_t output_depth, const float *in, const float *filter, const float *bias, float *out);

typedef struct {
    int32_t stride_w, stride_h;
    int32_t filter_w, filter_h;
    int32_t pad_w, pad_h;
    int32_t act_min, act_max;
} tml_pool_params_t;

// Return 0 when a window has no input cell (TFLM's reference fails then too).
int tml_average_pool_s8(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out);
void tml_max_pool_s8(const tml_pool_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,
    const tml_shape4_t *out_shape, int8_t *out);

typedef struct {
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t diff_min;
} tml_softmax_params_t;

void tml_softmax_s8(const tml_softmax_params_t *p, int32_t outer, int32_t depth, const int8_t *in, int8_t *out);

typedef struct {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} tml_add_params_t;

#define TML_BROADCAST_DIMS 6
// Element-wise, or with numpy broadcasting: shapes padded to 6 dims (leading 1s).
void tml_add_s8(const tml_add_params_t *p, int32_t n, const int8_t *in1, const int8_t *in2, int8_t *out);
void tml_broadcast_add_s8(const tml_add_params_t *p, const int32_t *shape1, const int8_t *in1,
    const int32_t *shape2, const int8_t *in2, const int32_t *out_shape, int8_t *out);
void tml_add_f32(float act_min, float act_max, int32_t n, const float *in1, const float *in2, float *out);
void tml_broadcast_add_f32(float act_min, float act_max, const int32_t *shape1, const float *in1,
    const int32_t *shape2, const float *in2, const int32_t *out_shape, float *out);

// ---- Kernel selection (compile time) ----
// Ops call the plain names above; with TML_KERNEL_DISPATCH defined (ops/tml_op_util.h does) the
// names the optimised sets replace are mapped to the chosen set. The reference kernels in
// portable/ keep the plain names, so every set can fall back to them for rare geometries.
//   TML_KERNELS_PORTABLE (make TINYML_KERNELS=portable): reference kernels only.
//   TML_USE_ESP_NN (micropython.cmake, when idf::esp-nn exists): esp_nn/, else fast/.
//   __ARM_FEATURE_DSP (Cortex-M4/M7/M33 with DSP, set by the compiler): arm_dsp/ (on the host,
//   TML_ARM_DSP_EMULATE compiles it with plain-C models of the instructions, for tests).
//   anything else (x86 unix, host library, Xtensa without ESP-NN): fast/ (portable C).
#if defined(TML_KERNELS_PORTABLE)
#define TML_KERNELS_NAME "portable"
#elif defined(TML_USE_ESP_NN)
#define TML_KERNELS_ESP_NN 1
#define TML_KERNELS_FAST 1
#define TML_KERNELS_NAME "esp_nn"
#elif (defined(__ARM_FEATURE_DSP) || defined(TML_ARM_DSP_EMULATE)) && !defined(TML_KERNELS_NO_ARM_DSP)
#define TML_KERNELS_ARM_DSP 1
#define TML_KERNELS_FAST 1
#define TML_KERNELS_NAME "arm_dsp"
#else
#define TML_KERNELS_FAST 1
#define TML_KERNELS_NAME "fast"
#endif

// Every optimised variant has the signature of its reference kernel, with a suffix.
#define TML_KERNEL_DECLS(sfx)                                                                           \
    void tml_conv_s8_##sfx(const tml_conv_params_t *p, const tml_shape4_t *in_shape, const int8_t *in,   \
        const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias,                   \
        const tml_shape4_t *out_shape, int8_t *out);                                                   \
    void tml_depthwise_conv_s8_##sfx(const tml_conv_params_t *p, const tml_shape4_t *in_shape,         \
        const int8_t *in, const tml_shape4_t *filter_shape, const int8_t *filter, const int32_t *bias, \
        const tml_shape4_t *out_shape, int8_t *out);                                                   \
    void tml_fully_connected_s8_##sfx(const tml_fc_params_t *p, int32_t batches, int32_t accum_depth,  \
        int32_t output_depth, const int8_t *in, const int8_t *filter, const int32_t *bias, int8_t *out);\
    int tml_average_pool_s8_##sfx(const tml_pool_params_t *p, const tml_shape4_t *in_shape,            \
        const int8_t *in, const tml_shape4_t *out_shape, int8_t *out);                                 \
    void tml_max_pool_s8_##sfx(const tml_pool_params_t *p, const tml_shape4_t *in_shape,               \
        const int8_t *in, const tml_shape4_t *out_shape, int8_t *out);                                 \
    void tml_add_s8_##sfx(const tml_add_params_t *p, int32_t n, const int8_t *in1, const int8_t *in2,  \
        int8_t *out);

#if defined(TML_KERNELS_FAST)
TML_KERNEL_DECLS(fast)
#endif
#if defined(TML_KERNELS_ARM_DSP)
TML_KERNEL_DECLS(arm_dsp)
#endif
#if defined(TML_KERNELS_ESP_NN)
TML_KERNEL_DECLS(esp_nn)
#endif

#if defined(TML_KERNEL_DISPATCH) && !defined(TML_KERNELS_PORTABLE)
#if defined(TML_KERNELS_ESP_NN)
#define TML_KERNEL_SFX(name) name##_esp_nn
#elif defined(TML_KERNELS_ARM_DSP)
#define TML_KERNEL_SFX(name) name##_arm_dsp
#else
#define TML_KERNEL_SFX(name) name##_fast
#endif
#define tml_conv_s8 TML_KERNEL_SFX(tml_conv_s8)
#define tml_depthwise_conv_s8 TML_KERNEL_SFX(tml_depthwise_conv_s8)
#define tml_fully_connected_s8 TML_KERNEL_SFX(tml_fully_connected_s8)
#define tml_average_pool_s8 TML_KERNEL_SFX(tml_average_pool_s8)
#define tml_max_pool_s8 TML_KERNEL_SFX(tml_max_pool_s8)
#define tml_add_s8 TML_KERNEL_SFX(tml_add_s8)
#endif

#endif
