"""UNIDIRECTIONAL_SEQUENCE_LSTM against TFLite Micro, over several invokes in a row (the
hidden and cell state carry over): the integer LSTM (int8 activations, int16 cell state) bit
for bit, for batch-major and time-major inputs, several batches, cell clipping on and off and
cell state scales that take each branch of the int16 tanh scaling; the float32 LSTM within
1e-5; reset() restarts the stream; variants out of scope are refused by name.

The models are built straight from the schema (reference.one_op_model): the TF converter's int8
calibration of a Keras LSTM crashes in this TensorFlow, and a one-op model lets each
quantization choice be set. The real LSTM models are in tests/models/.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tflite_micro")

import reference
from tinyml import _tinyml

ROOT = Path(__file__).resolve().parents[2]


def lstm_model(
    time_steps=4,
    features=3,
    units=5,
    batches=1,
    time_major=False,
    cell_scale=2.0**-11,
    cell_clip=10.0,
    hidden_zp=-1,
    dtype="int8",
):
    """One UNIDIRECTIONAL_SEQUENCE_LSTM node with random weights."""
    rng = np.random.default_rng(time_steps * 1000 + features * 100 + units * 10 + batches)
    shape = [time_steps, batches, features] if time_major else [batches, time_steps, features]
    out_shape = shape[:2] + [units]
    f = dtype == "float32"

    def weights(name, cols, scale):
        if f:
            return reference.Tensor(
                name, [units, cols], "float32", data=rng.normal(0, 0.4, (units, cols))
            )
        data = rng.integers(-127, 128, (units, cols))
        return reference.Tensor(name, [units, cols], "int8", scale=scale, data=data)

    def bias(name):
        if f:
            return reference.Tensor(name, [units], "float32", data=rng.normal(0, 0.4, units))
        return reference.Tensor(
            name, [units], "int32", scale=1e-4, data=rng.integers(-3000, 3000, units)
        )

    if f:
        x = reference.Tensor("x", shape, "float32")
        hidden = reference.Tensor("h", [batches, units], "float32", variable=True)
        cell = reference.Tensor("c", [batches, units], "float32", variable=True)
        out = reference.Tensor("y", out_shape, "float32")
    else:
        x = reference.Tensor("x", shape, "int8", scale=0.05, zero_point=-3)
        hidden = reference.Tensor("h", [batches, units], "int8", 1 / 128, hidden_zp, variable=True)
        cell = reference.Tensor("c", [batches, units], "int16", scale=cell_scale, variable=True)
        out = reference.Tensor("y", out_shape, "int8", scale=1 / 128, zero_point=hidden_zp)
    w_in = [weights(f"w_{g}", features, 0.01 + 0.002 * k) for k, g in enumerate("ifco")]
    w_rec = [weights(f"r_{g}", units, 0.008 + 0.002 * k) for k, g in enumerate("ifco")]
    biases = [bias(f"b_{g}") for g in "ifco"]
    inputs = [x, *w_in, *w_rec, None, None, None, *biases, None, None, hidden, cell]
    inputs += [None] * 4
    opts = {"fusedActivationFunction": 4, "cellClip": cell_clip, "timeMajor": time_major}
    return reference.one_op_model(
        "UNIDIRECTIONAL_SEQUENCE_LSTM", "UnidirectionalSequenceLSTMOptions", opts, inputs, [out]
    )


def run_stream(model, steps, eng=None):
    """TFLM's and our outputs (raw bytes) for `steps` random inputs fed one after another."""
    from tflite_micro.python.tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(model, arena_size=1 << 20)
    eng = eng or _tinyml.Model(model)
    want, got = [], []
    for k in range(steps):
        xs = reference.random_inputs(model, seed=k)
        for i, x in enumerate(xs):
            interp.set_input(x, i)
        interp.invoke()
        want.append(np.array(interp.get_output(0)).tobytes())
        for i, x in enumerate(xs):
            eng.input(i).cast("B")[:] = np.ascontiguousarray(x).tobytes()
        eng.invoke()
        got.append(bytes(eng.output(0).cast("B")))
    return want, got


CASES = {
    "small": {},
    "odd_sizes": {"time_steps": 7, "features": 13, "units": 9},
    "long_sequence": {"time_steps": 30, "features": 8, "units": 16},
    "two_batches": {"batches": 2},
    "time_major_three_batches": {"batches": 3, "time_major": True},
    "no_cell_clip": {"cell_clip": 0.0},
    "cell_scale_q3_12": {"cell_scale": 2.0**-12, "hidden_zp": 0},
    "cell_scale_wide": {"cell_scale": 2.0**-9},
    "cell_scale_fine": {"cell_scale": 2.0**-17},
    "cell_scale_not_power_of_two": {"cell_scale": 0.0003},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_lstm_stream_matches_tflm(case):
    """Five invokes in a row give TFLM's bytes, and the carried state changes the output."""
    model = lstm_model(**CASES[case])
    want, got = run_stream(model, 5)
    for k, (w, g) in enumerate(zip(want, got)):
        assert g == w, f"invoke {k} differs"
    # The same input after other history: the state shows in the output.
    eng = _tinyml.Model(model)
    first, _ = run_stream(model, 1, eng)
    again = run_stream(model, 1, eng)[1]
    assert first[0] != again[0]


def test_reset_restarts_the_stream():
    """After reset() a stream gives a fresh TFLM interpreter's outputs again."""
    model = lstm_model()
    eng = _tinyml.Model(model)
    run_stream(model, 3, eng)
    eng.reset()
    want, got = run_stream(model, 3, eng)
    assert got == want


FLOAT_CASES = {
    "small": {},
    "odd_sizes_two_batches": {"time_steps": 7, "features": 13, "units": 9, "batches": 2},
    "time_major_no_clip": {"batches": 3, "time_major": True, "cell_clip": 0.0},
    "tight_clip": {"cell_clip": 0.3},
}


@pytest.mark.parametrize("case", sorted(FLOAT_CASES))
def test_float32_lstm_stream_matches_tflm(case):
    """Five invokes in a row are within 1e-5 (relative to the largest output) of TFLM's."""
    model = lstm_model(dtype="float32", **FLOAT_CASES[case])
    want, got = run_stream(model, 5)
    for k, (w, g) in enumerate(zip(want, got)):
        w, g = np.frombuffer(w, np.float32), np.frombuffer(g, np.float32)
        tol = 1e-5 * max(float(np.max(np.abs(w))), 1e-30)
        err = float(np.max(np.abs(w.astype(np.float64) - g)))
        assert err <= tol, f"invoke {k}: max error {err} > {tol}"
    assert want[0] != want[1]


def _rewired(model: bytes, **inputs: int) -> bytes:
    """The model with the LSTM's inputs at the given positions (in{i}=tensor) replaced."""
    import flatbuffers

    s = reference.tflite_schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(model), 0)
    op = m.subgraphs[0].operators[0]
    for key, tensor in inputs.items():
        op.inputs[int(key[2:])] = op.inputs[tensor] if tensor >= 0 else -1
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


@pytest.mark.parametrize(
    "inputs, error, message",
    [
        # any tensor where the peephole / projection / layer norm weights go
        ({"in9": 12}, NotImplementedError, r"peephole LSTM not supported \(input 9\)"),
        ({"in16": 12}, NotImplementedError, r"projection LSTM not supported \(input 16\)"),
        ({"in21": 12}, NotImplementedError, r"layer norm LSTM not supported \(input 21\)"),
        # CIFG: no input gate
        ({"in1": -1}, NotImplementedError, r"input 1 \(input weights\) absent: not supported$"),
        ({"in14": -1}, NotImplementedError, r"input 14 \(bias\) absent: not supported$"),
        # the forget gate's recurrent weights (5 x 5) where its input weights (5 x 3) go
        ({"in2": 6}, ValueError, r"input 2 \(input weights\) is not units x input$"),
        ({"in7": 2}, ValueError, r"input 7 \(recurrent weights\) is not units x units$"),
        # int8 weights where an int32 bias goes, int32 bias where int8 weights go
        ({"in13": 2}, NotImplementedError, r"input 13 \(bias\) int8, expected int32$"),
        ({"in6": 13}, NotImplementedError, r"input 6 \(recurrent weights\) int32, expected int8$"),
    ],
)
def test_unsupported_or_bad_gate_tensors_are_refused_by_input(inputs, error, message):
    """Each refused tensor is named by its input position and role."""
    with pytest.raises(error, match=message):
        _tinyml.Model(_rewired(lstm_model(), **inputs))


def test_sigmoid_table_is_up_to_date_and_tflms():
    """kernels/ref/sigmoid_table_u16.c is what gen_sigmoid_table.py computes, and that is the
    table in the compiled TFLite Micro runtime we test against (found there by its shape)."""
    import glob
    import math
    import os
    import struct

    import tflite_micro

    gen = ROOT / "tests" / "engine" / "gen" / "gen_sigmoid_table.py"
    proc = subprocess.run([sys.executable, str(gen), "--check"], check=False)
    assert proc.returncode == 0, f"stale: run {gen.relative_to(ROOT)}"
    ours = [int(v) for v in (ROOT / "native_module/engine/kernels/ref/sigmoid_table_u16.c")
            .read_text().split("{", 1)[1].split("}", 1)[0].replace(",", " ").split()]  # fmt: skip
    (runtime,) = glob.glob(
        os.path.join(os.path.dirname(tflite_micro.__file__), "**", "_runtime*.so"), recursive=True
    )
    data = Path(runtime).read_bytes()
    near_sigmoid = []
    at = data.find(struct.pack("<H", 32768))
    while 0 <= at <= len(data) - 512:
        t = struct.unpack_from("<256H", data, at)
        if at % 2 == 0 and all(
            abs(v - min(65536 / (1 + math.exp(-i / 24)), 65535)) < 2 for i, v in enumerate(t)
        ):
            near_sigmoid.append(list(t))
        at = data.find(struct.pack("<H", 32768), at + 1)
    assert near_sigmoid and all(t == ours for t in near_sigmoid)
