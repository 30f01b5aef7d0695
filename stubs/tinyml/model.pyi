# Types of device/tinyml/model.py (its docstrings say what each does); tests/device/
# test_module.py checks that the names here are the module's, and the module's are here.
from array import array
from collections.abc import Sequence

from _tinyml import _Input

LABELS: str

def parse_labels(text: str) -> list[str]:
    """Labels from text, one per line: each stripped, blank lines dropped."""

def read_labels(path: str) -> list[str]:
    """Labels from a UTF-8 text file, one per line (OSError when it cannot be read)."""

def top_k(scores: Sequence[float], k: int) -> list[int]:
    """Indices of the ``k`` highest scores, best first; ties keep the lower index first."""

class Model:
    """A .tflite model, planned into one arena and ready to run."""

    in_place: bool
    """Whether the model is read where it lies (a buffer, a ROMFS file) rather than from a
    copy (a file read into RAM, or a buffer that was not 4-byte aligned)."""
    labels: list[str] | None
    """Class labels: the ``labels`` argument, ``<model>.txt`` beside a model loaded from a
    path, the model's ``tinyml_labels`` metadata, or None."""

    def __init__(
        self,
        src: str | bytes | bytearray | memoryview,
        *,
        arena: int | bytearray | memoryview | None = None,
        labels: Sequence[str] | str | None = None,
    ) -> None:
        """Load a model from a path or a buffer. ValueError for a corrupt model or an arena
        too small; NotImplementedError for an op or type the engine lacks; TypeError for an
        argument of the wrong kind; OSError for a file that cannot be read."""

    def predict(
        self,
        x: _Input | tuple[_Input, ...],
        out: array | tuple[array, ...] | None = None,
    ) -> array | tuple[array, ...]:
        """Dequantized outputs as array('f') (a tuple for several), or into ``out``.
        ValueError for a wrong number of values or bytes; NotImplementedError for an input
        tensor type predict cannot fill; TypeError for an input of the wrong kind."""

    def classify(self, x: _Input | tuple[_Input, ...], k: int = 1) -> list[tuple[str, float]]:
        """``predict(x)`` on output 0, as the ``k`` best ``(label, score)`` pairs, best first."""

    def input(self, i: int = 0) -> memoryview:
        """A writable view of input tensor ``i``'s bytes in the arena."""

    def output(self, i: int = 0) -> memoryview:
        """A view of output tensor ``i``'s bytes (raw, quantized) after ``invoke()``."""

    def invoke(self) -> None:
        """Run the model on what the input tensors hold. Allocates nothing."""

    def reset(self) -> None:
        """Clear the state recurrent ops (SVDF, LSTM) carry between invokes."""

    def profile(self) -> list[tuple[str, int]]:
        """``(op name, microseconds)`` for each op of the last invoke, in order."""

    def metadata(self, name: str) -> bytes | None:
        """The model's metadata entry ``name`` as bytes, or None."""

    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    input_dtype: str
    """'int8', 'uint8', 'int16', 'int32' or 'float32'."""
    output_dtype: str
    input_scale: float
    input_zero_point: int
    output_scale: float
    output_zero_point: int
    num_inputs: int
    num_outputs: int
    arena_size: int
    """Exact arena bytes the model needs."""
    ops: tuple[str, ...]
    """Op names in execution order."""
