"""FULLY_CONNECTED on our engine equals TFLite Micro's reference kernels: bit
for bit for int8 (per-channel weights as TF 2.21 emits them, and per-tensor
weights), within 1e-5 of the output range for float32; weight formats and
types TFLM does not run either fail with a clear NotImplementedError (README "Errors")."""

import functools

import numpy as np
import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import reference
from test_conv_2d import (
    assert_matches,
    assert_unsupported,
    builtin_ops,
    conv2d_model,
    convert_variant,
    edit_model,
    make_uint8,
)


def dense_model(input_shape, kwargs, mode, batch=1):
    def build(inputs):
        import keras

        layer = keras.layers.Dense(
            bias_initializer=keras.initializers.RandomUniform(-0.5, 0.5), **kwargs
        )
        return layer(inputs[0])

    return convert_variant(
        "fully_connected", build, [input_shape], mode, params=kwargs, batch=batch
    )


CASES = {
    "units10_relu": ((16,), {"units": 10, "activation": "relu"}, 1),
    "no_bias": ((7,), {"units": 3, "use_bias": False}, 1),
    "batch3_relu6": ((20,), {"units": 5, "activation": "relu6"}, 3),
    "rank3_input": ((4, 6), {"units": 5}, 1),
    "wide": ((64,), {"units": 33}, 1),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("mode", ["int8", "int8_dense_per_tensor", "f32"])
def test_fully_connected_matches_tflm(case, mode):
    """int8 output bytes equal TFLM's with per-channel (the converter's default)
    and per-tensor weights; float32 within 1e-5."""
    shape, kwargs, batch = CASES[case]
    assert_matches(dense_model(shape, kwargs, mode, batch), "FULLY_CONNECTED")


def test_fully_connected_weights_really_vary_in_quantization():
    """The int8 models above do cover both weight quantizations."""
    from tensorflow.lite.tools import flatbuffer_utils

    def weight_scales(model):
        m = flatbuffer_utils.convert_bytearray_to_object(model)
        sg = m.subgraphs[0]
        op = next(
            o
            for o in sg.operators
            if sg.tensors[o.outputs[0]].type == 9
            and len(o.inputs) >= 2
            and sg.tensors[o.inputs[1]].buffer
            and m.buffers[sg.tensors[o.inputs[1]].buffer].data is not None
        )
        return len(sg.tensors[op.inputs[1]].quantization.scale)

    shape, kwargs, batch = CASES["units10_relu"]
    assert weight_scales(dense_model(shape, kwargs, "int8", batch)) == 10
    assert weight_scales(dense_model(shape, kwargs, "int8_dense_per_tensor", batch)) == 1


def test_fully_connected_hybrid_is_unsupported():
    """Dynamic-range models (float input, int8 weights) raise NotImplementedError."""
    model = dense_model((64,), {"units": 32}, "hybrid")
    assert "FULLY_CONNECTED" in builtin_ops(model)
    assert_unsupported(model, "FULLY_CONNECTED", "hybrid int8 weights with float32 input")


def test_kws_float32_reference_model_is_unsupported():
    """mlcommons-tiny's kws_ref_model_float32.tflite has int8 weights under float
    activations: the engine says hybrid is not supported."""
    from tinyml import _tinyml
    from tinyml.paths import Paths

    path = Paths.default().models / "mlcommons-tiny" / "kws_ref_model_float32.tflite"

    with open(path, "rb") as f:
        model = f.read()
    with pytest.raises(NotImplementedError) as e:
        _tinyml.Model(model).invoke()
    if str(e.value).startswith("unsupported op"):
        pytest.skip(f"an op before the first hybrid one is missing: {e.value}")
    assert "hybrid int8 weights with float32 input" in str(e.value)


def test_fully_connected_int16_is_unsupported():
    """int16 activations (16x8 quantization) raise NotImplementedError naming int16."""
    shape, kwargs, batch = CASES["units10_relu"]
    assert_unsupported(dense_model(shape, kwargs, "int16", batch), "FULLY_CONNECTED", "int16")


# ---- models edited after conversion (flatbuffer_utils) ---------------------------------


def int8_dense():
    shape, kwargs, batch = CASES["units10_relu"]
    return dense_model(shape, kwargs, "int8", batch)


def test_fully_connected_int4_weights_are_unsupported():
    """Packed int4 weights raise NotImplementedError naming int4."""

    def edit(m, sg, op):
        w = sg.tensors[op.inputs[1]]
        data = np.asarray(m.buffers[w.buffer].data, dtype=np.uint8)
        m.buffers[w.buffer].data = data[: (data.size + 1) // 2]
        w.type = 17  # INT4

    assert_unsupported(edit_model(int8_dense(), edit), "FULLY_CONNECTED", "int4 weights")


def test_fully_connected_sparse_weights_are_unsupported():
    """Weights with sparsity parameters are refused at load, naming the tensor."""
    from tensorflow.lite.python import schema_py_generated as schema

    def edit(m, sg, op):
        sp = schema.SparsityParametersT()
        sp.traversalOrder = [0, 1]
        sg.tensors[op.inputs[1]].sparsity = sp

    assert_unsupported(edit_model(int8_dense(), edit), "is sparse: not supported")


def test_fully_connected_converted_sparse_model_is_unsupported():
    """A model the converter compressed (EXPERIMENTAL_SPARSITY on 90% zero
    weights) is refused with an error that says sparse."""

    def make():
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((64,), batch_size=1), keras.layers.Dense(32)])
        w, b = model.get_weights()
        w[np.random.default_rng(3).random(w.shape) < 0.9] = 0
        model.set_weights([w, b])
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        conv.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
        return conv

    model = reference._cached("fully_connected-sparse", [1], [[1, 64]], False, ["float32"], make)
    assert_unsupported(model, "sparse")


def test_fully_connected_shuffled_weights_are_unsupported():
    """The SHUFFLED4x16INT8 weights format raises ValueError."""

    def edit(m, sg, op):
        op.builtinOptions.weightsFormat = 1

    assert_unsupported(edit_model(int8_dense(), edit), "FULLY_CONNECTED", "shuffled weights")


def test_fully_connected_uint8_is_unsupported():
    """uint8 activations raise NotImplementedError naming uint8."""
    assert_unsupported(make_uint8(int8_dense()), "FULLY_CONNECTED", "uint8 input")


def test_conv_2d_bias_quantized_dimension_out_of_range_is_tolerated():
    """A rank-1 bias whose quantization claims quantized_dimension=3 (as in
    person_detect.tflite) runs as TFLM runs it: bias quantization is ignored."""

    def edit(m, sg, op):
        bias = sg.tensors[op.inputs[2]]
        bias.quantization.quantizedDimension = 3

    model = conv2d_model((8, 8, 3), {"filters": 5, "kernel_size": 3, "padding": "same"}, "int8")
    assert_matches(edit_model(model, edit), "CONV_2D")


def test_fully_connected_matches_tflm_on_several_inputs():
    """A wider sweep of random inputs on one per-channel model."""
    model = dense_model((64,), {"units": 33}, "int8")
    for seed in range(5):
        xs = reference.random_inputs(model, seed=100 + seed)
        want = reference.tflm_run(model, xs)[0]
        got = np.frombuffer(reference.engine_run(model, xs)[0], dtype=np.int8)
        assert np.array_equal(got, want.reshape(-1))


@pytest.mark.parametrize("mode", ["int8", "int8_dense_per_tensor", "f32"])
def test_fully_connected_rank3_input_flattened_matches_tflm(mode):
    """A [1, 4, 6] input with keep_num_dims=False (output [4, 5]) is read as
    four rows of six, as TFLite flattens it."""

    def edit(m, sg, op):
        op.builtinOptions.keepNumDims = False
        sg.tensors[op.outputs[0]].shape = np.array([4, 5], dtype=np.int32)

    shape, kwargs, batch = CASES["rank3_input"]
    assert_matches(edit_model(dense_model(shape, kwargs, mode, batch), edit), "FULLY_CONNECTED")


# ---- requantization multiplier: double, not a float product --------------------------


def _quantize_multiplier(real):
    """TFLite's QuantizeMultiplier: (Q31 mantissa, exponent)."""
    import math

    mant, exp = math.frexp(real)
    q = round(mant * (1 << 31))
    if q == 1 << 31:
        q, exp = q // 2, exp + 1
    return q, exp


def _requantize(acc, q, shift):
    """TFLite's MultiplyByQuantizedMultiplier (double rounding) on int64 arrays."""
    a = acc.astype(np.int64) * (1 << max(shift, 0))
    right = max(-shift, 0)
    ab = a * q
    v = ab + np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    hi = np.where(v >= 0, v >> 31, -((-v) >> 31))
    mask = (1 << right) - 1
    return (hi >> right) + ((hi & mask) > (mask >> 1) + (hi < 0))


@functools.cache
def _discriminating_scales():
    """Scales (input, weights, output) whose float product would give another
    multiplier than the double one, with the accumulators (|output| < 100)
    that the two multipliers requantize differently."""
    rng = np.random.default_rng(1)
    accs = np.arange(-(1 << 20), 1 << 20)
    for _ in range(400):
        si, sw = (np.float32(rng.uniform(0.002, 0.02)) for _ in range(2))
        so = np.float32(float(si) * float(sw) / rng.uniform(5e-5, 2e-4))
        exact = _quantize_multiplier(float(si) * float(sw) / float(so))
        rounded = _quantize_multiplier(float(np.float32(si * sw)) / float(so))
        if exact == rounded:
            continue
        out_d, out_f = _requantize(accs, *exact), _requantize(accs, *rounded)
        hits = accs[(out_d != out_f) & (np.abs(out_d) < 100)]
        if hits.size >= 4:
            return hits, si, sw, so, rounded
    raise AssertionError("no discriminating scales found")


@pytest.mark.parametrize("per_channel", [False, True], ids=["per_tensor", "per_channel"])
@pytest.mark.parametrize("layer", ["fully_connected", "conv_2d_1x1"])
def test_multiplier_rounding_matches_tflm(layer, per_channel):
    """input_scale * weight_scale / output_scale is formed in double as TFLM
    forms it: on inputs built to hit accumulators where a float product of the
    two scales would requantize differently, the output equals TFLM's."""
    from tensorflow.lite.tools import flatbuffer_utils

    hits, si, sw, so, rounded = _discriminating_scales()
    rng = np.random.default_rng(2)

    mode = "int8" if per_channel else "int8_per_tensor"
    if layer == "fully_connected":
        model = dense_model((256,), {"units": 16}, mode, batch=64)
    else:
        model = conv2d_model((8, 8, 256), {"filters": 16, "kernel_size": 1}, mode)

    def edit(m, sg, op):
        n = 16 if per_channel else 1
        for i, s, k in ((op.inputs[0], si, 1), (op.inputs[1], sw, n), (op.outputs[0], so, 1)):
            sg.tensors[i].quantization.scale = np.full(k, s, np.float32)

    model = edit_model(model, edit)
    m = flatbuffer_utils.convert_bytearray_to_object(model)
    sg = m.subgraphs[0]
    op = sg.operators[0]
    w_t, b_t = sg.tensors[op.inputs[1]], sg.tensors[op.inputs[2]]
    weights = np.frombuffer(bytes(m.buffers[w_t.buffer].data), np.int8)
    weights = weights.reshape(16, 256).astype(np.int64)
    bias = np.frombuffer(bytes(m.buffers[b_t.buffer].data), np.int32).astype(np.int64)
    zi = int(sg.tensors[op.inputs[0]].quantization.zeroPoint[0])
    zo = int(sg.tensors[op.outputs[0]].quantization.zeroPoint[0])

    # Row b of the input drives output channel b % 16 to a chosen accumulator.
    x = rng.integers(-128, 128, (64, 256))
    for b in range(64):
        w = weights[b % 16]
        target = int(rng.choice(hits)) - int(bias[b % 16])
        for _ in range(20000):
            diff = target - int(((x[b] - zi) * w).sum())
            if diff == 0:
                break
            j = int(rng.integers(256))
            if w[j] != 0:
                step = diff // w[j] if abs(diff) >= abs(w[j]) else int(np.sign(diff * w[j]))
                x[b, j] = np.clip(x[b, j] + step, -128, 127)
    xs = [x.astype(np.int8).reshape(reference.input_details(model)[0][0])]
    want = reference.tflm_run(model, xs)[0].reshape(64, 16)
    got = np.frombuffer(reference.engine_run(model, xs)[0], np.int8).reshape(64, 16)
    acc = (x - zi) @ weights.T + bias
    with_float_product = np.clip(_requantize(acc, *rounded) + zo, -128, 127)
    assert not np.array_equal(with_float_product, want), "inputs do not discriminate"
    assert np.array_equal(got, want)
