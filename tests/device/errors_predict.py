# Wrong inputs and calls raise the right exception with a message naming the problem, and the
# model keeps working after each.
# tinyml-file: ad.tflite = mlcommons-tiny/ad01_int8.tflite
# tinyml-file: add.tflite = tflite-micro/simple_add_model.tflite
from array import array

import tinyml

m = tinyml.Model("ad.tflite")
x = bytes((i * 3) & 0xFF for i in range(640))
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


attempt("short list", lambda: m.predict([0.0] * 639))
attempt("long list", lambda: m.predict([0.0] * 641))
attempt("nested short", lambda: m.predict([[0.0] * 320, [0.0] * 319]))
attempt("short bytes", lambda: m.predict(bytes(639)))
attempt("long bytearray", lambda: m.predict(bytearray(641)))
attempt("short array f", lambda: m.predict(array("f", bytes(4 * 639))))
attempt("short array b", lambda: m.predict(array("b", bytes(639))))
attempt("array h", lambda: m.predict(array("h", bytes(2 * 640))))
attempt("array B", lambda: m.predict(array("B", bytes(640))))
attempt("str", lambda: m.predict("abc"))
attempt("int", lambda: m.predict(42))
attempt("None", lambda: m.predict(None))
attempt("dict", lambda: m.predict({}))
attempt("str element", lambda: m.predict([["a"]]))
attempt("None element", lambda: m.predict([None] * 640))
attempt("out short", lambda: m.predict(x, out=array("f", bytes(40))))
attempt("out array d", lambda: m.predict(x, out=array("d", bytes(8 * 640))))
attempt("out bytearray", lambda: m.predict(x, out=bytearray(4 * 640)))
attempt("out int", lambda: m.predict(x, out=42), message=False)
attempt("input 1", lambda: m.input(1))
attempt("output -1", lambda: m.output(-1))
attempt("output 2**20", lambda: m.output(1 << 20))
attempt("input 2**20", lambda: m.input(1 << 20))
attempt("nested deeper than the rank", lambda: m.predict([[[0.0] * 640]]))
selfref = [0.0]
selfref.append(selfref)
attempt("list holding itself", lambda: m.predict(selfref))
attempt("int beyond float", lambda: m.predict([10**400] + [0.0] * 639))
attempt("classify short", lambda: m.classify([1.0]))
attempt("metadata int", lambda: m.metadata(42), message=False)


def set_shape():
    m.input_shape = (1, 2)


attempt("set property", set_shape, message=False)
big = tinyml.Model("ad.tflite", arena=1 << 30)
print("arena int above need", big.arena_size == m.arena_size, bytes(big.predict(x)) == ref)
fresh = tinyml.Model("ad.tflite")
attempt("profile before invoke", fresh.profile)

add = tinyml.Model("add.tflite")
a = bytes(128 * 128)
attempt("two inputs, one given", lambda: add.predict(a))
attempt("two inputs, tuple of one", lambda: add.predict((a,)))
attempt("two inputs, list of two", lambda: add.predict([a, a]))
attempt("two inputs, second short", lambda: add.predict((a, a[:-1])))
print("two inputs", len(add.predict((a, a))))
