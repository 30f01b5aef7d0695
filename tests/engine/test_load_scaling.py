"""Loading scales linearly with the graph: a chain of 30,000 ADDs loads, plans and runs, and
takes well under 30x the time of a 1,000-op chain measured in the same run (the planner was
quadratic: 30,000 ops took 18-21 s)."""

import time

import numpy as np
from reference import tflite_schema


def add_chain(n: int) -> bytes:
    """y = x + c + c + ... (n ADDs), x float32 [1, 4], c = (1, 2, 3, 4)."""
    import flatbuffers

    s = tflite_schema()
    model = s.ModelT()
    model.version = 3
    code = s.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = s.BuiltinOperator.ADD
    code.version = 1
    model.operatorCodes = [code]
    const = s.BufferT()
    const.data = np.frombuffer(np.arange(1, 5, dtype=np.float32).tobytes(), np.uint8)
    model.buffers = [s.BufferT(), const]
    graph = s.SubGraphT()
    tensors = []
    for i in range(n + 2):
        t = s.TensorT()
        t.shape = [4] if i == 0 else [1, 4]
        t.type = s.TensorType.FLOAT32
        t.buffer = 1 if i == 0 else 0
        tensors.append(t)
    ops = []
    for i in range(n):
        op = s.OperatorT()
        op.opcodeIndex = 0
        op.inputs = [i + 1, 0]
        op.outputs = [i + 2]
        ops.append(op)
    graph.tensors, graph.operators, graph.inputs, graph.outputs = tensors, ops, [1], [n + 1]
    model.subgraphs = [graph]
    b = flatbuffers.Builder(1024)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def load_seconds(data: bytes, repeat: int) -> float:
    from tinyml import _tinyml

    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        _tinyml.Model(data)
        best = min(best, time.perf_counter() - t0)
    return best


def test_long_chain_loads_in_linear_time():
    from tinyml import _tinyml

    small, big = add_chain(1000), add_chain(30000)
    m = _tinyml.Model(big)
    assert list(m.predict([0.5, 0.0, 0.0, -1.0])) == [30000.5, 60000.0, 90000.0, 119999.0]
    ratio = load_seconds(big, 3) / load_seconds(small, 10)
    # Linear is 30x; the quadratic planner was over 500x.
    assert ratio < 150, f"30,000 ops took {ratio:.0f}x the time of 1,000"
