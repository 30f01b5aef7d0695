"""Writes tests/engine/data/kernel_cases.h: golden cases for the int8 convolution kernels.

Each case is a one-layer Keras model converted to int8 by TensorFlow's converter (per-channel
weights, or per-tensor where the name says so), one random int8 input, and TFLite Micro's
output for it (the `tflite-micro` wheel, reference kernels). Together they reach every fast
path of kernels/conv_2d_s8.c, depthwise_conv_2d_s8.c and fully_connected_s8.c and the
reference fallbacks beside them. test_kernel_cases.c runs them through the engine on the
host (tests/engine/test_c.py, with and without fast paths) and bare-metal on the emulated
Cortex-M7, M4 and M0 (tests/engine/test_cortex_m.py), so no test there needs TensorFlow.

    .venv/bin/python tests/engine/gen/gen_kernel_cases.py

Run it again after adding a case, and commit the generator, its settings and the header
together.
"""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINE_TESTS = os.path.dirname(HERE)
sys.path.insert(0, ENGINE_TESTS)

OUT = os.path.join(ENGINE_TESTS, "data", "kernel_cases.h")


def conv(filters, kernel, **kw):
    def build(xs):
        import keras

        return keras.layers.Conv2D(filters, kernel, bias_initializer="random_normal", **kw)(xs[0])

    return build


def depthwise(kernel, **kw):
    def build(xs):
        import keras

        return keras.layers.DepthwiseConv2D(kernel, bias_initializer="random_normal", **kw)(xs[0])

    return build


def dense(units, **kw):
    def build(xs):
        import keras

        return keras.layers.Dense(units, bias_initializer="random_normal", **kw)(xs[0])

    return build


# name -> (layer, input shape without batch, conversion mode of test_conv_2d.convert_variant)
CASES = {
    "conv_1x1": (conv(24, 1, activation="relu"), (6, 7, 16), "int8"),
    "conv_1x1_stride2_odd_channels": (conv(5, 1, strides=2), (9, 9, 7), "int8"),
    "conv_1x1_shallow_depth8": (conv(16, 1, activation="relu"), (8, 8, 8), "int8"),
    "conv_1x1_shallow_depth12": (conv(9, 1), (5, 5, 12), "int8"),
    "conv_3x3_same": (conv(16, 3, padding="same", activation="relu"), (8, 8, 8), "int8"),
    "conv_3x3_stride2_odd_sizes": (conv(7, 3, strides=2, padding="same"), (9, 7, 5), "int8"),
    "conv_3x3_valid": (conv(6, 3), (7, 6, 4), "int8"),
    "conv_3x3_dilation2": (conv(6, 3, dilation_rate=2, padding="same"), (10, 10, 4), "int8"),
    "conv_first_layer_1_channel": (
        conv(8, 3, strides=2, padding="same", activation="relu6"),
        (16, 16, 1),
        "int8",
    ),
    "conv_first_layer_3_channels": (conv(8, 3, strides=2, padding="same"), (15, 15, 3), "int8"),
    "conv_first_layer_10x4": (conv(16, (10, 4), strides=2, padding="same"), (25, 10, 1), "int8"),
    "conv_groups": (conv(6, 3, groups=2, padding="same"), (6, 6, 8), "int8"),
    "conv_per_tensor": (conv(12, 3, padding="same"), (7, 7, 6), "int8_per_tensor"),
    "depthwise_3x3": (depthwise(3, padding="same", activation="relu"), (9, 9, 16), "int8"),
    "depthwise_3x3_stride2": (depthwise(3, strides=2, padding="same"), (10, 10, 8), "int8"),
    "depthwise_3x3_odd_channels": (depthwise(3, padding="same"), (7, 8, 13), "int8"),
    "depthwise_3x3_valid": (depthwise(3), (6, 6, 8), "int8"),
    "depthwise_dilation2": (depthwise(3, dilation_rate=2, padding="same"), (10, 10, 8), "int8"),
    "depthwise_5x5": (depthwise(5, padding="same"), (9, 9, 4), "int8"),
    "depthwise_multiplier8_1_channel": (
        depthwise(3, strides=2, depth_multiplier=8, padding="same"),
        (12, 12, 1),
        "int8",
    ),
    "depthwise_multiplier2": (depthwise(3, depth_multiplier=2, padding="same"), (6, 6, 3), "int8"),
    "depthwise_per_tensor": (depthwise(3, padding="same"), (8, 8, 12), "int8_per_tensor"),
    "fully_connected": (dense(10, activation="relu"), (33,), "int8"),
    "fully_connected_batch3": (dense(7), (3, 20), "int8"),
    "fully_connected_per_tensor": (dense(12), (64,), "int8_dense_per_tensor"),
}


def c_bytes(data, per_line=16):
    rows = [
        ", ".join(str(b) for b in data[i : i + per_line]) for i in range(0, len(data), per_line)
    ]
    return "\n".join(f"    {r}," for r in rows)


def main():
    import importlib.metadata

    import reference
    from test_conv_2d import convert_variant

    parts = []
    table = []
    for name, (build, shape, mode) in CASES.items():
        model = convert_variant(name, build, [shape], mode)
        (x,) = reference.random_inputs(model, seed=1)
        (y,) = reference.tflm_run(model, [x])
        assert x.dtype == np.int8 and y.dtype == np.int8, name
        parts.append(
            f"// {name}: input {list(x.shape)}, output {list(y.shape)}, {mode}\n"
            f"static const union {{\n    uint8_t b[{len(model)}];\n    uint64_t align;\n"
            f"}} {name}_model = {{{{\n{c_bytes(model)}\n}}}};\n"
            f"static const int8_t {name}_input[{x.size}] = {{\n"
            f"{c_bytes(x.ravel().tolist())}\n}};\n"
            f"static const int8_t {name}_output[{y.size}] = {{\n{c_bytes(y.ravel().tolist())}\n}};\n"
        )
        table.append(
            f'    {{"{name}", {name}_model.b, sizeof({name}_model.b), {name}_input, '
            f"sizeof({name}_input), {name}_output, sizeof({name}_output)}},"
        )
        print(name, x.shape, "->", y.shape, file=sys.stderr)
    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}" for p in ("tensorflow-cpu", "tflite-micro")
    )
    header = (
        "// Golden cases for the int8 convolution kernels: generated by\n"
        "// tests/engine/gen/gen_kernel_cases.py (do not edit) from TFLite Micro's reference\n"
        f"// kernels ({versions}).\n"
        "#ifndef TML_TEST_KERNEL_CASES_H\n#define TML_TEST_KERNEL_CASES_H\n\n"
        "#include <stdint.h>\n\n"
        "typedef struct {\n    const char *name;\n    const uint8_t *model;\n    uint32_t model_len;\n"
        "    const int8_t *input;\n    uint32_t input_len;\n    const int8_t *output;\n"
        "    uint32_t output_len;\n} kernel_case_t;\n\n"
    )
    with open(OUT, "w") as f:
        f.write(header + "\n".join(parts) + "\nstatic const kernel_case_t kernel_cases[] = {\n")
        f.write("\n".join(table) + "\n};\n\n#endif // TML_TEST_KERNEL_CASES_H\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
