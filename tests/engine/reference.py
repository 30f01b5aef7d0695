"""Shared helpers for engine tests: convert small TF graphs, run them on TFLite Micro and on
our engine, and compare output bytes.

    model = convert_keras("add_bcast", build, [(2, 3), (3,)], int8=True)
    assert_same_as_tflm(model)

Converted models are cached in build/testmodels/<name>-<hash>.tflite; the hash covers the
name, the caller's params, the input shapes and the quantization mode, so change `name` or
`params` when you change what a builder does.
"""

import hashlib
import json
import os

import numpy as np
import pytest

# Test modules importing these helpers are skipped where the reference stack is missing.
pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")
pytest.importorskip("tinyml._tinyml")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CACHE = os.path.join(ROOT, "build", "testmodels")

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _cache_path(name, params, shapes, int8, dtypes):
    blob = json.dumps([name, params, shapes, int8, dtypes], sort_keys=True, default=str)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
    return os.path.join(CACHE, f"{name}-{'int8' if int8 else 'f32'}-{digest}.tflite")


def _representative(shapes, dtypes, seed=1234, count=32):
    def gen():
        rng = np.random.default_rng(seed)
        for _ in range(count):
            yield [(rng.uniform(-1.0, 1.0, size=s) * 2).astype(d) for s, d in zip(shapes, dtypes)]

    return gen


def _convert(make_converter, shapes, int8, dtypes):
    import tensorflow as tf

    conv = make_converter()
    if int8:
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = _representative(shapes, dtypes)
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    return conv.convert()


def _cached(name, params, shapes, int8, dtypes, make_converter):
    path = _cache_path(name, params, shapes, int8, dtypes)
    if os.path.exists(path):
        with open(path, "rb") as f:
            return f.read()
    data = _convert(make_converter, shapes, int8, dtypes)
    os.makedirs(CACHE, exist_ok=True)
    tmp = path + f".{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return data


def convert_fn(name, fn, shapes, int8=False, params=None, dtypes=None):
    """Converts `fn(*inputs)` (plain TF code) with fixed input shapes; returns model bytes.

    shapes include the batch dimension; None makes a dimension dynamic (the converter then
    keeps SHAPE and friends) and becomes 1 in the model. dtypes default to float32.
    """
    dtypes = dtypes or ["float32"] * len(shapes)

    def make():
        import tensorflow as tf

        sig = [tf.TensorSpec(s, d) for s, d in zip(shapes, dtypes)]
        conc = tf.function(fn, input_signature=sig).get_concrete_function()
        return tf.lite.TFLiteConverter.from_concrete_functions([conc])

    rep_shapes = [[1 if d is None else d for d in s] for s in shapes]
    return _cached(name, [params, [list(s) for s in shapes]], rep_shapes, int8, dtypes, make)


def convert_cases(name, cases, int8=False, params=None, dtype="float32"):
    """One model computing every case, to keep the model cache small.

    cases maps a case name to (input shapes, fn); the model takes every case's inputs in
    sorted case order and returns all their outputs. Output order may differ from case order
    (the converter sorts output names), which does not matter when comparing with TFLM.
    """
    keys = sorted(cases)
    counts = [len(cases[k][0]) for k in keys]
    shapes = [s for k in keys for s in cases[k][0]]

    def fn(*xs):
        outs, i = [], 0
        for k, n in zip(keys, counts):
            r = cases[k][1](*xs[i : i + n])
            outs.extend(r if isinstance(r, (tuple, list)) else [r])
            i += n
        return tuple(outs)

    return convert_fn(
        name, fn, shapes, int8=int8, params=[params, keys], dtypes=[dtype] * len(shapes)
    )


def convert_keras(name, build, shapes, int8=False, params=None, batch=1):
    """Converts the Keras model `build(inputs)` returns; returns model bytes.

    build gets a list of keras.Input tensors (shapes without batch) and returns the output
    tensor(s). batch=None keeps the batch dimension dynamic, as a model saved for serving
    has it (Flatten then turns into SHAPE / STRIDED_SLICE / PACK / RESHAPE).
    """
    dtypes = ["float32"] * len(shapes)

    def make():
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(7)
        inputs = [keras.Input(shape=s, batch_size=batch) for s in shapes]
        out = build(inputs)
        model = keras.Model(inputs, out)
        sig = [tf.TensorSpec([batch, *s], tf.float32) for s in shapes]
        conc = tf.function(
            lambda *x: model(list(x) if len(x) > 1 else x[0])
        ).get_concrete_function(*sig)
        return tf.lite.TFLiteConverter.from_concrete_functions([conc], model)

    rep_shapes = [[batch or 1, *s] for s in shapes]
    return _cached(name, [params, batch], rep_shapes, int8, dtypes, make)


def _tflm(model):
    from tflite_micro.python.tflite_micro import runtime

    return runtime.Interpreter.from_bytes(model, arena_size=max(len(model) * 10, 1 << 20))


def tflite_schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated

    return schema_py_generated


_NP_TYPES = {
    0: np.float32,
    2: np.int32,
    3: np.uint8,
    4: np.int64,
    6: np.bool_,
    7: np.int16,
    9: np.int8,
}


def _graph(model):
    s = tflite_schema()
    return s, s.ModelT.InitFromPackedBuf(bytearray(model), 0)


def input_details(model):
    """[(shape, dtype)] of each model input, read from the flatbuffer."""
    _, m = _graph(model)
    g = m.subgraphs[0]
    return [
        (tuple(int(d) for d in g.tensors[i].shape), np.dtype(_NP_TYPES[g.tensors[i].type]))
        for i in g.inputs
    ]


def num_outputs(model):
    _, m = _graph(model)
    return len(m.subgraphs[0].outputs)


def op_names(model):
    """Builtin operator names of the model's nodes, in graph order (e.g. ['ADD'])."""
    s, m = _graph(model)
    names = {v: k for k, v in vars(s.BuiltinOperator).items() if k.isupper()}
    codes = m.operatorCodes
    return [
        names.get(
            max(codes[op.opcodeIndex].builtinCode, codes[op.opcodeIndex].deprecatedBuiltinCode)
        )
        for op in m.subgraphs[0].operators
    ]


def random_inputs(model, seed=0):
    """Random inputs covering each input's full range (int8: all of -128..127)."""
    rng = np.random.default_rng(seed)
    xs = []
    for shape, dtype in input_details(model):
        if dtype == np.int8:
            xs.append(rng.integers(-128, 128, size=shape, dtype=np.int8))
        elif dtype == np.int32:
            xs.append(rng.integers(-50, 50, size=shape, dtype=np.int32))
        else:
            xs.append(rng.uniform(-2.0, 2.0, size=shape).astype(dtype))
    return xs


def tflm_run(model, inputs):
    """Outputs (numpy arrays) of TFLite Micro's reference kernels for the given inputs."""
    interp = _tflm(model)
    for i, x in enumerate(inputs):
        interp.set_input(x, i)
    interp.invoke()
    return [np.array(interp.get_output(i)) for i in range(num_outputs(model))]


def engine_run(model, inputs):
    """Outputs of our engine (tinyml._tinyml) as raw bytes, one per model output."""
    from tinyml import _tinyml

    m = _tinyml.Model(model)
    for i, x in enumerate(inputs):
        view = m.input(i)
        raw = np.ascontiguousarray(x).tobytes()
        assert view.nbytes == len(raw), f"input {i}: {view.nbytes} bytes, got {len(raw)}"
        view.cast("B")[:] = raw
    m.invoke()
    outs = []
    for i in range(m.num_outputs):
        outs.append(bytes(m.output(i).cast("B")))
    return outs


def assert_same_as_tflm(model, runs=3, seed=0):
    """Our engine's output bytes equal TFLite Micro's on `runs` random inputs."""
    for r in range(runs):
        xs = random_inputs(model, seed=seed + r)
        want = tflm_run(model, xs)
        got = engine_run(model, xs)
        assert len(got) == len(want), f"{len(got)} outputs, TFLM has {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            wb = np.ascontiguousarray(w).tobytes()
            if g != wb:
                ga = np.frombuffer(g, dtype=w.dtype)
                diff = np.flatnonzero(ga != w.reshape(-1)) if ga.size == w.size else []
                raise AssertionError(
                    f"run {r} output {i}: {len(diff)} of {w.size} elements differ; first at "
                    f"{list(diff[:5])}: ours {ga[diff[:5]] if len(diff) else ga[:5]}, "
                    f"TFLM {w.reshape(-1)[diff[:5]] if len(diff) else w.reshape(-1)[:5]}"
                )


def assert_engine_equals(model, expected_fn, runs=2, seed=0):
    """Our engine's output bytes equal `expected_fn(*inputs)` (numpy arrays, one per output).

    For what TFLite Micro cannot run (e.g. STRIDED_SLICE beyond 4-D, TRANSPOSE beyond 5-D)
    but is pure data movement, so numpy gives the exact answer.
    """
    for r in range(runs):
        xs = random_inputs(model, seed=seed + r)
        want = expected_fn(*xs)
        if not isinstance(want, (list, tuple)):
            want = [want]
        got = engine_run(model, xs)
        assert len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            assert g == np.ascontiguousarray(w).tobytes(), f"run {r} output {i} differs"
