# A model or arena bytearray resized after loading (which may move or shrink it) is refused
# with a ValueError on every later call, instead of the engine reading freed memory; loading
# again works. CPython refuses the resize itself (the face holds the buffer), so this script
# has a .exp of the MicroPython behaviour.
# tinyml-file: ad.tflite = mlcommons-tiny/ad01_int8.tflite
import tinyml

with open("ad.tflite", "rb") as f:
    data = f.read()
x = bytes((i * 3) & 0xFF for i in range(640))
ref = bytes(tinyml.Model(data).predict(x))


def attempt(name, fn):
    try:
        fn()
        print(name, "no error")
    except ValueError as e:
        print(name, "ValueError", e)


model = bytearray(data)
m = tinyml.Model(model)
print("before", bytes(m.predict(x)) == ref)
model.extend(bytes(100000))
attempt("predict", lambda: m.predict(x))
attempt("invoke", m.invoke)
attempt("input", m.input)
attempt("output", m.output)
print("loaded again", bytes(tinyml.Model(model[: len(data)]).predict(x)) == ref)

arena = bytearray(m.arena_size)
m = tinyml.Model(data, arena=arena)
print("caller arena", bytes(m.predict(x)) == ref)
arena[16:] = b""
attempt("predict", lambda: m.predict(x))
m = tinyml.Model(data, arena=bytearray(m.arena_size))
print("new arena", bytes(m.predict(x)) == ref)
