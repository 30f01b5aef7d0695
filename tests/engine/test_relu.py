"""RELU, RELU6 and LEAKY_RELU on our engine equal TFLite Micro's reference
kernels: int8 bit for bit (RELU requantizes to its own output scale, RELU6
clamps in the input's scale as TFLM does, LEAKY_RELU has separate positive and
negative multipliers), float32 within 1e-5."""

import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import reference


def act_model(kind, shape, mode, alpha=0.2, wide=True):
    def build(x):
        import tensorflow as tf

        if kind == "relu":
            return tf.nn.relu(x)
        if kind == "relu6" and wide:
            # Beyond 6 too; CONCATENATION keeps the converter from fusing RELU6.
            return tf.nn.relu6(tf.concat([x, x * 4.0], axis=-1))
        if kind == "relu6":
            return tf.nn.relu6(x)
        return tf.nn.leaky_relu(x, alpha=alpha)

    return reference.convert_fn_in_mode(
        kind, build, [[1, *shape]], mode, params=[shape, alpha, wide]
    )


KINDS = {"relu": "RELU", "relu6": "RELU6", "leaky_relu": "LEAKY_RELU"}


@pytest.mark.parametrize("shape", [(100,), (2, 6, 6, 3)])
@pytest.mark.parametrize("mode", ["int8", "f32", "int8_fio"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_matches_tflm(kind, mode, shape):
    """Output bytes (int8) equal TFLM's; float32 within 1e-5 of the output range."""
    reference.assert_matches(act_model(kind, shape, mode), KINDS[kind])


@pytest.mark.parametrize("alpha", [0.01, 0.7])
def test_leaky_relu_alphas_match_tflm(alpha):
    """Converted with other slopes, int8 output bytes equal TFLM's."""
    reference.assert_matches(act_model("leaky_relu", (128,), "int8", alpha), "LEAKY_RELU")


@pytest.mark.parametrize("alpha", [-0.5, 1.7, 0.0])
@pytest.mark.parametrize("mode", ["int8", "f32"])
def test_leaky_relu_unusual_alphas_match_tflm(alpha, mode):
    """Negative, above-one and zero alpha (set in the flatbuffer) match TFLM."""
    model = reference.with_options(
        act_model("leaky_relu", (128,), mode), "LEAKY_RELU", alpha=alpha
    )
    reference.assert_matches(model, "LEAKY_RELU")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_int16_is_unsupported(kind):
    """int16 activations are refused with a message naming int16."""
    model = act_model(kind, (8,), "int16", wide=False)
    reference.assert_unsupported(model, KINDS[kind], "int16")
