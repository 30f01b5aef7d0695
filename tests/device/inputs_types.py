# Every input kind gives the same result: real values (list, tuple, nested, array 'f'/'d')
# are quantized with TFLite's rounding; bytes, bytearray, memoryview and arrays of the input's
# own typecode are taken as already quantized; both agree when the reals are the dequantized
# raw values.
# tinyml-file: ad.tflite = mlcommons-tiny/ad01_int8.tflite
# tinyml-file: hello.tflite = tflite-micro/hello_world_int8.tflite
# tinyml-file: hello_float.tflite = tflite-micro/hello_world_float.tflite
import binascii
import struct
from array import array

import tinyml

m = tinyml.Model("ad.tflite")
print(m.input_shape, m.input_dtype)
n = 640
raw = bytes((i * 53 + 17) & 0xFF for i in range(n))
q = struct.unpack(str(n) + "b", raw)
scale, zp = m.input_scale, m.input_zero_point
reals = [(v - zp) * scale for v in q]

ref = bytes(m.predict(raw))
print(f"ref crc {binascii.crc32(ref):08x}")


def check(name, x):
    print(name, bytes(m.predict(x)) == ref)


# Raw: the tensor's own bytes.
check("bytes", raw)
check("bytearray", bytearray(raw))
check("memoryview", memoryview(raw))
check("memoryview slice", memoryview(b"\x00\x00\x00\x00" + raw + b"\x00")[4 : 4 + n])
check("array b", array("b", q))
check("memoryview of array b", memoryview(array("b", q)))

# Real values, quantized by the engine.
check("list", reals)
check("tuple", tuple(reals))
check("nested list", [reals])
check("nested tuples", tuple((r,) for r in reals))
check("mixed nesting", [reals[:100], tuple(reals[100:300])] + reals[300:])
check("array f", array("f", reals))
check("array d", array("d", reals))
check("memoryview of array f", memoryview(array("f", reals)))
check("ints and floats", [int(r) if r == int(r) else r for r in reals])

# Scalars on a (1, 1) model; ints, floats and bools are numbers; float32 models take reals
# as they are and raw float bytes.
h = tinyml.Model("hello.tflite")
print([bytes(h.predict(v)) == bytes(h.predict([2.0])) for v in ([2], [2.0], (2.0,), [[2.0]])])
print(bytes(h.predict([True])) == bytes(h.predict([1.0])))
hf = tinyml.Model("hello_float.tflite")
print(
    bytes(hf.predict(array("f", [0.75]))) == bytes(hf.predict(struct.pack("<f", 0.75))),
    bytes(hf.predict([0.75])) == bytes(hf.predict(array("d", [0.75]))),
)
