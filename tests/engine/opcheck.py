"""Helpers for the single-op tests of pooling, MEAN, the activations and
QUANTIZE/DEQUANTIZE: convert a small Keras model or TF function in one of a few
quantization modes (cached by reference.py), run it on TFLite Micro and on our
engine, and compare.

Modes:
    f32        float32 throughout
    int8       full int8 with int8 input and output
    int8_fio   full int8 inside, float32 input and output: the converter adds
               QUANTIZE (float32 -> int8) and DEQUANTIZE (int8 -> float32)
    uint8_io   full int8 inside, uint8 input and output: QUANTIZE uint8 -> int8
               and int8 -> uint8 at the edges
    int16      16x8 quantization with int16 input and output (which we refuse)
"""

import hashlib
import json
import os

import numpy as np
import reference

MODES = ("f32", "int8", "int8_fio", "uint8_io", "int16")


def _setup(conv, mode, rep_shapes):
    import tensorflow as tf

    if mode == "f32":
        return conv
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = reference._representative(
        rep_shapes, ["float32"] * len(rep_shapes)
    )
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


def _cached(name, key, make):
    """Model bytes from build/testmodels/, converting with make() on a miss.
    (reference._cached would force int8 input/output onto every quantized mode.)"""
    blob = json.dumps([name, key], sort_keys=True, default=str)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
    path = os.path.join(reference.CACHE, f"{name}-{digest}.tflite")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return f.read()
    data = make().convert()
    os.makedirs(reference.CACHE, exist_ok=True)
    tmp = path + f".{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return data


def convert_keras(name, build, shapes, mode, params=None, batch=1):
    """Model bytes of keras.Model(inputs, build(inputs)); shapes exclude the batch."""
    assert mode in MODES, mode
    rep_shapes = [[batch, *s] for s in shapes]

    def make():
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(7)
        inputs = [keras.Input(shape=s, batch_size=batch) for s in shapes]
        model = keras.Model(inputs, build(inputs))
        return _setup(tf.lite.TFLiteConverter.from_keras_model(model), mode, rep_shapes)

    return _cached(f"{name}-{mode}", [params, batch, mode, shapes, "keras"], make)


def convert_fn(name, fn, shapes, mode, params=None):
    """Model bytes of the TF function fn(*inputs); shapes include the batch."""
    assert mode in MODES, mode
    rep_shapes = [list(s) for s in shapes]

    def make():
        import tensorflow as tf

        sig = [tf.TensorSpec(s, tf.float32) for s in shapes]
        conc = tf.function(fn, input_signature=sig).get_concrete_function()
        return _setup(tf.lite.TFLiteConverter.from_concrete_functions([conc]), mode, rep_shapes)

    return _cached(f"{name}-{mode}", [params, mode, rep_shapes, "fn"], make)


def inputs_for(model, seed, spread=3.0):
    """Random inputs: integer inputs over their full range, float inputs uniform
    in +-spread (beyond the calibration range of +-2, so QUANTIZE saturates too)."""
    rng = np.random.default_rng(seed)
    xs = []
    for shape, dtype in reference.input_details(model):
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            xs.append(rng.integers(info.min, info.max + 1, size=shape, dtype=dtype))
        else:
            xs.append(rng.uniform(-spread, spread, size=shape).astype(dtype))
    return xs


def _outputs_from_dequantize(model):
    """Whether every float output of the model is written by DEQUANTIZE (so it is
    exact, where float kernels may differ by an ulp from TFLM's libm)."""
    s = reference.tflite_schema()
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
    names = reference.op_names(model)
    for op in ops:
        assert op in names, f"{op} not in {names}"
    if exact_float is None:
        exact_float = _outputs_from_dequantize(model)
    for r in range(runs):
        xs = inputs_for(model, seed=r)
        want = reference.tflm_run(model, xs)
        got = reference.engine_run(model, xs)
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
    import flatbuffers

    s = reference.tflite_schema()
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
    import flatbuffers

    s = reference.tflite_schema()
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


_TYPES = {"float32": 0, "int32": 2, "uint8": 3, "int16": 7, "int8": 9}


def single_op_model(op, inputs, outputs, version=1, options=None):
    """A model of one builtin `op` node, written directly with the schema.

    inputs and outputs are lists of (shape, dtype name, scale, zero_point); scale None
    means no quantization. options is (options table name, {field: value}), e.g.
    ("SoftmaxOptions", {"beta": 1.0}).
    """
    import flatbuffers

    s = reference.tflite_schema()
    code = getattr(s.BuiltinOperator, op)
    m = s.ModelT()
    m.version = 3
    oc = s.OperatorCodeT()
    oc.builtinCode = code
    oc.deprecatedBuiltinCode = min(code, 127)
    oc.version = version
    m.operatorCodes = [oc]
    m.buffers = [s.BufferT()]
    g = s.SubGraphT()
    g.tensors = []
    for i, (shape, dtype, scale, zp) in enumerate(list(inputs) + list(outputs)):
        t = s.TensorT()
        t.shape = list(shape)
        t.type = _TYPES[dtype]
        t.buffer = len(m.buffers)
        m.buffers.append(s.BufferT())
        t.name = f"t{i}".encode()
        if scale is not None:
            q = s.QuantizationParametersT()
            q.scale = [float(scale)]
            q.zeroPoint = [int(zp)]
            t.quantization = q
        g.tensors.append(t)
    g.inputs = list(range(len(inputs)))
    g.outputs = list(range(len(inputs), len(inputs) + len(outputs)))
    node = s.OperatorT()
    node.opcodeIndex = 0
    node.inputs = list(g.inputs)
    node.outputs = list(g.outputs)
    if options is not None:
        name, fields = options
        node.builtinOptionsType = getattr(s.BuiltinOptions, name)
        node.builtinOptions = getattr(s, name + "T")()
        for k, v in fields.items():
            setattr(node.builtinOptions, k, v)
    g.operators = [node]
    m.subgraphs = [g]
    m.description = b"opcheck"
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())
