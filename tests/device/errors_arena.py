# A caller's arena written after loading outside the tensors' bytes (at its end, where the
# engine keeps its tensor, node and op tables: pointers, shapes, index ranges) is refused with
# a ValueError on every later call, instead of the engine following a corrupt pointer. Bytes
# of the tensors are values and may be written; restoring the tables or loading again works.
# The models are small enough for every target, the emulated Cortex-M0 with a Pico's heap too.
# tinyml-file: hello.tflite = tflite-micro/hello_world_int8.tflite
# tinyml-file: speech.tflite = tflite-micro/micro_speech_quantized.tflite
import tinyml


def attempt(name, fn, *args):
    try:
        fn(*args)
        print(name, "no error")
    except ValueError as e:
        print(name, "ValueError", e)


for path, n in (("hello.tflite", 1), ("speech.tflite", 1960)):
    with open(path, "rb") as f:
        data = f.read()
    x = bytes((i * 3) & 0xFF for i in range(n))
    ref = bytes(tinyml.Model(data).predict(x))
    arena = bytearray(tinyml.Model(data).arena_size)
    m = tinyml.Model(data, arena=arena)
    print(path, "caller arena", bytes(m.predict(x)) == ref)
    # The planned tensors start the arena: a value written there is recomputed.
    arena[0] ^= 0xFF
    print("activation written", bytes(m.predict(x)) == ref)
    # The tables end it.
    arena[-1] ^= 0x40
    attempt("last byte written, predict", m.predict, x)
    attempt("invoke", m.invoke)
    attempt("input", m.input)
    attempt("output", m.output)
    arena[-1] ^= 0x40
    print("restored", bytes(m.predict(x)) == ref)
    saved = bytes(arena[-64:])
    arena[-64:] = bytes(64)
    attempt("tables zeroed, predict", m.predict, x)
    arena[-64:] = saved
    print("restored", bytes(m.predict(x)) == ref)
    arena[-64:] = bytes(64)
    m = tinyml.Model(data, arena=arena)
    print("loaded again", bytes(m.predict(x)) == ref)
