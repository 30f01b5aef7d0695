# Loading errors raise the right exception with a message naming the problem, and the module
# keeps working after each: a good model loads and predicts right after.
# tinyml-file: hello.tflite = tflite-micro/hello_world_int8.tflite
import tinyml

with open("hello.tflite", "rb") as f:
    good = f.read()
ref = bytes(tinyml.Model(good).predict([1.0]))
needed = tinyml.Model(good).arena_size


def attempt(name, fn, message=True):
    try:
        fn()
        print(name, "no error")
    except Exception as e:  # noqa: BLE001 (any exception is the result)
        # Messages the CPython face takes from CPython itself are compared by type only.
        kind = "OSError" if isinstance(e, OSError) else type(e).__name__
        print(name, kind, e if message else "")
    print(" still works", bytes(tinyml.Model(good).predict([1.0])) == ref)


def arena_message(got):
    return f"arena too small: needs {needed} bytes, got {got}"


attempt("truncated", lambda: tinyml.Model(good[:100]))
attempt("empty", lambda: tinyml.Model(b""))
attempt("not a model", lambda: tinyml.Model(bytes(range(256)) * 4))
damaged = bytearray(good)
damaged[4:8] = b"XXXX"  # the file identifier
attempt("bad identifier", lambda: tinyml.Model(damaged))
damaged = bytearray(good)
damaged[0:4] = b"\xff\xff\xff\x7f"  # root table offset far past the end
attempt("bad root offset", lambda: tinyml.Model(damaged))
unknown_op = bytearray(good)
unknown_op[2695] = unknown_op[2700] = 36  # the op code's two fields: FULLY_CONNECTED -> GATHER
attempt("unsupported op", lambda: tinyml.Model(unknown_op))
attempt("missing file", lambda: tinyml.Model("no_such_model.tflite"), message=False)
attempt("src not bytes", lambda: tinyml.Model(42))
attempt("src None", lambda: tinyml.Model(None))

for arena in (64, bytearray(64), needed - 8):
    try:
        tinyml.Model(good, arena=arena)
    except ValueError as e:
        got = arena if isinstance(arena, int) else len(arena)
        print("arena too small", str(e) == arena_message(got))
print("arena exact", bytes(tinyml.Model(good, arena=needed).predict([1.0])) == ref)
print("arena larger", bytes(tinyml.Model(good, arena=needed + 1000).predict([1.0])) == ref)
print("arena bytearray", bytes(tinyml.Model(good, arena=bytearray(needed)).predict([1.0])) == ref)
attempt("arena negative", lambda: tinyml.Model(good, arena=-1))
attempt("arena str", lambda: tinyml.Model(good, arena="big"))
attempt("arena read-only", lambda: tinyml.Model(good, arena=bytes(4096)))
attempt("arena misaligned", lambda: tinyml.Model(good, arena=memoryview(bytearray(4096))[1:]))
attempt("labels int", lambda: tinyml.Model(good, labels=42), message=False)
attempt("labels not str", lambda: tinyml.Model(good, labels=["a", 2]))
attempt("labels missing file", lambda: tinyml.Model(good, labels="no_such.txt"), message=False)
