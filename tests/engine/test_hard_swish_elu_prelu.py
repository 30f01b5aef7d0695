"""HARD_SWISH, ELU and PRELU on our engine equal TFLite Micro's reference
kernels: int8 bit for bit (HARD_SWISH through its int16 fixed-point steps, ELU
through the lookup table built at prepare, PRELU with alpha broadcast per
channel or per element), float32 within 1e-5."""

import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import reference


def hard_swish_model(shape, mode, gain=1.0):
    def build(x):
        import tensorflow as tf

        if gain != 1.0:
            x = x * gain
        return x * tf.nn.relu6(x + 3.0) * (1.0 / 6.0)

    return reference.convert_fn_in_mode(
        "hard_swish", build, [[1, *shape]], mode, params=[shape, gain]
    )


def elu_model(shape, mode, gain=1.0):
    def build(x):
        import tensorflow as tf

        return tf.nn.elu(x * gain if gain != 1.0 else x)

    return reference.convert_fn_in_mode("elu", build, [[1, *shape]], mode, params=[shape, gain])


def prelu_model(shape, mode, shared_axes=None):
    def build(inputs):
        import keras

        layer = keras.layers.PReLU(
            alpha_initializer=keras.initializers.RandomUniform(-0.6, 0.9), shared_axes=shared_axes
        )
        return layer(inputs[0])

    return reference.convert_keras_in_mode(
        "prelu", build, [shape], mode, params=[shape, shared_axes]
    )


@pytest.mark.parametrize("shape", [(200,), (4, 5, 6)])
@pytest.mark.parametrize("mode", ["int8", "f32", "int8_fio"])
def test_hard_swish_matches_tflm(mode, shape):
    """Output bytes (int8) equal TFLM's; float32 within 1e-5 of the output range."""
    reference.assert_matches(hard_swish_model(shape, mode), "HARD_SWISH")


@pytest.mark.parametrize("gain", [0.05, 20.0])
def test_hard_swish_input_scales_match_tflm(gain):
    """Narrow and wide input ranges: the reluish multiplier shifts right and left."""
    reference.assert_matches(hard_swish_model((256,), "int8", gain), "HARD_SWISH")


@pytest.mark.parametrize("shape", [(200,), (3, 4, 5)])
@pytest.mark.parametrize("mode", ["int8", "f32", "int8_fio"])
def test_elu_matches_tflm(mode, shape):
    """Output bytes (int8) equal TFLM's; float32 within 1e-5 of the output range."""
    reference.assert_matches(elu_model(shape, mode), "ELU")


@pytest.mark.parametrize("gain", [0.1, 5.0])
def test_elu_input_scales_match_tflm(gain):
    """The int8 table matches TFLM's for narrow and wide input ranges."""
    reference.assert_matches(elu_model((256,), "int8", gain), "ELU")


PRELU_CASES = {
    "per_channel": ((5, 6, 4), [1, 2]),
    "per_element": ((3, 4, 2), None),
    "per_row": ((6, 7), [2]),
}


@pytest.mark.parametrize("case", sorted(PRELU_CASES))
@pytest.mark.parametrize("mode", ["int8", "f32", "int8_fio"])
def test_prelu_matches_tflm(case, mode):
    """Output bytes (int8) equal TFLM's; float32 within 1e-5 of the output range."""
    shape, shared = PRELU_CASES[case]
    reference.assert_matches(prelu_model(shape, mode, shared), "PRELU")
