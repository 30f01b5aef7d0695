# The error contract (README "Errors", docs/errors.md): each kind of failure raises one
# exception type, the same on every face. errors_contract.exp pins the types, so the devices
# (tests/test_device_scripts.py) and CPython (tests/engine/test_error_contract.py) are each
# held to it, not only to each other.
# tinyml-file: hello.tflite = tflite-micro/hello_world_int8.tflite
import tinyml

with open("hello.tflite", "rb") as f:
    good = f.read()
m = tinyml.Model(good)


def raises(case, fn):
    try:
        fn()
        print(case, "no error")
    except Exception as e:  # noqa: BLE001 (the exception's type is the result)
        print(case, "OSError" if isinstance(e, OSError) else type(e).__name__)


unknown_op = bytearray(good)
unknown_op[2695] = unknown_op[2700] = 36  # FULLY_CONNECTED -> GATHER
int16_input = bytearray(good)
int16_input[2538] = 7  # a FULLY_CONNECTED input: int8 -> int16
changed = bytearray(good)
model_changed = tinyml.Model(changed)
changed[1168] = 10  # a field the engine digests at load (a tensor's type)

raises("corrupt model", lambda: tinyml.Model(good[:100]))
raises("not a model", lambda: tinyml.Model(bytes(range(256)) * 4))
raises("unsupported op", lambda: tinyml.Model(unknown_op))
raises("unsupported type", lambda: tinyml.Model(int16_input))
raises("arena too small", lambda: tinyml.Model(good, arena=64))
raises("missing file", lambda: tinyml.Model("no_such_model.tflite"))
raises("model not a buffer", lambda: tinyml.Model(42))
raises("labels not str", lambda: tinyml.Model(good, labels=[1]))
raises("input count", lambda: m.predict([1.0, 2.0]))
raises("input bytes", lambda: m.predict(bytes(2)))
raises("input kind", lambda: m.predict("1.0"))
raises("input element kind", lambda: m.predict([None]))
raises("out kind", lambda: m.predict([1.0], out=bytearray(4)))
raises("no such tensor", lambda: m.input(1))
raises("model changed", lambda: model_changed.predict([1.0]))
raises("profile before invoke", tinyml.Model(good).profile)
