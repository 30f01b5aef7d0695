"""LOGISTIC and TANH on our engine equal TFLite Micro's reference kernels: int8
bit for bit through the fixed-point path (inputs over the whole int8 range, so
the saturating branches run too), float32 within 1e-5."""

import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import reference


def act_model(kind, shape, mode, gain=1.0):
    """tf.sigmoid / tf.tanh of the input times gain (gain widens the input range the
    converter calibrates, hence the input scale)."""

    def build(x):
        import tensorflow as tf

        f = tf.sigmoid if kind == "logistic" else tf.tanh
        return f(x * gain if gain != 1.0 else x)

    return reference.convert_fn_in_mode(kind, build, [[1, *shape]], mode, params=[shape, gain])


SHAPES = [(64,), (3, 5, 7)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["int8", "f32", "int8_fio"])
@pytest.mark.parametrize("kind", ["logistic", "tanh"])
def test_matches_tflm(kind, mode, shape):
    """Output bytes (int8) equal TFLM's; float32 within 1e-5 of the output range."""
    reference.assert_matches(act_model(kind, shape, mode), kind.upper())


@pytest.mark.parametrize("gain", [0.1, 8.0])
@pytest.mark.parametrize("kind", ["logistic", "tanh"])
def test_input_scales_match_tflm(kind, gain):
    """Narrow and wide input scales (other multipliers, shifts and saturation radii)."""
    model = act_model(kind, (256,), "int8_fio", gain)
    reference.assert_matches(model, [kind.upper(), "QUANTIZE", "DEQUANTIZE"])


@pytest.mark.parametrize("kind", ["logistic", "tanh"])
def test_int16_is_unsupported(kind):
    """int16 activations are refused with a message naming int16."""
    reference.assert_unsupported(act_model(kind, (8,), "int16"), kind.upper(), "int16")
