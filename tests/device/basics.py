# Runs the same on MicroPython (unix port, emulated board) and CPython: the device works at all,
# including floating point (the emulated Cortex-M7 faults on floats without its FPU enabled).
import sys

print(sys.implementation.name in ("micropython", "cpython"))
print(1.5 + 2.25)
print(sum([0.5, 0.25, 0.125]))
print(3.0 * 2.5 - 1.25)
print(int(7.9), round(2.5), float(3))
print([x * x for x in range(6)])
print(sorted({"b": 2, "a": 1}.items()))
print("%d %s %.3f" % (42, "ok", 0.125))  # noqa: UP031 (%-formatting on the device is the test)
print(bytes(range(4)), bytearray(b"ab") + b"c")
