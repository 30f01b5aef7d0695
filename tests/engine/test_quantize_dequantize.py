"""QUANTIZE and DEQUANTIZE on our engine equal TFLite Micro's reference kernels
byte for byte: float32 -> int8/int16 (and uint8), requantization between int8,
uint8, int16 and int32 (the int8 <-> uint8 shortcut included), and int8/int16
(and uint8) -> float32. The models are single nodes written with the schema;
converter-made QUANTIZE/DEQUANTIZE edges are covered by the other op tests."""

import numpy as np
import pytest

pytest.importorskip("tflite_micro")

import reference

SHAPE = (2, 3, 17)


def run_both(model, seed=0):
    xs = reference.inputs_for(model, seed=seed, spread=40.0)
    try:
        want = reference.tflm_run(model, xs)
    except Exception as e:  # noqa: BLE001 - TFLM reports unsupported pairs as RuntimeError
        return xs, None, e
    return xs, want, None


def affine_quantize(x, scale, zp, dtype):
    """TFLite's AffineQuantize in numpy: float32 x / scale, rounded half away from zero."""
    v = (x / np.float32(scale)).astype(np.float64)
    r = np.sign(v) * np.floor(np.abs(v) + 0.5)
    info = np.iinfo(dtype)
    return np.clip(r + zp, info.min, info.max).astype(dtype)


def assert_same(model, runs=3, fallback=None):
    """Output bytes equal TFLM's; where TFLM refuses the model, equal fallback(x)."""
    for r in range(runs):
        xs, want, err = run_both(model, seed=r)
        if want is None:
            if fallback is None:
                pytest.skip(f"TFLite Micro does not run this model: {err}")
            want = [fallback(xs[0])]
        got = reference.engine_run(model, xs)
        w = want[0]
        ours = np.frombuffer(got[0], dtype=w.dtype).reshape(w.shape)
        bad = np.flatnonzero(ours != w)
        assert bad.size == 0, (
            f"run {r}: {bad.size} of {w.size} differ, first at {bad[0]}: "
            f"input {xs[0].flat[bad[0]]}, ours {ours.flat[bad[0]]}, TFLM {w.flat[bad[0]]}"
        )


QUANTIZE_FLOAT = {
    "int8": ("int8", 0.1, -3),
    "int8_fine": ("int8", 0.0123, 17),
    "int16": ("int16", 0.001, 0),
    "int16_zp": ("int16", 0.0007, 55),
    "uint8": ("uint8", 0.2, 128),
}


@pytest.mark.parametrize("case", sorted(QUANTIZE_FLOAT))
def test_quantize_float_matches_tflm(case):
    """round(x / scale) + zero point, saturated, as TFLM (inputs beyond the range too).
    TFLM has no float32 -> uint8; there the same formula in numpy is the reference."""
    dtype, scale, zp = QUANTIZE_FLOAT[case]
    model = reference.single_op_model(
        "QUANTIZE", [(SHAPE, "float32", None, None)], [(SHAPE, dtype, scale, zp)]
    )
    assert_same(model, fallback=lambda x: affine_quantize(x, scale, zp, np.dtype(dtype)))


@pytest.mark.parametrize("case", sorted(QUANTIZE_FLOAT))
def test_host_quantize_is_tflm_quantize(case):
    """_tinyml.quantize, with which the host writes a board's input (tinyml run --device,
    publish --self-test, verify --tflm), gives TFLM's QUANTIZE bytes: halfway values, values
    beyond the type's range and the zero point included."""
    from tinyml import _tinyml

    dtype, scale, zp = QUANTIZE_FLOAT[case]
    model = reference.single_op_model(
        "QUANTIZE", [(SHAPE, "float32", None, None)], [(SHAPE, dtype, scale, zp)]
    )
    n = int(np.prod(SHAPE))
    rng = np.random.default_rng(3)
    halves = (np.arange(n) - n // 2 + 0.5) * scale
    for x in (rng.uniform(-40.0, 40.0, n), halves, rng.normal(0.0, 300.0 * scale, n)):
        x = x.astype(np.float32).reshape(SHAPE)
        try:
            (want,) = reference.tflm_run(model, [x])
        except RuntimeError:  # TFLM has no float32 -> uint8
            want = affine_quantize(x, scale, zp, np.dtype(dtype))
        got = np.frombuffer(_tinyml.quantize(x, dtype, scale, zp), dtype=dtype)
        assert got.tobytes() == want.tobytes(), case


REQUANTIZE = {
    "int8_int8": (("int8", 0.05, 3), ("int8", 0.02, -10)),
    "int8_int8_up": (("int8", 0.02, -7), ("int8", 0.3, 5)),
    "int8_uint8_shift": (("int8", 0.05, -2), ("uint8", 0.05, 126)),
    "uint8_int8_shift": (("uint8", 0.05, 130), ("int8", 0.05, 2)),
    "int8_uint8_rescale": (("int8", 0.05, 1), ("uint8", 0.07, 120)),
    "uint8_int8_rescale": (("uint8", 0.04, 128), ("int8", 0.03, 0)),
    "int8_int16": (("int8", 0.05, 4), ("int16", 0.001, 0)),
    "int16_int8": (("int16", 0.001, 0), ("int8", 0.05, -1)),
    "int16_int16": (("int16", 0.001, 0), ("int16", 0.0003, 0)),
    "int8_int32": (("int8", 0.05, 4), ("int32", 0.001, 0)),
    "int32_int8": (("int32", 0.001, 0), ("int8", 0.5, 3)),
    "int16_int32": (("int16", 0.001, 0), ("int32", 0.0001, 0)),
    "int32_int16": (("int32", 0.001, 0), ("int16", 0.01, 0)),
}


@pytest.mark.parametrize("case", sorted(REQUANTIZE))
def test_requantize_matches_tflm(case):
    """Integer to integer QUANTIZE: rescaled with a Q31 multiplier as TFLM's Requantize."""
    (it, iscale, izp), (ot, oscale, ozp) = REQUANTIZE[case]
    model = reference.single_op_model(
        "QUANTIZE", [(SHAPE, it, iscale, izp)], [(SHAPE, ot, oscale, ozp)]
    )
    assert_same(model)


DEQUANTIZE = {
    "int8": ("int8", 0.037, -5),
    "int16": ("int16", 0.00031, 0),
    "uint8": ("uint8", 0.1, 128),  # TFLM refuses uint8; numpy is the reference there
}


@pytest.mark.parametrize("case", sorted(DEQUANTIZE))
def test_dequantize_matches_tflm(case):
    """scale * (q - zero point) in float, byte for byte."""
    dtype, scale, zp = DEQUANTIZE[case]
    model = reference.single_op_model(
        "DEQUANTIZE", [(SHAPE, dtype, scale, zp)], [(SHAPE, "float32", None, None)]
    )
    assert_same(model, fallback=lambda q: np.float32(scale) * (q.astype(np.float32) - zp))


def test_quantize_to_float_is_refused():
    """QUANTIZE with a float32 output is not a quantization: refused, naming float32."""
    model = reference.single_op_model(
        "QUANTIZE", [(SHAPE, "float32", None, None)], [(SHAPE, "float32", 0.1, 0)]
    )
    reference.assert_unsupported(model, "QUANTIZE", "float32")
