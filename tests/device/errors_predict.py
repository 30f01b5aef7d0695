# Wrong inputs and calls raise the right exception with a message naming the problem, and the
# model keeps working after each. The models are small enough for every target, the emulated
# Cortex-M0 with a Pico's heap too.
# tinyml-file: speech.tflite = tflite-micro/micro_speech_quantized.tflite
from array import array

import tinyml

m = tinyml.Model("speech.tflite")
N = 1960  # input (1, 1960) int8, output (1, 4) int8
x = bytes((i * 3) & 0xFF for i in range(N))
ref = bytes(m.predict(x))


def attempt(name, fn, message=True):
    try:
        fn()
        print(name, "no error")
    except Exception as e:  # noqa: BLE001 (any exception is the result)
        # Messages the CPython face takes from CPython itself are compared by type only.
        kind = "OSError" if isinstance(e, OSError) else type(e).__name__
        print(name, kind, e if message else "")
    print(" still works", bytes(m.predict(x)) == ref)


attempt("short list", lambda: m.predict([0.0] * (N - 1)))
attempt("long list", lambda: m.predict([0.0] * (N + 1)))
attempt("nested short", lambda: m.predict([[0.0] * (N // 2), [0.0] * (N // 2 - 1)]))
attempt("short bytes", lambda: m.predict(bytes(N - 1)))
attempt("long bytearray", lambda: m.predict(bytearray(N + 1)))
attempt("short array f", lambda: m.predict(array("f", bytes(4 * (N - 1)))))
attempt("short array b", lambda: m.predict(array("b", bytes(N - 1))))
attempt("array h", lambda: m.predict(array("h", bytes(2 * N))))
attempt("array B", lambda: m.predict(array("B", bytes(N))))
attempt("str", lambda: m.predict("abc"))
attempt("int", lambda: m.predict(42))
attempt("None", lambda: m.predict(None))
attempt("dict", lambda: m.predict({}))
attempt("str element", lambda: m.predict([["a"]]))
attempt("None element", lambda: m.predict([None] * N))
attempt("out short", lambda: m.predict(x, out=array("f", bytes(4 * 3))))
attempt("out array d", lambda: m.predict(x, out=array("d", bytes(8 * 4))))
attempt("out bytearray", lambda: m.predict(x, out=bytearray(4 * 4)))
attempt("out int", lambda: m.predict(x, out=42), message=False)
attempt("input 1", lambda: m.input(1))
attempt("output -1", lambda: m.output(-1))
attempt("output 2**20", lambda: m.output(1 << 20))
attempt("input 2**20", lambda: m.input(1 << 20))
attempt("nested deeper than the rank", lambda: m.predict([[[0.0] * N]]))
selfref = [0.0]
selfref.append(selfref)
attempt("list holding itself", lambda: m.predict(selfref))
attempt("int beyond float", lambda: m.predict([10**400] + [0.0] * (N - 1)))
attempt("classify short", lambda: m.classify([1.0]))
attempt("metadata int", lambda: m.metadata(42), message=False)


def set_shape():
    m.input_shape = (1, 2)


attempt("set property", set_shape, message=False)
big = tinyml.Model("speech.tflite", arena=1 << 30)
print("arena int above need", big.arena_size == m.arena_size, bytes(big.predict(x)) == ref)
fresh = tinyml.Model("speech.tflite")
attempt("profile before invoke", fresh.profile)
