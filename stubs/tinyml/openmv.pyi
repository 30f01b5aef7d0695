# Stubs for device/tinyml/openmv.py (OpenMV camera frames into a model, ml's postprocessors).
from typing import Any

from .model import Model

def image_input(
    model: Model,
    img: Any,
    roi: tuple[int, int, int, int] | None = None,
    normalization: Any = None,
) -> memoryview: ...
def detect(
    model: Model,
    img: Any,
    postprocess: Any,
    roi: tuple[int, int, int, int] | None = None,
    normalization: Any = None,
) -> Any: ...
