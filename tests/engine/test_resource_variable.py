"""Resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and the CALL_ONCE that
initialises them) against TFLite Micro, over streams of invokes.

The models are tf.Variable-carrying tf.functions converted by TensorFlow with resource
variables enabled: a float32 model, an int8 model whose variable stays float32 (the
converter's default: QUANTIZE/DEQUANTIZE around it) and an int8 model with a quantized int8
variable (zero point 8) next to an int32 counter. Claims: every invoke of a stream gives
TFLite Micro's bytes (the variables carry from one invoke to the next, from an initial value
that CALL_ONCE assigns at the first invoke); reset() then clears them as TFLite Micro's
Reset does (its zero point into every byte, and the initialiser does not run again), so the
stream continues as TFLite Micro's does; `tinyml inspect` lists every op as supported; a
READ_VARIABLE fed by anything but a VAR_HANDLE is refused by name.
"""

import numpy as np
import pytest
import reference
from tinyml import _tinyml


def _accumulator(quantized_variable):
    import tensorflow as tf

    class Accumulator(tf.Module):
        def __init__(self):
            self.total = tf.Variable(tf.constant([[1.0, -2.0, 0.5, 3.0]]), name="total")
            self.count = tf.Variable(tf.constant([[3]], tf.int32), name="count")

        @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
        def __call__(self, x):
            self.total.assign(self.total * 0.5 + x)
            if not quantized_variable:
                return self.total + 1.0
            self.count.assign_add(tf.constant([[1]], tf.int32))
            return self.total + 1.0, tf.cast(self.count, tf.float32) * 0.25

    module = Accumulator()

    def make():
        conc = module.__call__.get_concrete_function()
        conv = tf.lite.TFLiteConverter.from_concrete_functions([conc], module)
        conv.experimental_enable_resource_variables = True
        if quantized_variable:
            conv._experimental_variable_quantization = True
        return conv

    return make


MODELS = {
    "float32": (False, False),
    "int8_float_variable": (True, False),
    "int8_int8_variable": (True, True),
}


def model_bytes(name):
    int8, quantized_variable = MODELS[name]
    return reference._cached(
        "resource_variable",
        [name],
        [[1, 4]],
        int8,
        ["float32"],
        _accumulator(quantized_variable),
    )


def tflm_stream(model, xs, reset_at):
    from tflite_micro.python.tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(model)
    outs = []
    for k, x in enumerate(xs):
        if k == reset_at:
            interp.reset()
        interp.set_input(x, 0)
        interp.invoke()
        outs.append([np.array(interp.get_output(i)) for i in range(reference.num_outputs(model))])
    return outs


def engine_stream(model, xs, reset_at):
    m = _tinyml.Model(model)
    outs = []
    for k, x in enumerate(xs):
        if k == reset_at:
            m.reset()
        m.input(0).cast("B")[:] = np.ascontiguousarray(x).tobytes()
        m.invoke()
        outs.append([bytes(m.output(i).cast("B")) for i in range(m.num_outputs)])
    return outs


@pytest.mark.parametrize("name", sorted(MODELS))
def test_variables_stream_matches_tflm(name):
    """Twelve invokes, reset() before the eighth: TFLite Micro's bytes at every one."""
    model = model_bytes(name)
    assert {"CALL_ONCE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE"} <= set(
        reference.op_names(model)
    )
    xs = [reference.random_inputs(model, seed=k)[0] for k in range(12)]
    want = tflm_stream(model, xs, reset_at=7)
    got = engine_stream(model, xs, reset_at=7)
    for k, (w, g) in enumerate(zip(want, got)):
        assert [a.tobytes() for a in w] == g, f"invoke {k}: ours {g}, TFLM {w}"
    # The variables matter: the same input scores otherwise once the history differs.
    repeat = tflm_stream(model, [xs[0]] * 3, reset_at=None)
    assert repeat[0][0].tobytes() != repeat[2][0].tobytes()
    # And reset() does not replay the initial value (TFLite Micro's Reset skips CALL_ONCE).
    fresh = tflm_stream(model, [xs[7]], reset_at=None)
    assert fresh[0][0].tobytes() != want[7][0].tobytes()


def test_variables_survive_the_planner():
    """The variables sit in the persistent part of the arena, apart from the activations the
    planner reuses: extreme inputs, which fill the activations with extreme bytes between
    one read of a variable and the next, leave the stream TFLite Micro's."""
    model = model_bytes("int8_int8_variable")
    xs = [np.full((1, 4), v, np.int8) for v in (127, -128, 127, -128, 0)]
    want = tflm_stream(model, xs, reset_at=None)
    got = engine_stream(model, xs, reset_at=None)
    assert [[a.tobytes() for a in w] for w in want] == got


def test_inspect_lists_no_unsupported_op(tmp_path):
    from tinyml.inspect import analyze

    for name in MODELS:
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(model_bytes(name))
        report = analyze(path)
        assert report.unsupported == [], name
        assert report.arena_bytes is not None, name


def test_read_of_a_plain_tensor_is_refused():
    x = reference.Tensor("x", [1, 4], "float32")
    y = reference.Tensor("y", [1, 4], "float32")
    model = reference.one_op_model("READ_VARIABLE", "ReadVariableOptions", {}, [x], [y])
    with pytest.raises(
        ValueError, match="READ_VARIABLE: input 0 is not the output of a VAR_HANDLE"
    ):
        _tinyml.Model(model)


DEVICE_SCRIPT = """
import binascii
import tinyml

m = tinyml.Model("var.tflite")
x = m.input(0)
for k in range(10):
    if k == 6:
        m.reset()
    for i in range(len(x)):
        x[i] = (i * 53 + 29) & 0xFF
    m.invoke()
    print(k, " ".join(binascii.hexlify(bytes(m.output(i))).decode() for i in range(m.num_outputs)))
"""


@pytest.mark.parametrize("name", ["float32", "int8_int8_variable"])
def test_device_stream_equals_host(device, name, tmp_path):
    """On the board the variables carry over and reset() clears them as on the host: one
    input fed again and again scores otherwise as the state moves, and the board prints the
    host's lines, reset() included."""
    from device_runner import run_on_cpython, run_on_device

    path = tmp_path / "var.tflite"
    path.write_bytes(model_bytes(name))
    host = run_on_cpython(DEVICE_SCRIPT, {"var.tflite": path})
    outputs = [line.split(" ", 1)[1] for line in host.splitlines()]
    assert len(set(outputs[:6])) > 1
    assert run_on_device(device, DEVICE_SCRIPT, {"var.tflite": path}) == host
