# Streaming allocates nothing: a recurrent model (the SVDF keyword model, its int16 state kept
# in the arena) fed one frame at a time, each frame written into m.input() and the output read
# from m.output(), 60 invokes and a reset() under micropython.heap_lock(). The state carries:
# the checksum of every output equals CPython's, and after reset() the first frame gives its
# first output again. The loop is a function: new globals would allocate.
# tinyml-file: kws_svdf.tflite = tflite-micro/keyword_scrambled_8bit.tflite
import tinyml

try:
    from micropython import heap_lock, heap_unlock
except ImportError:  # CPython

    def heap_lock():
        pass

    def heap_unlock():
        pass


def stream(m, x, y, first, result):
    h = 0
    for frame in range(60):
        for i in range(len(x)):
            x[i] = (i * 37 + frame * 11 + (i >> 3) * frame) & 0xFF
        m.invoke()
        for i in range(len(y)):
            h = (h * 31 + y[i]) & 0xFFFFF
            if frame == 0:
                first[i] = y[i]
    m.reset()
    for i in range(len(x)):
        x[i] = (i * 37) & 0xFF
    m.invoke()
    same = True
    for i in range(len(y)):
        same = same and y[i] == first[i]
    result[0] = h  # into a list made beforehand: returning a tuple would allocate
    result[1] = same


m = tinyml.Model("kws_svdf.tflite")
x, y = m.input(0), m.output(0)  # views made beforehand: each call makes a new one
first = bytearray(len(y))
result = [0, False]
heap_lock()
try:
    stream(m, x, y, first, result)
finally:
    heap_unlock()
print("checksum", result[0], "reset replays frame 0", result[1])
