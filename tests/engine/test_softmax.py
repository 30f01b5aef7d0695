"""SOFTMAX on our engine equals TFLite Micro's reference kernel: int8 bit for
bit (with beta and several depths), float32 within 1e-5; float and uint8 model
edges exercise QUANTIZE/DEQUANTIZE on the way."""

import numpy as np
import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import reference


def softmax_model(shape, mode, beta=1.0, axis=-1):
    def build(x):
        import tensorflow as tf

        return tf.nn.softmax(x * beta if beta != 1.0 else x, axis=axis)

    return reference.convert_fn_in_mode(
        "softmax", build, [[1, *shape]], mode, params=[shape, beta, axis]
    )


CASES = {
    "vec10": (10,),
    "rows_4x33": (4, 33),
    "img_3x3x7": (3, 3, 7),
    "long_300": (300,),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("mode", ["int8", "f32", "int8_fio"])
def test_softmax_matches_tflm(case, mode):
    """int8 output bytes equal TFLM's; float32 within 1e-5 of the output range."""
    reference.assert_matches(softmax_model(CASES[case], mode), "SOFTMAX")


@pytest.mark.parametrize("beta", [2.5, 0.3, 0.05, 1000.0, 3000.0])
@pytest.mark.parametrize("mode", ["int8", "f32"])
def test_softmax_beta_matches_tflm(beta, mode):
    """SoftmaxOptions.beta (set in the flatbuffer: the converter keeps beta in a MUL)
    scales the input differences as in TFLM."""
    model = reference.with_options(softmax_model((3, 17), mode), "SOFTMAX", beta=beta)
    reference.assert_matches(model, "SOFTMAX")


@pytest.mark.parametrize("beta", [1.0, 0.4])
@pytest.mark.parametrize("scale", [0.05, 0.2])
def test_softmax_int8_to_int16_matches_tflm(scale, beta):
    """int8 input, int16 output (scale 1/65536, zero point -32768): bytes equal TFLM's."""
    model = reference.single_op_model(
        "SOFTMAX",
        [((2, 5, 24), "int8", scale, 7)],
        [((2, 5, 24), "int16", 1.0 / 65536, -32768)],
        options=("SoftmaxOptions", {"beta": beta}),
    )
    reference.assert_matches(model, "SOFTMAX")


def test_softmax_int8_output_needs_fixed_quantization():
    """An int8 output other than scale 1/256, zero point -128 is refused, as TFLM does."""
    model = reference.single_op_model(
        "SOFTMAX",
        [((1, 10), "int8", 0.1, 0)],
        [((1, 10), "int8", 1.0 / 255, -128)],
        options=("SoftmaxOptions", {"beta": 1.0}),
    )
    reference.assert_unsupported(model, "SOFTMAX", "1/256")


@pytest.mark.parametrize("depth", [511, 512, 2048])
def test_softmax_int8_of_many_equal_values(depth):
    """Equal inputs give each output 1/depth: 256/depth in steps of 1/256 rounds to 1 for 511
    (0.501) and to 0 from 512 on, where TFLite Micro's shift by 32 or more is undefined C
    (its x86 build gives 127), so the reference here is the arithmetic."""
    model = reference.single_op_model(
        "SOFTMAX",
        [((1, depth), "int8", 0.1, 0)],
        [((1, depth), "int8", 1.0 / 256, -128)],
        options=("SoftmaxOptions", {"beta": 1.0}),
    )
    (out,) = reference.engine_run(model, [np.full((1, depth), 5, dtype=np.int8)])
    assert np.frombuffer(out, dtype=np.int8).tolist() == [-128 + round(256 / depth)] * depth


def test_softmax_int16_input_is_unsupported():
    """int16 activations (16x8 mode) are refused with a message naming int16."""
    reference.assert_unsupported(softmax_model((8,), "int16"), "SOFTMAX", "int16")


def test_softmax_uint8_edges_match_tflm():
    """uint8 in/out: QUANTIZE uint8 -> int8 and int8 -> uint8 around SOFTMAX."""
    reference.assert_matches(softmax_model((4, 9), "uint8_io"), ["SOFTMAX", "QUANTIZE"])
