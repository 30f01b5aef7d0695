# tinyml on MicroPython: run TensorFlow Lite models.
#
#     import tinyml
#     m = tinyml.Model("model.tflite")
#     print(m.classify(accel.read()))
#
# Model and op_supported come from the C module _tinyml, built into the firmware or installed
# as _tinyml.mpy (see package.json); the same API runs on CPython as tinyml._tinyml.
from _tinyml import Model, __version__, op_supported  # noqa: F401
