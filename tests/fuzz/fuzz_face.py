"""libFuzzer harness (atheris) for the CPython face: what Python objects become on their way
into the engine. Each input builds Python objects from its bytes and passes them where a user
would: predict's input and out, Model's src, arena and labels, classify, metadata, input and
output indices, writes through input()'s view. Every call must return or raise one of the
errors the face documents (ValueError, TypeError, OverflowError, IndexError, OSError) with a
message; anything else (a crash, another exception type, an empty message) is a finding.

Objects include nested lists and tuples of any depth, a list holding itself, ints beyond
float, bytes, bytearrays, memoryviews, arrays of every typecode, numpy arrays of any dtype,
shape and stride, and objects whose __float__ or __index__ raises or empties the list being
read. atheris instruments the Python code loaded (tinyml's and this harness's) for coverage;
the C extension is not instrumented, so its branches guide nothing, but a crash in it still
ends the run. An object that Python itself cannot iterate (a multi-dimensional memoryview)
is not passed as labels: its own error would reach the caller, as list() would raise it.

    .venv/bin/python tests/fuzz/fuzz_face.py [libFuzzer flags] [corpus...]
"""

import os
import sys
from array import array

import atheris

with atheris.instrument_imports():
    import tinyml

import numpy as np

MODELS = os.environ.get("TINYML_MODELS") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "models"
)
ALLOWED = (ValueError, TypeError, OverflowError, IndexError, OSError)
TYPECODES = "bBhHiIlLqQfd"
DTYPES = [np.int8, np.uint8, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64,
          np.bool_, np.complex64]  # fmt: skip


def read(name: str) -> bytes:
    with open(os.path.join(MODELS, name), "rb") as f:
        return f.read()


DATA = {
    "hello": read("tflite-micro/hello_world_int8.tflite"),
    "hello_float": read("tflite-micro/hello_world_float.tflite"),
    "speech": read("tflite-micro/micro_speech_quantized.tflite"),
}
MODELS_LOADED = {name: tinyml.Model(data) for name, data in DATA.items()}


class Emptying:
    """A number whose conversion empties the list being read (the use-after-free of issue 16)."""

    def __init__(self, victim: list, value: float):
        self.victim, self.value = victim, value

    def __float__(self) -> float:
        self.victim.clear()
        return self.value

    def __index__(self) -> int:
        self.victim.clear()
        return int(self.value) if self.value == self.value and abs(self.value) < 1e18 else 0


class Raising:
    def __float__(self) -> float:
        raise ValueError("from __float__")

    def __index__(self) -> int:
        raise ValueError("from __index__")


def build(fdp: atheris.FuzzedDataProvider, depth: int, parent: list):
    """A Python object from the input's bytes."""
    kind = fdp.ConsumeIntInRange(0, 15 if depth < 4 else 9)
    if kind == 0:
        return fdp.ConsumeRegularFloat()
    if kind == 1:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 160))
    if kind == 2:
        return fdp.ConsumeBool()
    if kind == 3:
        return None
    if kind == 4:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 8))
    if kind == 5:
        return fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 2100))
    if kind == 6:
        return bytearray(fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 2100)))
    if kind == 7:
        code = TYPECODES[fdp.ConsumeIntInRange(0, len(TYPECODES) - 1)]
        raw = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 8200))
        size = array(code).itemsize
        return array(code, raw[: len(raw) // size * size])
    if kind == 8:
        return Emptying(parent, fdp.ConsumeRegularFloat())
    if kind == 9:
        return Raising()
    if kind == 10:
        return memoryview(build(fdp, depth + 1, parent) if fdp.ConsumeBool() else b"\x01" * 8)
    if kind == 11:
        dtype = DTYPES[fdp.ConsumeIntInRange(0, len(DTYPES) - 1)]
        shape = [fdp.ConsumeIntInRange(0, 64) for _ in range(fdp.ConsumeIntInRange(0, 4))]
        a = np.zeros(shape, dtype=dtype)
        raw = fdp.ConsumeBytes(a.nbytes)
        a.reshape(-1).view(np.uint8)[: len(raw)] = np.frombuffer(raw, np.uint8)
        if a.ndim > 0 and fdp.ConsumeBool():
            a = a[..., :: fdp.ConsumeIntInRange(1, 3)]  # not contiguous
        return a
    items: list = []
    if kind in (12, 13):
        n = fdp.ConsumeIntInRange(0, 40) if fdp.ConsumeBool() else fdp.ConsumeIntInRange(0, 2000)
        if fdp.ConsumeBool():
            items.extend([build(fdp, depth + 1, items)] * n)  # the same element n times
        else:
            items.extend(build(fdp, depth + 1, items) for _ in range(min(n, 12)))
        return items if kind == 12 else tuple(items)
    if kind == 14:
        items.append(fdp.ConsumeRegularFloat())
        items.append(items)  # a list holding itself
        return items
    return [fdp.ConsumeRegularFloat()] * fdp.ConsumeIntInRange(0, 2000)


def call(fdp: atheris.FuzzedDataProvider) -> None:
    name = sorted(DATA)[fdp.ConsumeIntInRange(0, len(DATA) - 1)]
    m = MODELS_LOADED[name]
    action = fdp.ConsumeIntInRange(0, 8)
    if action == 0:
        m.predict(build(fdp, 0, []))
    elif action == 1:
        m.predict(build(fdp, 0, []), out=build(fdp, 0, []))
    elif action == 2:
        m.classify(build(fdp, 0, []), k=build(fdp, 3, []))
    elif action == 3:
        m.metadata(build(fdp, 2, []))
    elif action in (4, 5):
        (m.input if action == 4 else m.output)(build(fdp, 3, []))
    elif action == 6:
        labels = build(fdp, 1, [])
        try:
            list(labels)  # an object Python itself cannot iterate raises its own error
        except Exception:  # noqa: BLE001
            return
        fresh = tinyml.Model(DATA[name], labels=labels)
        fresh.classify(build(fdp, 0, []))
        _ = fresh.labels
    elif action == 7:
        arena = build(fdp, 3, []) if fdp.ConsumeBool() else bytearray(m.arena_size)
        fresh = tinyml.Model(DATA[name], arena=arena)
        if isinstance(arena, bytearray) and len(arena) > 0:
            at = fdp.ConsumeIntInRange(0, len(arena) - 1)
            arena[at] ^= fdp.ConsumeIntInRange(1, 255)
        fresh.predict(bytes(fresh.input().nbytes))
    else:
        view = m.input()
        raw = fdp.ConsumeBytes(view.nbytes)
        view[: len(raw)] = raw
        m.invoke()
        _ = bytes(m.output())


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    try:
        call(fdp)
    except ALLOWED as e:
        if not str(e) and not isinstance(e, OSError):
            raise AssertionError(f"{type(e).__name__} with no message") from e


if __name__ == "__main__":
    atheris.instrument_all()
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
