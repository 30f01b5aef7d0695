# A model bytearray whose shapes changed after loading, or a model or arena bytearray resized
# after loading (which may move or shrink it), is refused with a ValueError on every later
# call, instead of the engine writing past a tensor or reading freed memory; loading again
# works. CPython refuses the resize itself (the face holds the buffer), so this script has a
# .exp of the MicroPython behaviour.
# tinyml-file: speech.tflite = tflite-micro/micro_speech_quantized.tflite
# tinyml-file: kws.tflite = mlcommons-tiny/kws_ref_model.tflite
import struct

import tinyml

with open("speech.tflite", "rb") as f:
    data = f.read()
x = bytes((i * 3) & 0xFF for i in range(1960))
ref = bytes(tinyml.Model(data).predict(x))


def attempt(name, fn):
    try:
        fn()
        print(name, "no error")
    except ValueError as e:
        print(name, "ValueError", e)


# A shape changed in a bytearray model after loading (once: predict wrote 20 KB into a
# 490-byte tensor) is refused; weights may change; restoring the shape makes it work again.
with open("kws.tflite", "rb") as f:
    kws = bytearray(f.read())
m = tinyml.Model(kws)
features = bytes(490)
kws_ref = bytes(m.predict(features))
at = bytes(kws).find(struct.pack("<4i", 1, 49, 10, 1)) + 4
kws[at : at + 4] = struct.pack("<i", 2000)
attempt("shape changed", lambda: m.predict(features))
attempt("shape changed, input view", m.input)
kws[at : at + 4] = struct.pack("<i", 49)
print("shape restored", bytes(m.predict(features)) == kws_ref)
weights = len(kws) // 2
kws[weights] ^= 0x55
print("weight changed", len(m.predict(features)))


model = bytearray(data)
m = tinyml.Model(model)
print("before", bytes(m.predict(x)) == ref)
model.extend(bytes(1000))
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
