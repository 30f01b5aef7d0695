"""Runs a model on the host engine (``_tinyml``), the device's exact integer arithmetic.

Float inputs are quantized by the engine with the model's input scale and zero point; inputs
already in the tensor's type (int8 for an int8 model) are copied unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import ModelError, TinymlError, UnsupportedOpError


@dataclass
class RunResult:
    values: list  # per output: float32 array (N, *shape[1:]), dequantized
    raw: list  # per output: array in the tensor's own type (N, *shape[1:])
    labels: list[str] | None
    input_shape: tuple
    micros: list[float] = field(default_factory=list)  # per sample, host time

    def top(self, sample: int, k: int = 1) -> list[tuple[str, float, int]]:
        """Best ``k`` classes of output 0 for one sample: (label, score, index)."""
        import numpy as np

        scores = self.values[0][sample].reshape(-1)
        order = np.argsort(-scores, kind="stable")[:k]
        names = self.labels or []
        return [(names[i] if i < len(names) else str(i), float(scores[i]), int(i)) for i in order]


NPY_MAGIC = b"\x93NUMPY"


def load_array(path: str | Path):
    import numpy as np

    path = Path(path)
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                arrays = list(z.values())
            if len(arrays) != 1:
                raise TinymlError(f"{path}: expected one array, found {len(arrays)}")
            return arrays[0]
        if path.suffix == ".csv":
            return np.genfromtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
        with path.open("rb") as f:
            if f.read(6) != NPY_MAGIC:
                raise TinymlError(f"{path}: not a .npy file (save arrays with numpy.save)")
        return np.load(path, allow_pickle=False)
    except OSError as e:
        raise TinymlError(f"{path}: {e.strerror or e}") from None
    except ValueError as e:
        raise TinymlError(f"{path}: cannot read: {e}") from None


def load_model(model: str | Path, labels: list[str] | None = None):
    """The engine's Model for a file; labels from the file's metadata or ``<model>.txt``."""
    from .inspect import engine

    engine()  # a clear error when the extension is not built
    from .model import Model

    try:
        data = Path(model).read_bytes()
    except OSError as e:
        raise ModelError(f"{model}: {e.strerror}") from None
    try:
        info = schema.parse(data)
    except ModelError as e:
        raise ModelError(f"{model}: {e}") from None
    try:
        m = Model(data, labels=labels)
    except NotImplementedError as e:
        raise UnsupportedOpError(f"{model}: {e}") from None
    except ValueError as e:
        raise ModelError(f"{model}: {e}") from None
    if labels is None and m.labels is None:
        beside = Path(model).with_suffix(".txt")
        if beside.is_file():
            m = Model(data, labels=str(beside))
    return _Loaded(m, info)


class _Loaded:
    """The engine's Model plus the schema view of the same file (output types and shapes)."""

    def __init__(self, engine_model, info: schema.Model) -> None:
        self._m = engine_model
        self._schema = info

    def __getattr__(self, name: str):
        return getattr(self._m, name)


_NP_TYPES = {"int8": "int8", "uint8": "uint8", "int16": "int16", "int32": "int32",
             "float32": "float32"}  # fmt: skip


def as_batch(x, shape: tuple, what: str = "input"):
    """``x`` as (N, *shape[1:]): a single sample gains a batch axis; flat rows are reshaped."""
    import numpy as np

    x = np.asarray(x)
    sample = tuple(shape[1:])
    n = int(np.prod(sample)) if sample else 1
    if x.shape == tuple(shape):
        return x.reshape((shape[0], *sample)) if shape[0] == 1 else x[None]
    if x.shape[1:] == sample:
        return x
    if x.shape == sample:
        return x[None]
    if x.ndim == 2 and x.shape[1] == n:
        return x.reshape((x.shape[0], *sample))
    if x.size == n:
        return x.reshape((1, *sample))
    dims = ", ".join(str(d) for d in sample)
    raise TinymlError(
        f"{what} has shape {tuple(x.shape)}; the model expects ({dims}) or (N, {dims})"
    )


def run_batch(m, x) -> RunResult:
    """Runs every sample of ``x`` (N, ...) through model ``m`` (from ``load_model``)."""
    import numpy as np

    outputs = [(tuple(t.shape[1:]), t.dtype) for t in _info(m).tensor_outputs()]

    in_shape = tuple(m.input_shape)
    batch = as_batch(x, in_shape)
    in_type = m.input_dtype
    if batch.dtype.kind == "f":
        batch = batch.astype(np.float32)
    elif batch.dtype != np.dtype(_NP_TYPES.get(in_type, "float32")):
        # integers of another type are values, not raw tensor bytes: quantize them
        batch = batch.astype(np.float32)
    n_out = m.num_outputs
    values: list[list] = [[] for _ in range(n_out)]
    raw: list[list] = [[] for _ in range(n_out)]
    micros = []
    for sample in batch:
        sample = np.ascontiguousarray(sample)
        t0 = time.perf_counter()
        try:
            out = m.predict(sample)
        except (ValueError, TypeError, NotImplementedError) as e:
            raise ModelError(f"engine: {e}") from None
        micros.append((time.perf_counter() - t0) * 1e6)
        outs = out if isinstance(out, tuple) else (out,)
        for i, o in enumerate(outs):
            values[i].append(np.frombuffer(o, dtype=np.float32).copy())
            raw[i].append(np.frombuffer(bytes(m.output(i)), dtype=outputs[i][1]).copy())
    out_shapes = [s for s, _ in outputs]
    return RunResult(
        values=[np.stack(v).reshape((-1, *s)) for v, s in zip(values, out_shapes)],
        raw=[np.stack(r).reshape((-1, *s)) for r, s in zip(raw, out_shapes)],
        labels=m.labels,
        input_shape=in_shape,
        micros=micros,
    )


def quantize(m, x):
    """Float ``x`` in model ``m``'s input type, quantized by the engine as ``predict`` does."""
    import numpy as np

    from ._tinyml import quantize as engine_quantize

    dtype = m.input_dtype
    x = np.asarray(x)
    if dtype not in ("int8", "uint8", "int16") or x.dtype.kind != "f":
        return x
    values = np.ascontiguousarray(x, dtype=np.float32)
    q = engine_quantize(values, dtype, m.input_scale, m.input_zero_point)
    return np.frombuffer(q, dtype=dtype).reshape(x.shape).copy()


def _info(m) -> schema.Model:
    info = getattr(m, "_schema", None)
    if info is None:
        raise TinymlError("model was not loaded with run.load_model")
    return info


def run(model: str | Path, x, labels: list[str] | None = None) -> RunResult:
    """Loads ``model`` and runs ``x`` (array, one sample or a batch) through it."""
    return run_batch(load_model(model, labels), x)
