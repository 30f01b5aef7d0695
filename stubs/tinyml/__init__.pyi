# tinyml on MicroPython (device/tinyml): Model from tinyml.model, op_supported from the C
# module _tinyml.
from _tinyml import __version__ as __version__
from _tinyml import op_supported as op_supported
from tinyml.model import Model as Model
