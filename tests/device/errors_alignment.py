# The engine reads a model buffer in place when it is 4-byte aligned. A misaligned one (a file
# in a ROMFS image built by a tool that does not align files) is copied once to the heap and
# gives the same outputs; in_place tells the two apart, on every face.
# tinyml-file: hello.tflite = tflite-micro/hello_world_int8.tflite
import tinyml

with open("hello.tflite", "rb") as f:
    good = f.read()
aligned = tinyml.Model(memoryview(bytearray(4) + good)[4:])
print("aligned in place", aligned.in_place)
for shift in (1, 2, 3):
    moved = tinyml.Model(memoryview(bytearray(shift) + good)[shift:])
    same = all(bytes(moved.predict([x])) == bytes(aligned.predict([x])) for x in (-1.0, 0.5, 3.0))
    print("shift", shift, "in place", moved.in_place, "same outputs", same)
print("from a path", len(tinyml.Model("hello.tflite").predict([1.0])))  # in place on ROMFS only
