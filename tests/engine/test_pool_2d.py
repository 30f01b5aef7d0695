"""AVERAGE_POOL_2D and MAX_POOL_2D on our engine equal TFLite Micro's reference
kernels: int8 bit for bit, float32 within 1e-5, with SAME and VALID padding,
strides, non-square windows, batches and a fused activation."""

import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import reference


def pool_model(kind, shape, kwargs, mode, act=None, batch=1):
    def build(inputs):
        import keras

        layer = keras.layers.AveragePooling2D if kind == "avg" else keras.layers.MaxPooling2D
        y = layer(**kwargs)(inputs[0])
        if act is not None:
            y = keras.layers.Activation(act)(y)  # fused into the pooling op
        return y

    return reference.convert_keras_in_mode(
        f"{kind}_pool", build, [shape], mode, params=[shape, kwargs, act], batch=batch
    )


CASES = {
    "2x2": ((8, 8, 3), {"pool_size": 2}, None, 1),
    "3x3_s1_same": ((7, 9, 4), {"pool_size": 3, "strides": 1, "padding": "same"}, None, 1),
    "3x3_s2_same_odd": ((9, 7, 5), {"pool_size": 3, "strides": 2, "padding": "same"}, None, 1),
    "3x2_s2x1_valid": ((10, 8, 2), {"pool_size": (3, 2), "strides": (2, 1)}, None, 1),
    "relu6_batch2": ((6, 6, 3), {"pool_size": 2, "strides": 2, "padding": "same"}, "relu6", 2),
    "relu": ((5, 5, 6), {"pool_size": 2, "strides": 1}, "relu", 1),
}

OPS = {"avg": "AVERAGE_POOL_2D", "max": "MAX_POOL_2D"}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("mode", ["int8", "f32"])
@pytest.mark.parametrize("kind", ["avg", "max"])
def test_pool_matches_tflm(kind, mode, case):
    """Output bytes (int8) equal TFLM's; float32 within 1e-5 of the output range."""
    shape, kwargs, act, batch = CASES[case]
    reference.assert_matches(pool_model(kind, shape, kwargs, mode, act, batch), OPS[kind])


@pytest.mark.parametrize("kind", ["avg", "max"])
def test_pool_float_edges_match_tflm(kind):
    """With float input and output (QUANTIZE/DEQUANTIZE around), bytes equal TFLM's."""
    shape, kwargs, act, batch = CASES["3x3_s2_same_odd"]
    reference.assert_matches(
        pool_model(kind, shape, kwargs, "int8_fio", act, batch),
        [OPS[kind], "QUANTIZE", "DEQUANTIZE"],
    )


@pytest.mark.parametrize("kind", ["avg", "max"])
def test_pool_int16_is_unsupported(kind):
    """int16 activations are refused with a message naming int16."""
    shape, kwargs, act, batch = CASES["2x2"]
    reference.assert_unsupported(
        pool_model(kind, shape, kwargs, "int16", act, batch), OPS[kind], "int16"
    )
