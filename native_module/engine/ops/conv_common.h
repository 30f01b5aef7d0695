// Prepare steps shared by CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, as
// TFLite Micro shares them through conv_common.cc and kernel_util's
// PopulateConvolutionQuantizationParams: tensor and type checks, per-channel
// multipliers and the convolution window (which the pools use too).
#ifndef TML_OPS_CONV_COMMON_H
#define TML_OPS_CONV_COMMON_H

#include "tml_op.h"
#include "kernels/ref/channel_quant.h"

// Upper bound on output channels, so the per-channel arrays cannot overflow
// the size computation on a 32-bit target.
#define TML_CONV_MAX_CHANNELS (1 << 20)
// Bounds on window steps (stride, dilation) and on any dimension, so the index
// arithmetic (and tml_out_size) stays inside int32 on a corrupt model; real
// strides and dilations are single digits.
#define TML_CONV_MAX_STEP (1 << 16)
#define TML_CONV_MAX_SPAN (1 << 24)

// n when it can count output channels (1..TML_CONV_MAX_CHANNELS), else 0.
int32_t tml_conv_channel_count(int32_t n);
// Output channels of a 4-d filter (input 1), read from dims[axis], or 0 when
// it is unusable. Also sizes the per-channel arrays, so it must be safe on an
// unvalidated model.
int32_t tml_conv_filter_channels(const tml_interp_t *it, const tml_node_t *node, int axis);

// Input, weights (input 1), optional bias (input 2) and output of the node,
// checked for count and type: int8 with int8 weights and an int32 bias, or
// float32 throughout (hybrid int8 weights on float32 input are refused).
tml_status_t tml_conv_tensors(tml_interp_t *it, const tml_node_t *node, const tml_tensor_t **in,
    const tml_tensor_t **f, const tml_tensor_t **bias, const tml_tensor_t **out);

// One multiplier and shift per output channel: input_scale * filter_scale[c]
// / output_scale in double, as PopulateConvolutionQuantizationParams (a single
// weight scale serves every channel). mismatch is the message for weight
// scales whose count is neither 1 nor channels. A shift is an int8 (TFLite's
// exponents lie within +-31): 5 bytes of arena a channel instead of 8.
tml_status_t tml_conv_multipliers(tml_interp_t *it, const tml_node_t *node, const tml_tensor_t *in,
    const tml_tensor_t *f, const tml_tensor_t *out, int32_t channels, int32_t *mult, int8_t *shift);

// Bytes of the per-channel arrays for `channels` output channels: the
// multipliers, then the shifts.
#define TML_CONV_CHANNEL_BYTES(channels) ((size_t)(channels) * (sizeof(int32_t) + sizeof(int8_t)))

// Reads padding (options field 0), strides (fields 1 and 2) and dilations (fields
// dilation_field and dilation_field + 1, w before h; 0: none, as pooling has) into w, checks
// them and that they turn w's in_h x in_w input and filter_h x filter_w filter into its
// out_h x out_w output, and sets its leading padding. Its other fields are neither read nor set.
tml_status_t tml_conv_window(tml_interp_t *it, const tml_node_t *node, int dilation_field, tml_window_shape_t *w);

// What tml_conv_prepare hands CONV_2D and DEPTHWISE_CONV_2D to fill their kernel's shape.
typedef struct {
    const tml_tensor_t *in, *f;
    int32_t act;  // the fused activation (options field act_field)
    tml_window_shape_t w;  // every field set
} tml_conv_layer_t;

// The prepare of CONV_2D (channel_axis 0: OHWI filter) and DEPTHWISE_CONV_2D (3: 1HWO), its
// checks in this order: tensors and types (tml_conv_tensors), 4-d shapes no dimension
// of which exceeds TML_CONV_MAX_SPAN, the filter, the output's shape, the depths (a conv's
// filter depth divides the input's into groups; a depthwise's input depth divides the
// output's), the bias, and the window (dilations at options act_field + 1 and + 2). For int8,
// the offsets, activation range and per-channel multipliers of q, the multipliers and shifts
// stored in `arrays` (TML_CONV_CHANNEL_BYTES(output channels), 4-byte aligned, from the node's
// extra data); float32 leaves its activation range to the op. One body for both ops: their
// checks differ only in the depths'.
tml_status_t tml_conv_prepare(tml_interp_t *it, const tml_node_t *node, int channel_axis, int act_field,
    int32_t *arrays, tml_channel_quant_t *q, tml_conv_layer_t *l);

// Sets in kernel shape *s the fields window w has too: the CONV_2D and DEPTHWISE_CONV_2D shapes
// (kernels/ref/) name them alike and differ in their channel fields, which each op sets.
#define TML_CONV_SHAPE_FROM_WINDOW(s, w) \
    do { \
        (s)->batches = (w).batches; \
        (s)->in_h = (w).in_h; \
        (s)->in_w = (w).in_w; \
        (s)->in_c = (w).in_c; \
        (s)->filter_h = (w).filter_h; \
        (s)->filter_w = (w).filter_w; \
        (s)->out_h = (w).out_h; \
        (s)->out_w = (w).out_w; \
        (s)->stride_h = (w).stride_h; \
        (s)->stride_w = (w).stride_w; \
        (s)->dilation_h = (w).dilation_h; \
        (s)->dilation_w = (w).dilation_w; \
        (s)->pad_h = (w).pad_h; \
        (s)->pad_w = (w).pad_w; \
    } while (0)

// The op's .window hook for int8 CONV_2D and DEPTHWISE_CONV_2D (filters OHWI and 1HWO: height
// and width at dims 1 and 2): the shape when input and output are int8 and 4-d and the options
// are valid and give the output's shape; false otherwise, recording no error (it runs before
// prepare, which reports them).
bool tml_conv_window_shape(const tml_interp_t *it, const tml_node_t *node, int dilation_field,
    tml_window_shape_t *s);

// The end of an int8 CONV_2D or DEPTHWISE_CONV_2D prepare: TML_OK, or, in a build without the
// reference kernels (TML_KERNEL_REFERENCE_CONV=0), the error for a layer whose dispatcher takes
// no fast path (fast: its tml_*_s8_fast). A macro, so that a build with them asks nothing.
#if TML_KERNEL_REFERENCE_CONV
#define TML_CONV_KERNEL_BUILT(it, fast) TML_OK
#else
#define TML_CONV_KERNEL_BUILT(it, fast) ((fast) ? TML_OK : tml_conv_reference_left_out(it))
tml_status_t tml_conv_reference_left_out(tml_interp_t *it);
#endif

#endif // TML_OPS_CONV_COMMON_H
