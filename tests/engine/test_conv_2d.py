"""CONV_2D on our engine equals TFLite Micro's reference kernels: bit for bit
for int8 (per-channel and per-tensor weights), within 1e-5 of the output range
for float32; unsupported variants fail with a clear NotImplementedError (README "Errors").

Each case is a one-layer Keras model converted by TensorFlow's converter and
cached under build/testmodels/ (see reference.py). convert_variant() here is
shared with test_depthwise_conv_2d.py and test_fully_connected.py.
"""

import numpy as np
import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import reference

MODES = ("f32", "int8", "int8_per_tensor", "int8_dense_per_tensor", "int16", "hybrid")


def convert_variant(name, build, shapes, mode, params=None, batch=1):
    """Converts the Keras model build(inputs) returns (from_keras_model: grouped
    convolutions do not convert from a concrete function), with the converter
    set up for `mode`:

    f32                    no quantization
    int8                   full int8, the converter's defaults (per-channel weights)
    int8_per_tensor        full int8 with one scale per weight tensor
    int8_dense_per_tensor  full int8, per-tensor weights for Dense only
    int16                  int16 activations with int8 weights (16x8)
    hybrid                 dynamic range: float activations, int8 weights
    """
    assert mode in MODES, mode
    int8 = mode.startswith("int8")

    def make():
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(7)
        inputs = [keras.Input(shape=s, batch_size=batch) for s in shapes]
        model = keras.Model(inputs, build(inputs))
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        if mode == "int8_per_tensor":
            conv._experimental_disable_per_channel = True
        elif mode == "int8_dense_per_tensor":
            conv._experimental_disable_per_channel_quantization_for_dense_layers = True
        elif mode == "int16":
            conv.optimizations = [tf.lite.Optimize.DEFAULT]
            conv.representative_dataset = reference._representative(
                [[batch, *s] for s in shapes], ["float32"] * len(shapes)
            )
            conv.target_spec.supported_ops = [
                tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
            ]
            conv.inference_input_type = tf.int16
            conv.inference_output_type = tf.int16
        elif mode == "hybrid":
            conv.optimizations = [tf.lite.Optimize.DEFAULT]
        return conv

    rep_shapes = [[batch, *s] for s in shapes]
    dtypes = ["float32"] * len(shapes)
    return reference._cached(
        f"{name}-{mode}", [params, batch, mode], rep_shapes, int8, dtypes, make
    )


def builtin_ops(model):
    """Builtin operator names of subgraph 0, in graph order."""
    from tensorflow.lite.python import schema_py_generated as schema

    m = schema.Model.GetRootAsModel(model, 0)
    codes = [
        max(m.OperatorCodes(i).BuiltinCode(), m.OperatorCodes(i).DeprecatedBuiltinCode())
        for i in range(m.OperatorCodesLength())
    ]
    by_code = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    sg = m.Subgraphs(0)
    return [by_code[codes[sg.Operators(i).OpcodeIndex()]] for i in range(sg.OperatorsLength())]


def assert_matches(model, op, runs=2):
    """The model contains `op`, and our output equals TFLM's (int8 bytes equal,
    float32 within 1e-5 of the output range)."""
    assert op in builtin_ops(model), builtin_ops(model)
    for r in range(runs):
        xs = reference.random_inputs(model, seed=r)
        want = reference.tflm_run(model, xs)
        got = reference.engine_run(model, xs)
        assert len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            ours = np.frombuffer(g, dtype=w.dtype).reshape(w.shape)
            if w.dtype.kind == "f":
                tol = 1e-5 * max(float(np.ptp(w)), 1e-30)
                err = float(np.max(np.abs(ours.astype(np.float64) - w)))
                assert err <= tol, f"run {r} output {i}: max error {err} > {tol}"
            else:
                bad = np.flatnonzero(ours != w)
                assert bad.size == 0, (
                    f"run {r} output {i}: {bad.size} of {w.size} differ, first at {bad[0]}: "
                    f"ours {ours.flat[bad[0]]}, TFLM {w.flat[bad[0]]}"
                )


def assert_unsupported(model, *words):
    """Loading the model fails with a NotImplementedError (README "Errors": an op or type the
    engine lacks) whose message holds all `words`."""
    from tinyml import _tinyml

    with pytest.raises(NotImplementedError) as e:
        _tinyml.Model(model)
    for w in words:
        assert w in str(e.value), str(e.value)


def edit_model(model, edit):
    """Model bytes after edit(model_object, subgraph, fc_or_conv_operator)."""
    from tensorflow.lite.tools import flatbuffer_utils

    m = flatbuffer_utils.convert_bytearray_to_object(model)
    sg = m.subgraphs[0]
    op = next(
        o
        for o in sg.operators
        if len(o.inputs) >= 2 and m.buffers[sg.tensors[o.inputs[1]].buffer].data is not None
    )
    edit(m, sg, op)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(m))


def make_uint8(model):
    """The int8 model with its int8 activations retyped as uint8 (zero points + 128)."""

    def edit(m, sg, op):
        for t in sg.tensors:
            if t.type == 9 and m.buffers[t.buffer].data is None:  # int8 activations
                t.type = 3  # UINT8
                t.quantization.zeroPoint = [z + 128 for z in t.quantization.zeroPoint]

    return edit_model(model, edit)


def make_hybrid(model):
    """The float32 model with its weights stored as int8 (one scale): what
    dynamic-range quantization produces."""

    def edit(m, sg, op):
        from tensorflow.lite.python import schema_py_generated as schema

        w = sg.tensors[op.inputs[1]]
        data = np.frombuffer(bytes(m.buffers[w.buffer].data), np.float32)
        scale = float(np.max(np.abs(data))) / 127 or 1.0
        m.buffers[w.buffer].data = np.round(data / scale).astype(np.int8).view(np.uint8)
        w.type = 9  # INT8
        w.quantization = schema.QuantizationParametersT()
        w.quantization.scale = [scale]
        w.quantization.zeroPoint = [0]

    return edit_model(model, edit)


def conv2d_model(input_shape, kwargs, mode, batch=1):
    def build(inputs):
        import keras

        layer = keras.layers.Conv2D(
            bias_initializer=keras.initializers.RandomUniform(-0.5, 0.5), **kwargs
        )
        return layer(inputs[0])

    return convert_variant("conv_2d", build, [input_shape], mode, params=kwargs, batch=batch)


CASES = {
    "k3_same_relu": (
        (8, 8, 3),
        {"filters": 5, "kernel_size": 3, "padding": "same", "activation": "relu"},
        1,
    ),
    "k3_valid_s2": (
        (9, 7, 4),
        {"filters": 6, "kernel_size": 3, "strides": 2, "padding": "valid"},
        1,
    ),
    "k5_same_s2_relu6": (
        (11, 10, 2),
        {"filters": 7, "kernel_size": 5, "strides": 2, "padding": "same", "activation": "relu6"},
        1,
    ),
    "k3_dilation2": (
        (10, 9, 3),
        {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "padding": "same"},
        1,
    ),
    "k1_no_bias": ((6, 6, 8), {"filters": 13, "kernel_size": 1, "use_bias": False}, 1),
    "k3x2_s2x1_batch2": (
        (9, 8, 5),
        {
            "filters": 3,
            "kernel_size": (3, 2),
            "strides": (2, 1),
            "padding": "same",
            "activation": "relu",
        },
        2,
    ),
    "grouped": ((7, 7, 6), {"filters": 4, "kernel_size": 3, "groups": 2, "padding": "same"}, 1),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("mode", ["int8", "f32"])
def test_conv_2d_matches_tflm(case, mode):
    """int8 (per-channel) output bytes equal TFLM's; float32 within 1e-5."""
    shape, kwargs, batch = CASES[case]
    assert_matches(conv2d_model(shape, kwargs, mode, batch), "CONV_2D")


@pytest.mark.parametrize("case", ["k3_valid_s2", "k5_same_s2_relu6", "k1_no_bias"])
def test_conv_2d_per_tensor_weights_match_tflm(case):
    """With one weight scale for all output channels, int8 output bytes equal TFLM's."""
    shape, kwargs, batch = CASES[case]
    assert_matches(conv2d_model(shape, kwargs, "int8_per_tensor", batch), "CONV_2D")


def test_conv_2d_int16_is_unsupported():
    """int16 activations (16x8 quantization) raise NotImplementedError naming int16."""
    shape, kwargs, batch = CASES["k3_same_relu"]
    assert_unsupported(conv2d_model(shape, kwargs, "int16", batch), "CONV_2D", "int16")


def conv1d_model(mode):
    def build(inputs):
        import keras

        layer = keras.layers.Conv1D(
            filters=6,
            kernel_size=5,
            strides=2,
            padding="same",
            activation="relu",
            bias_initializer=keras.initializers.RandomUniform(-0.5, 0.5),
        )
        return layer(inputs[0])

    return convert_variant("conv_1d", build, [(21, 3)], mode, params={"v": 1})


@pytest.mark.parametrize("mode", ["int8", "f32"])
def test_conv_1d_matches_tflm(mode):
    """Keras Conv1D (converted to a CONV_2D between reshapes) matches TFLM."""
    model = conv1d_model(mode)
    try:
        assert_matches(model, "CONV_2D")
    except NotImplementedError as e:
        if "CONV_2D" in str(e):
            raise
        pytest.skip(f"another op of the model is missing: {e}")


def test_conv_2d_hybrid_is_unsupported():
    """float32 activations with int8 weights raise NotImplementedError."""
    shape, kwargs, batch = CASES["k3_same_relu"]
    model = make_hybrid(conv2d_model(shape, kwargs, "f32", batch))
    assert_unsupported(model, "CONV_2D", "hybrid int8 weights with float32 input")


def test_conv_2d_uint8_is_unsupported():
    """uint8 activations raise NotImplementedError naming uint8."""
    shape, kwargs, batch = CASES["k3_same_relu"]
    assert_unsupported(make_uint8(conv2d_model(shape, kwargs, "int8", batch)), "CONV_2D", "uint8")


def test_conv_2d_filter_deeper_than_input_is_refused():
    """An input with no channels under a 3-channel filter (a corrupt model: 0 % 3 == 0 let
    the fuzzer reach a division by zero before commit f464330) is refused at load with a
    clear ValueError."""
    shape, kwargs, batch = CASES["k3_same_relu"]

    def edit(m, sg, op):
        t = sg.tensors[op.inputs[0]]
        t.shape = np.array([*t.shape[:3], 0], dtype=np.int32)

    model = edit_model(conv2d_model(shape, kwargs, "int8", batch), edit)
    from tinyml import _tinyml

    with pytest.raises(ValueError, match="CONV_2D: filter depth does not divide input depth"):
        _tinyml.Model(model)
