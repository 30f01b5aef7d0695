"""The one helper module of the engine tests: build small models (TF's converter, or straight
from the schema), run them on TFLite Micro and on our engine, and compare output bytes.

    model = convert_keras("add_bcast", build, [(2, 3), (3,)], int8=True)
    assert_same_as_tflm(model)

    model = convert_keras_in_mode("softmax", build, [(10,)], "int8_fio")
    assert_matches(model, "SOFTMAX")

    model = one_op_model("SVDF", "SVDFOptions", {"rank": 2}, [x, w, ...], [out])

Converted models are cached in build/testmodels/<name>-<hash>.tflite; the hash covers the
name, the caller's params, the input shapes and the quantization mode, so change `name` or
`params` when you change what a builder does.

Quantization modes of convert_*_in_mode:
    f32        float32 throughout
    int8       full int8 with int8 input and output
    int8_fio   full int8 inside, float32 input and output: the converter adds
               QUANTIZE (float32 -> int8) and DEQUANTIZE (int8 -> float32)
    uint8_io   full int8 inside, uint8 input and output: QUANTIZE uint8 -> int8
               and int8 -> uint8 at the edges
    int16      16x8 quantization with int16 input and output
"""

import hashlib
import json
import os

import flatbuffers
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


def _stored(path, convert):
    """Model bytes from the cache file `path`, written by convert() on a miss."""
    if os.path.exists(path):
        with open(path, "rb") as f:
            return f.read()
    data = convert()
    os.makedirs(CACHE, exist_ok=True)
    tmp = path + f".{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return data


def _cached(name, params, shapes, int8, dtypes, make_converter):
    path = _cache_path(name, params, shapes, int8, dtypes)
    return _stored(path, lambda: _convert(make_converter, shapes, int8, dtypes))


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


# ---- models written straight from the schema, for ops or variants the converter does not
# produce (SVDF, int16 state, several batches, option values)

_TYPES = {"float32": 0, "int32": 2, "uint8": 3, "int16": 7, "int8": 9}


class Tensor:
    """A tensor of the model: data makes it a constant, variable=True a variable tensor."""

    def __init__(self, name, shape, dtype, scale=None, zero_point=0, data=None, variable=False):
        self.name, self.shape, self.dtype = name, list(shape), dtype
        self.scale, self.zero_point = scale, zero_point
        self.data, self.variable = data, variable


def one_op_model(op, options_type, options, inputs, outputs, version=1):
    """Model bytes running builtin `op` once: inputs (None for an absent optional input) and
    outputs are Tensors; non-constant, non-variable inputs become the graph inputs.
    options_type None: an op without options."""
    s = tflite_schema()
    tensors, buffers = [], [s.BufferT()]
    index = {}

    def add(t):
        if t is None:
            return -1
        if id(t) in index:
            return index[id(t)]
        tt = s.TensorT()
        tt.name = t.name.encode()
        tt.shape = list(t.shape)
        tt.type = _TYPES[t.dtype]
        tt.isVariable = t.variable
        tt.buffer = 0
        if t.data is not None:
            b = s.BufferT()
            b.data = list(np.ascontiguousarray(t.data, dtype=t.dtype).tobytes())
            buffers.append(b)
            tt.buffer = len(buffers) - 1
        if t.scale is not None:
            q = s.QuantizationParametersT()
            q.scale = [float(t.scale)]
            q.zeroPoint = [int(t.zero_point)]
            tt.quantization = q
        tensors.append(tt)
        index[id(t)] = len(tensors) - 1
        return index[id(t)]

    in_idx = [add(t) for t in inputs]
    out_idx = [add(t) for t in outputs]
    code = s.OperatorCodeT()
    code.builtinCode = getattr(s.BuiltinOperator, op)
    code.deprecatedBuiltinCode = min(code.builtinCode, 127)
    code.version = version
    o = s.OperatorT()
    o.opcodeIndex = 0
    o.inputs, o.outputs = in_idx, out_idx
    if options_type is not None:
        o.builtinOptionsType = getattr(s.BuiltinOptions, options_type)
        o.builtinOptions = getattr(s, options_type + "T")()
        for k, v in options.items():
            setattr(o.builtinOptions, k, v)
    g = s.SubGraphT()
    g.tensors = tensors
    g.operators = [o]
    g.inputs = [
        i for i, t in zip(in_idx, inputs) if t is not None and t.data is None and not t.variable
    ]
    g.outputs = out_idx
    m = s.ModelT()
    m.version = 3
    m.operatorCodes = [code]
    m.subgraphs = [g]
    m.buffers = buffers
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def single_op_model(op, inputs, outputs, version=1, options=None):
    """A model of one builtin `op` node whose inputs are all graph inputs.

    inputs and outputs are lists of (shape, dtype name, scale, zero_point); scale None
    means no quantization. options is (options table name, {field: value}), e.g.
    ("SoftmaxOptions", {"beta": 1.0}).
    """
    options_type, fields = options if options is not None else (None, {})
    tensors = [
        Tensor(f"t{i}", shape, dtype, scale, zp)
        for i, (shape, dtype, scale, zp) in enumerate(list(inputs) + list(outputs))
    ]
    return one_op_model(
        op, options_type, fields, tensors[: len(inputs)], tensors[len(inputs) :], version
    )


# ---- converted models in one of MODES, compared with TFLite Micro

MODES = ("f32", "int8", "int8_fio", "uint8_io", "int16")


def _setup_mode(conv, mode, rep_shapes):
    import tensorflow as tf

    if mode == "f32":
        return conv
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = _representative(rep_shapes, ["float32"] * len(rep_shapes))
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if mode == "int16":
        conv.target_spec.supported_ops = [
            tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
        ]
        conv.inference_input_type = tf.int16
        conv.inference_output_type = tf.int16
    elif mode == "int8":
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    elif mode == "uint8_io":
        conv.inference_input_type = tf.uint8
        conv.inference_output_type = tf.uint8
    return conv


def _cached_in_mode(name, key, make):
    """Model bytes from the cache, converting with make() on a miss (_cached would force int8
    input and output onto every quantized mode)."""
    blob = json.dumps([name, key], sort_keys=True, default=str)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
    path = os.path.join(CACHE, f"{name}-{digest}.tflite")
    return _stored(path, lambda: make().convert())


def convert_keras_in_mode(name, build, shapes, mode, params=None, batch=1):
    """Model bytes of keras.Model(inputs, build(inputs)); shapes exclude the batch."""
    assert mode in MODES, mode
    rep_shapes = [[batch, *s] for s in shapes]

    def make():
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(7)
        inputs = [keras.Input(shape=s, batch_size=batch) for s in shapes]
        model = keras.Model(inputs, build(inputs))
        return _setup_mode(tf.lite.TFLiteConverter.from_keras_model(model), mode, rep_shapes)

    return _cached_in_mode(f"{name}-{mode}", [params, batch, mode, shapes, "keras"], make)


def convert_fn_in_mode(name, fn, shapes, mode, params=None):
    """Model bytes of the TF function fn(*inputs); shapes include the batch."""
    assert mode in MODES, mode
    rep_shapes = [list(s) for s in shapes]

    def make():
        import tensorflow as tf

        sig = [tf.TensorSpec(s, tf.float32) for s in shapes]
        conc = tf.function(fn, input_signature=sig).get_concrete_function()
        return _setup_mode(
            tf.lite.TFLiteConverter.from_concrete_functions([conc]), mode, rep_shapes
        )

    return _cached_in_mode(f"{name}-{mode}", [params, mode, rep_shapes, "fn"], make)


def inputs_for(model, seed, spread=3.0):
    """Random inputs: integer inputs over their full range, float inputs uniform
    in +-spread (beyond the calibration range of +-2, so QUANTIZE saturates too)."""
    rng = np.random.default_rng(seed)
    xs = []
    for shape, dtype in input_details(model):
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            xs.append(rng.integers(info.min, info.max + 1, size=shape, dtype=dtype))
        else:
            xs.append(rng.uniform(-spread, spread, size=shape).astype(dtype))
    return xs


def _outputs_from_dequantize(model):
    """Whether every float output of the model is written by DEQUANTIZE (so it is
    exact, where float kernels may differ by an ulp from TFLM's libm)."""
    s = tflite_schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(model), 0)
    g = m.subgraphs[0]
    deq = s.BuiltinOperator.DEQUANTIZE
    producer = {}
    for op in g.operators:
        code = m.operatorCodes[op.opcodeIndex]
        for t in op.outputs:
            producer[t] = max(code.builtinCode, code.deprecatedBuiltinCode)
    return all(producer.get(t) == deq for t in g.outputs if g.tensors[t].type == 0)


def assert_matches(model, ops, runs=3, exact_float=None):
    """The model runs the builtin ops `ops` (a name or a list), and our outputs equal
    TFLite Micro's: integer outputs byte for byte; float outputs too when the model is
    quantized (they come from DEQUANTIZE), else within 1e-5 of the output range."""
    if isinstance(ops, str):
        ops = [ops]
    names = op_names(model)
    for op in ops:
        assert op in names, f"{op} not in {names}"
    if exact_float is None:
        exact_float = _outputs_from_dequantize(model)
    for r in range(runs):
        xs = inputs_for(model, seed=r)
        want = tflm_run(model, xs)
        got = engine_run(model, xs)
        assert len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            ours = np.frombuffer(g, dtype=w.dtype).reshape(w.shape)
            if w.dtype.kind == "f" and not exact_float:
                tol = 1e-5 * max(float(np.ptp(w)), float(np.max(np.abs(w))), 1e-30)
                err = float(np.max(np.abs(ours.astype(np.float64) - w)))
                assert err <= tol, f"run {r} output {i}: max error {err} > {tol}"
            else:
                bad = np.flatnonzero(ours.view(np.uint8) != w.view(np.uint8)) // w.itemsize
                assert bad.size == 0, (
                    f"run {r} output {i}: {len(set(bad))} of {w.size} differ, first at "
                    f"{bad[0]}: ours {ours.flat[bad[0]]}, TFLM {w.flat[bad[0]]}"
                )


def assert_unsupported(model, *words):
    """Loading or running the model raises NotImplementedError (README "Errors": an op or type
    the engine lacks) with a message holding all `words`."""
    import pytest
    from tinyml import _tinyml

    with pytest.raises(NotImplementedError) as e:
        m = _tinyml.Model(model)
        m.invoke()
    for w in words:
        assert w in str(e.value), str(e.value)


def with_options(model, op, **fields):
    """The model with builtin option fields of every `op` node replaced (e.g.
    beta=2.0 on SOFTMAX), for variants the converter does not produce."""
    s = tflite_schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(model), 0)
    codes = {v: k for k, v in vars(s.BuiltinOperator).items() if k.isupper()}
    hit = False
    for op_t in m.subgraphs[0].operators:
        code = m.operatorCodes[op_t.opcodeIndex]
        if codes.get(max(code.builtinCode, code.deprecatedBuiltinCode)) == op:
            for k, v in fields.items():
                setattr(op_t.builtinOptions, k, v)
            hit = True
    assert hit, f"no {op} in the model"
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def with_same_quant(model, op):
    """The model with each `op` node's output quantization replaced by its input's
    (for the int8 paths TFLite Micro takes when they are equal)."""
    s = tflite_schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(model), 0)
    g = m.subgraphs[0]
    codes = {v: k for k, v in vars(s.BuiltinOperator).items() if k.isupper()}
    hit = False
    for op_t in g.operators:
        code = m.operatorCodes[op_t.opcodeIndex]
        if codes.get(max(code.builtinCode, code.deprecatedBuiltinCode)) == op:
            src = g.tensors[op_t.inputs[0]].quantization
            dst = g.tensors[op_t.outputs[0]].quantization
            dst.scale = list(src.scale)
            dst.zeroPoint = list(src.zeroPoint)
            hit = True
    assert hit, f"no {op} in the model"
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())
