"""MEAN on our engine equals TFLite Micro's: int8 bit for bit on both of TFLM's
paths (float requantization when input and output quantization differ, integer
division when they are equal), over any axes with and without keep_dims;
float32 within 1e-5."""

import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import reference


def mean_model(shape, axes, keepdims, mode):
    def build(x):
        import tensorflow as tf

        return tf.reduce_mean(x, axis=axes, keepdims=keepdims)

    return reference.convert_fn_in_mode(
        "mean", build, [shape], mode, params=[shape, axes, keepdims]
    )


def gap_model(shape, keepdims, mode, batch=1):
    def build(inputs):
        import keras

        return keras.layers.GlobalAveragePooling2D(keepdims=keepdims)(inputs[0])

    return reference.convert_keras_in_mode(
        "gap", build, [shape], mode, params=[shape, keepdims], batch=batch
    )


CASES = {
    "hw_keep": ((1, 5, 7, 6), [1, 2], True),
    "hw": ((1, 6, 4, 3), [1, 2], False),
    "last": ((1, 4, 9), [-1], False),
    "middle_keep": ((1, 8, 5), [1], True),
    "h_and_c": ((1, 4, 5, 6), [1, 3], False),
    "w_only": ((2, 3, 5, 4), [2], True),
    "all_but_batch": ((1, 3, 4, 5), [1, 2, 3], False),
    "dup_neg_axes": ((1, 6, 5), [1, -2], False),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("mode", ["int8", "f32", "int8_fio"])
def test_mean_matches_tflm(case, mode):
    """Output bytes (int8) equal TFLM's; float32 within 1e-5 of the output range."""
    reference.assert_matches(mean_model(*CASES[case], mode), "MEAN")


@pytest.mark.parametrize("case", ["hw_keep", "hw", "last", "h_and_c"])
def test_mean_same_quantization_matches_tflm(case):
    """With output quantization equal to the input's, TFLM divides the integer sum
    (truncating); our output bytes equal its."""
    model = reference.with_same_quant(mean_model(*CASES[case], "int8"), "MEAN")
    reference.assert_matches(model, "MEAN")


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("mode", ["int8", "f32"])
def test_global_average_pooling_matches_tflm(keepdims, mode):
    """Keras GlobalAveragePooling2D (MEAN over height and width), batch 2."""
    reference.assert_matches(gap_model((6, 5, 8), keepdims, mode, batch=2), "MEAN")


def test_mean_int16_is_unsupported():
    """int16 activations are refused with a message naming int16."""
    reference.assert_unsupported(mean_model((1, 4, 6), [1], False, "int16"), "MEAN", "int16")


def test_mean_axis_from_the_graph_is_refused():
    """An axis fed at run time (a graph input, not a constant) is refused when the model loads,
    naming the axis; before, the planner's memory for it was read as the axes."""
    model = reference.single_op_model(
        "MEAN",
        [((1, 4, 5, 6), "int8", 0.1, 0), ((2,), "int32", None, None)],
        [((1, 6), "int8", 0.1, 0)],
        options=("ReducerOptions", {"keepDims": False}),
    )
    reference.assert_unsupported(model, "axis must be constant")
