# tinyml on MicroPython: run TensorFlow Lite models.
#
#     import tinyml
#     m = tinyml.Model("model.tflite")
#     print(m.classify(accel.read()))
#
# Model is tinyml.model's, over the C engine _tinyml (built into the firmware or installed as
# _tinyml.mpy, see package.json); the same API runs on CPython.
from _tinyml import __version__, op_supported  # noqa: F401

from .model import Model  # noqa: F401
