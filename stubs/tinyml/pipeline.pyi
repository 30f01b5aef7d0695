# Stubs for device/tinyml/pipeline.py (feature pipelines built from a JSON config).
from array import array
from typing import Any, TypeAlias

from _tinyml import Model as _EngineModel

from .model import Model as _Model

# tinyml.Model, or the engine face it wraps (_tinyml.Model)
_AnyModel: TypeAlias = _Model | _EngineModel

_Config: TypeAlias = dict[str, Any] | str | _AnyModel
_Features: TypeAlias = array | memoryview

DTYPES: dict[str, int]
FILTERS: dict[str, int]
FORMATS: dict[str, int]

class Window:
    """Sliding window of ``length`` frames of ``channels`` axes, a new one every ``hop``."""

    length: int
    channels: int
    hop: int
    def __init__(self, length: int, channels: int = 1, hop: int | None = None) -> None: ...
    def push(self, x: array | memoryview) -> tuple[int, int]: ...
    def read(self) -> array: ...
    def reset(self) -> None: ...

class IIR:
    """Cascade of biquad sections over interleaved frames, filtered in place."""

    channels: int
    def __init__(
        self, sections: list[tuple[int, float, float]], rate: float, channels: int = 1
    ) -> None: ...
    def process(self, x: array) -> array: ...

class SensorPipeline:
    """Filters, sliding window and features over a multi-axis sensor stream."""

    channels: int
    def __init__(self, cfg: dict[str, Any], model: _AnyModel | None = None) -> None: ...
    def push(self, x: tuple[float, ...] | list[float] | array) -> _Features | None:
        """One frame, or an array of whole frames; the newest window's features, or None."""
    def compute(self, window: array) -> _Features: ...

class AudioPipeline:
    """Log-mel or MFCC frames of 16-bit PCM, stacked into a spectrogram."""

    def __init__(self, cfg: dict[str, Any], model: _AnyModel | None = None) -> None: ...
    def frame(self, pcm: array, window: array | None = None) -> _Features: ...
    def push(self, pcm: array) -> _Features | None:
        """Samples in; the newest complete spectrogram (frames x coefficients), or None."""

class ImagePipeline:
    """Crop, resize and convert camera frames to the model's input."""

    def __init__(self, cfg: dict[str, Any], model: _AnyModel | None = None) -> None: ...
    def run(self, img: bytes | bytearray | memoryview) -> _Features: ...

# SensorPipeline, AudioPipeline or ImagePipeline, as the config's "type" says: only known when
# the program runs (a model carries its own config), so the checker takes any of them.
_Pipeline: TypeAlias = Any

def load(config: _Config, model: _AnyModel | None = None) -> _Pipeline:
    """A pipeline from a dict, JSON text, a JSON file's path, or a Model that carries a
    ``tinyml_pipeline`` entry; with ``model=`` features go straight into ``model.input()``."""
