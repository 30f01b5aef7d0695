"""Patch-based execution of a model's first layers (tml_plan.c's patched chains): the planner
runs a leading chain of int8 convolutions band by band when that lowers the arena enough to
pay for the rows it computes twice, and the outputs stay TFLite Micro's, byte for byte.

The chains' last output is an output of the model, so every byte the bands write is compared."""

import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import reference
from device_runner import models_dir
from test_conv_2d import convert_variant
from tinyml import _tinyml


def stem(first, filters=8, padding="same", dilation=1, stride=2, pool=False):
    """A MobileNet-like stem: a 3x3 convolution, a depthwise 3x3, a 1x1 widening, then a
    strided depthwise, which shrinks the map (the chain's end, an output of the model); then
    the small maps' heavy layers, as in a real CNN, where the stem is a small part of the
    work (the planner patches only where the memory saved outweighs the rows computed twice).
    """

    def build(inputs):
        import keras

        x = keras.layers.Conv2D(filters, 3, strides=first, padding=padding, activation="relu")(
            inputs[0]
        )
        x = keras.layers.DepthwiseConv2D(3, padding=padding, dilation_rate=dilation)(x)
        x = keras.layers.Conv2D(2 * filters, 1, activation="relu6")(x)
        stem_out = keras.layers.DepthwiseConv2D(3, strides=stride, padding=padding)(x)
        y = stem_out
        for _ in range(4):
            y = keras.layers.Conv2D(2 * filters, 3, padding="same", activation="relu")(y)
        if pool:
            y = keras.layers.GlobalAveragePooling2D()(y)
            y = keras.layers.Dense(4)(y)
        return [stem_out, y]

    return build


CASES = {
    # name: (input shape, stem arguments)
    "gray_stride2_same": ((64, 64, 1), {"first": 2}),
    "rgb_stride2_same": ((64, 64, 3), {"first": 2, "filters": 16}),
    "gray_stride1_valid": ((48, 40, 1), {"first": 1, "padding": "valid"}),
    "rgb_dilation2": ((48, 48, 3), {"first": 1, "dilation": 2}),
    "gray_odd_rows_pool": ((57, 50, 1), {"first": 2, "pool": True}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_patched_chain_matches_tflm(name):
    shape, args = CASES[name]
    model = convert_variant(f"patch_{name}", stem(**args), [shape], "int8", params=args)
    plan = _tinyml.plan(model, *_tinyml.TARGET)
    patch = plan["patch"]
    assert "rows" in patch, f"not patched: {patch}"
    assert patch["first"] == 0 and patch["last"] >= 2
    assert patch["peak_after"] < patch["peak_before"]
    # The band height is the highest with the smallest plan: one more row plans no smaller.
    assert 1 <= patch["rows"] and patch["bands"] >= 2
    reference.assert_same_as_tflm(model, runs=3)


@pytest.mark.parametrize("target", [(4, "armv7em"), (4, "portable"), _tinyml.TARGET])
@pytest.mark.parametrize(
    "path, shrink",
    [("tflite-micro/person_detect.tflite", 0.75), ("mlcommons-tiny/vww_96_int8.tflite", 0.98)],
)
def test_mobilenets_patched_match_tflm(target, path, shrink):
    """person_detect and VWW: depthwise or conv 3x3 /2, depthwise, 1x1, depthwise /2 run in
    one-row bands, so the 48x48 maps never exist whole; VWW's 96x96x3 input stays whole and
    bounds what that saves there."""
    model = (models_dir() / path).read_bytes()
    plan = _tinyml.plan(model, *target)
    patch = plan["patch"]
    assert (patch["first"], patch["last"], patch["rows"], patch["bands"]) == (0, 3, 1, 24)
    assert patch["peak_after"] <= shrink * patch["peak_before"]
    # Each band keeps the rows it shares with the last: nothing is computed twice.
    assert patch["extra_macs"] == 0
    if target == _tinyml.TARGET:
        assert _tinyml.Model(model).arena_size == plan["arena"]
        reference.assert_same_as_tflm(model, runs=3)


@pytest.mark.parametrize(
    "path",
    ["mlcommons-tiny/kws_ref_model.tflite", "mlcommons-tiny/pretrainedResnet_quant.tflite"],
)
def test_not_patched_where_it_does_not_lower_the_arena(path):
    """KWS's first layer widens its map and its later ones keep its size; ResNet-8's first
    layer feeds a residual ADD as well: no chain to patch, the plans are as before."""
    model = (models_dir() / path).read_bytes()
    for target in [(4, "armv7em"), (4, "portable")]:
        patch = _tinyml.plan(model, *target)["patch"]
        assert set(patch) == {"peak_before"}, patch
