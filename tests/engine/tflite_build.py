"""Builds one-op TFLite models straight from the schema, for ops the TF converter does not
emit from plain Keras or TF code (SVDF) or variants it does not produce (int16 state,
rank > 1, several batches).

    t = Tensor("x", [1, 16], "int8", scale=0.05, zero_point=-3)
    model = one_op_model("SVDF", "SVDFOptions", {"rank": 2}, [t, w, ...], [t_out])
"""

import flatbuffers
import numpy as np
import reference

_TYPES = {"float32": 0, "int32": 2, "int16": 7, "int8": 9}


class Tensor:
    """A tensor of the model: data makes it a constant, variable=True a variable tensor."""

    def __init__(self, name, shape, dtype, scale=None, zero_point=0, data=None, variable=False):
        self.name, self.shape, self.dtype = name, list(shape), dtype
        self.scale, self.zero_point = scale, zero_point
        self.data, self.variable = data, variable


def one_op_model(op, options_type, options, inputs, outputs):
    """Model bytes running builtin `op` once: inputs (None for an absent optional input) and
    outputs are Tensors; non-constant, non-variable inputs become the graph inputs."""
    s = reference.tflite_schema()
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
    code.version = 1
    o = s.OperatorT()
    o.opcodeIndex = 0
    o.inputs, o.outputs = in_idx, out_idx
    o.builtinOptionsType = getattr(s.BuiltinOptions, options_type)
    opts = getattr(s, options_type + "T")()
    for k, v in options.items():
        setattr(opts, k, v)
    o.builtinOptions = opts
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
