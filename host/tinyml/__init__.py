"""tinyml: run TensorFlow Lite Micro models from MicroPython, and the host tools around it.

``Model`` is the device's own ``tinyml.model`` over the C extension ``tinyml._tinyml`` when it is
built; the host tools (CLI, firmware, emulator, device) work without it.

The device's pure-Python modules (``tinyml.model``, ``tinyml.pipeline``, ...) import here
too and run over ``tinyml._tinyml.dsp``, the same C as the firmware's, so ``from tinyml import
pipeline`` computes on the host exactly the features the board will. A wheel carries copies of
them (``setup.py``); a source checkout or editable install finds them in ``device/tinyml/``.
"""

import os as _os

__version__ = "0.1.0"

_DEVICE = _os.path.join(_os.path.dirname(__file__), _os.pardir, _os.pardir, "device", "tinyml")
if _os.path.isfile(_os.path.join(_DEVICE, "pipeline.py")):
    __path__.append(_os.path.normpath(_DEVICE))

try:
    from ._tinyml import *
    from .model import Model  # noqa: F401
except ImportError:  # extension not built (or not yet complete): host tools still work
    pass
