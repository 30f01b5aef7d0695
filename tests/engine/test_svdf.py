"""SVDF against TFLite Micro, over streams of invokes: the activation state is a variable
tensor that each invoke shifts and extends, so outputs depend on every earlier input.

Claims: int8 with an int8 state and with an int16 state (TFLite Micro's two integer
variants) is bit-exact, float32 within 1e-5 of the output range, for ranks 1 and 2 and
several batches; reset() returns the state to what loading left (a replay matches a fresh
TFLite Micro interpreter); a state that is not a variable tensor is refused by name.
"""

import numpy as np
import pytest
import reference
from tinyml import _tinyml


def svdf_model(kind, batches=1, input_size=12, units=5, rank=1, memory=4, act=0, bias=True):
    """One SVDF node; kind is 'int8' (int8 state), 'int16' (int16 state) or 'float32'."""
    rng = np.random.default_rng(batches * 100 + rank * 10 + memory)
    filters = units * rank
    if kind == "float32":
        f = "float32"
        wf = reference.Tensor(
            "wf", [filters, input_size], f, data=rng.normal(0, 0.5, (filters, input_size))
        )
        wt = reference.Tensor(
            "wt", [filters, memory], f, data=rng.normal(0, 0.5, (filters, memory))
        )
        b = reference.Tensor("b", [units], f, data=rng.normal(0, 0.5, units)) if bias else None
        x = reference.Tensor("x", [batches, input_size], f)
        state = reference.Tensor("state", [batches, filters * memory], f, variable=True)
        out = reference.Tensor("y", [batches, units], f)
    else:
        wide = kind == "int16"
        state_type = "int16" if wide else "int8"
        state_scale, state_zp = (0.002, 0) if wide else (0.08, 5)
        wt_scale = 0.0005 if wide else 0.01
        x = reference.Tensor("x", [batches, input_size], "int8", scale=0.05, zero_point=-3)
        wf = reference.Tensor(
            "wf",
            [filters, input_size],
            "int8",
            scale=0.01,
            zero_point=0,
            data=rng.integers(-127, 128, (filters, input_size)),
        )
        lim = 20000 if wide else 127
        wt = reference.Tensor(
            "wt",
            [filters, memory],
            state_type,
            scale=wt_scale,
            zero_point=0,
            data=rng.integers(-lim, lim + 1, (filters, memory)),
        )
        bias_scale = np.float32(state_scale) * np.float32(wt_scale)
        b = (
            reference.Tensor(
                "b",
                [units],
                "int32",
                scale=bias_scale,
                zero_point=0,
                data=rng.integers(-3000, 3000, units),
            )
            if bias
            else None
        )
        state = reference.Tensor(
            "state",
            [batches, filters * memory],
            state_type,
            scale=state_scale,
            zero_point=state_zp,
            variable=True,
        )
        out = reference.Tensor("y", [batches, units], "int8", scale=0.1, zero_point=-2)
    opts = {"rank": rank, "fusedActivationFunction": act}
    return reference.one_op_model("SVDF", "SVDFOptions", opts, [x, wf, wt, b, state], [out])


def stream(model, steps, seed=0):
    return [reference.random_inputs(model, seed=seed + k) for k in range(steps)]


def tflm_stream(model, xs_list):
    from tflite_micro.python.tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(model, arena_size=1 << 16)
    outs = []
    for xs in xs_list:
        for i, x in enumerate(xs):
            interp.set_input(x, i)
        interp.invoke()
        outs.append(np.array(interp.get_output(0)))
    return outs


def engine_stream(m, xs_list, like):
    outs = []
    for xs in xs_list:
        for i, x in enumerate(xs):
            m.input(i).cast("B")[:] = np.ascontiguousarray(x).tobytes()
        m.invoke()
        outs.append(np.frombuffer(bytes(m.output(0).cast("B")), like.dtype).reshape(like.shape))
    return outs


def assert_stream_matches(want, got, exact):
    for k, (w, g) in enumerate(zip(want, got)):
        if exact:
            assert g.tobytes() == w.tobytes(), f"invoke {k}: ours {g.ravel()}, TFLM {w.ravel()}"
        else:
            tol = 1e-5 * max(float(np.max(np.abs(w))), 1e-30)
            err = float(np.max(np.abs(g.astype(np.float64) - w)))
            assert err <= tol, f"invoke {k}: max error {err} > {tol}"


CASES = {
    "int8_state": {"kind": "int8"},
    "int8_state_rank2_batch3": {"kind": "int8", "rank": 2, "batches": 3, "memory": 3},
    "int16_state": {"kind": "int16"},
    "int16_state_rank2_batch2": {
        "kind": "int16",
        "rank": 2,
        "batches": 2,
        "memory": 6,
        "units": 7,
    },
    "float32": {"kind": "float32"},
    "float32_relu_rank2_batch2": {"kind": "float32", "rank": 2, "batches": 2, "act": 1},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_svdf_stream_matches_tflm(case):
    """Ten consecutive invokes give TFLite Micro's outputs (the state carries over)."""
    params = CASES[case]
    model = svdf_model(**params)
    xs_list = stream(model, 10)
    want = tflm_stream(model, xs_list)
    got = engine_stream(_tinyml.Model(model), xs_list, want[0])
    assert_stream_matches(want, got, exact=params["kind"] != "float32")
    # The state matters: the same input gives another output once the history differs.
    assert any(w.tobytes() != want[0].tobytes() for w in want[1:])


@pytest.mark.parametrize("kind", ["int8", "int16", "float32"])
def test_reset_restarts_the_stream(kind):
    """After reset() the engine replays a stream as a fresh TFLite Micro interpreter does."""
    model = svdf_model(kind=kind)
    xs_list = stream(model, 6)
    want = tflm_stream(model, xs_list)
    m = _tinyml.Model(model)
    engine_stream(m, stream(model, 5, seed=100), want[0])
    m.reset()
    got = engine_stream(m, xs_list, want[0])
    assert_stream_matches(want, got, exact=kind != "float32")


def test_state_must_be_a_variable_tensor():
    """An SVDF whose state tensor is not marked variable is refused with the reason."""
    from reference import Tensor as T

    x = T("x", [1, 4], "float32")
    wf = T("wf", [2, 4], "float32", data=np.ones((2, 4)))
    wt = T("wt", [2, 3], "float32", data=np.ones((2, 3)))
    state = T("state", [1, 6], "float32", data=np.zeros((1, 6)))
    out = T("y", [1, 2], "float32")
    model = reference.one_op_model(
        "SVDF", "SVDFOptions", {"rank": 1}, [x, wf, wt, None, state], [out]
    )
    with pytest.raises(ValueError, match="state is not a variable tensor"):
        _tinyml.Model(model)


@pytest.mark.parametrize("rank, state_dims", [(3, [1, 6]), (0, [1, 6]), (1, [6])])
def test_bad_rank_or_state_rank_is_refused(rank, state_dims):
    """Filters (2) not a multiple of the rank, a rank of 0 or a 1-d state: refused with the
    shapes SVDF needs."""
    from reference import Tensor as T

    x = T("x", [1, 4], "float32")
    wf = T("wf", [2, 4], "float32", data=np.ones((2, 4)))
    wt = T("wt", [2, 3], "float32", data=np.ones((2, 3)))
    state = T("state", state_dims, "float32", variable=True)
    out = T("y", [1, 2], "float32")
    model = reference.one_op_model(
        "SVDF", "SVDFOptions", {"rank": rank}, [x, wf, wt, None, state], [out]
    )
    with pytest.raises(
        ValueError, match="tensors must be 2-d, not empty, with filters a multiple of rank > 0"
    ):
        _tinyml.Model(model)
