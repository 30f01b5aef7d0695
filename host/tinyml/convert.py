"""Keras or SavedModel → full-integer int8 .tflite, with labels and pipeline inside the file.

TensorFlow's own converter does the work (``tf.lite.TFLiteConverter``) with a representative
dataset read from ``.npy``, ``.npz`` or ``.csv``. Labels go in the ``tinyml_labels`` metadata
entry and pipeline settings in ``tinyml_pipeline`` (see ``metadata``). An already quantized
``.tflite`` skips the converter and only gets its metadata replaced.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import metadata as md
from . import schema
from .errors import ModelError, TinymlError

Progress = Callable[[str, int, int], None]  # (what, done, total)

DEFAULT_SAMPLES = 500


class CalibrationError(TinymlError):
    """Calibration data cannot feed the model (wrong shape, unreadable file)."""


@dataclass
class ConvertResult:
    output: Path
    source_bytes: int
    float_params: int | None
    tflite_bytes: int
    calibration_samples: int
    input_dtype: str
    output_dtype: str
    labels: list[str] | None
    pipeline: dict | None
    unsupported: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    compression: Compression | None = None


@dataclass
class Compression:
    """What ``--compress`` did: sizes, and top-1 agreement on the calibration samples."""

    int8_bytes: int  # the model before compression
    arena_before: int | None
    arena_after: int | None
    tensors: list  # compress.TensorReport
    skipped: list[str]
    samples: int = 0  # calibration samples the agreement was measured on
    fitted: int = 0  # calibration samples the palettes were fit to (0: fit to the weights)
    agree_int8: float | None = None  # compressed vs the int8 model
    agree_float: float | None = None  # compressed vs the float model
    int8_agree_float: float | None = None  # the int8 model vs the float model
    kept: list[str] = field(default_factory=list)  # weights flash=R left int8


def _tf():
    # TensorFlow's start-up notices (oneDNN, absl) would bury tinyml's own output. oneDNN's
    # reordered float sums also make calibration differ from machine to machine.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    try:
        import tensorflow as tf
    except ImportError:
        raise TinymlError(
            "this needs TensorFlow: run `scripts/setup.sh venv` (the project's dev extra, which "
            "`make demo` skips) or pip install 'tensorflow-cpu'"
        ) from None
    return tf


@contextlib.contextmanager
def _quiet() -> Iterator[Callable[[], str]]:
    """Keeps TensorFlow's native and Python chatter out of the terminal; yields a reader of it.

    Python-level writes to the real stderr (our progress) still reach it.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in finally)
    saved = os.dup(1), os.dup(2)
    streams = sys.stdout, sys.stderr
    real_stderr = None
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    if sys.stderr is sys.__stderr__:
        real_stderr = open(os.dup(saved[1]), "w", buffering=1)  # noqa: SIM115
        sys.stderr = real_stderr
    sys.stdout = io.StringIO()

    def text() -> str:
        log.seek(0)
        return log.read().decode(errors="replace") + sys.stdout.getvalue()

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield text
    finally:
        sys.stdout, sys.stderr = streams
        if real_stderr is not None:
            real_stderr.close()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        log.close()


# ---- calibration data ------------------------------------------------------------------------


def _shape_str(shape: tuple) -> str:
    dims = ["N" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def load_calibration(
    path: str | Path, input_shapes: list[tuple], input_names: list[str] | None = None
) -> list[list]:
    """Samples from ``path`` as one list of arrays per input, each shaped like the model input.

    ``input_shapes`` include the batch dimension (None or 1). A file whose sample shape does not
    match raises CalibrationError naming the shape the model expects.
    """
    import numpy as np

    path = Path(path)
    try:
        if path.suffix == ".npy":
            arrays = [np.load(path, allow_pickle=False)]
        elif path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                named = dict(z.items())
            arrays = _pick_npz(named, len(input_shapes), input_names or [])
        elif path.suffix in (".csv", ".txt"):
            arrays = [_load_csv(path)]
        else:
            raise CalibrationError(
                f"{path}: calibration data must be .npy, .npz or .csv (got {path.suffix or 'none'})"
            )
    except OSError as e:
        raise CalibrationError(f"{path}: {e.strerror or e}") from None
    except ValueError as e:
        raise CalibrationError(f"{path}: cannot read: {e}") from None
    if len(arrays) != len(input_shapes):
        raise CalibrationError(
            f"{path}: {len(arrays)} array(s) for a model with {len(input_shapes)} inputs"
        )
    out = []
    count = None
    for arr, shape in zip(arrays, input_shapes):
        samples = _fit_shape(np.asarray(arr), tuple(shape), path)
        if count is not None and len(samples) != count:
            raise CalibrationError(f"{path}: arrays hold different numbers of samples")
        count = len(samples)
        out.append(samples)
    if not count:
        raise CalibrationError(f"{path}: no samples")
    return out


def _pick_npz(named: dict, n_inputs: int, input_names: list[str]) -> list:
    if n_inputs > 1 and all(n in named for n in input_names):
        return [named[n] for n in input_names]
    for key in ("x", "X", "calib", "data", "inputs"):
        if n_inputs == 1 and key in named:
            return [named[key]]
    return list(named.values())[:n_inputs] if len(named) >= n_inputs else list(named.values())


def _load_csv(path: Path):
    import numpy as np

    rows = np.genfromtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
    if rows.size and np.isnan(rows[0]).all():  # a header line
        rows = rows[1:]
    if rows.size and np.isnan(rows).any():
        raise ValueError("non-numeric values")
    return rows


def _fit_shape(arr, shape: tuple, path: Path):
    import numpy as np

    sample = tuple(shape[1:])
    want = _shape_str((None, *sample))

    def matches(s: tuple) -> bool:
        return len(s) == len(sample) and all(d is None or d == g for d, g in zip(sample, s))

    if arr.dtype.kind not in "fiub":
        raise CalibrationError(f"{path}: calibration data must be numeric, not {arr.dtype}")
    arr = arr.astype(np.float32)
    if matches(arr.shape[1:]):
        samples = arr
    elif matches(arr.shape):
        samples = arr[None]
    elif arr.ndim == 2 and None not in sample and arr.shape[1] == int(np.prod(sample)):
        samples = arr.reshape((arr.shape[0], *sample))  # flat rows (CSV)
    else:
        raise CalibrationError(
            f"{path}: calibration data has shape {tuple(arr.shape)}; "
            f"the model expects samples of shape {_shape_str(sample)}, i.e. an array {want}"
        )
    return samples


# ---- conversion ------------------------------------------------------------------------------


@dataclass
class _Source:
    converter: object
    input_shapes: list[tuple]
    input_names: list[str]
    float_params: int | None
    float_predict: Callable | None = None  # the float model on one batch of the first input


def _source_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _load_source(tf, path: Path) -> _Source:
    if path.is_dir():
        if not (path / "saved_model.pb").is_file():
            raise ModelError(f"{path}: a directory but not a SavedModel (no saved_model.pb)")
        try:
            loaded = tf.saved_model.load(str(path))
            sig = loaded.signatures.get("serving_default")
            if sig is None:
                raise ModelError(f"{path}: SavedModel has no serving_default signature")
            specs = sig.structured_input_signature[1]
            names = sorted(specs)
            shapes = [tuple(specs[n].shape.as_list()) for n in names]
            variables = getattr(loaded, "variables", None) or []
            params = sum(int(v.shape.num_elements() or 0) for v in variables) or None
            conv = tf.lite.TFLiteConverter.from_saved_model(str(path))
        except ModelError:
            raise
        except Exception as e:  # noqa: BLE001  (TF raises many types for a bad SavedModel)
            raise ModelError(f"{path}: cannot load SavedModel: {_first_line(e)}") from None

        def predict(x):
            return next(iter(sig(**{names[0]: tf.constant(x)}).values())).numpy()

        return _Source(conv, shapes, names, params, predict if len(names) == 1 else None)
    if path.suffix not in (".keras", ".h5", ".hdf5"):
        raise ModelError(
            f"{path}: expected a Keras model (.keras, .h5), a SavedModel directory or a .tflite"
        )
    import numpy as np

    try:
        import keras

        model = keras.models.load_model(str(path), compile=False)
    except Exception as e:  # noqa: BLE001  (Keras raises anything for a bad file)
        raise ModelError(f"{path}: cannot load Keras model: {_first_line(e)}") from None
    shapes = [tuple(t.shape) for t in model.inputs]
    names = [getattr(t, "name", f"input_{i}") for i, t in enumerate(model.inputs)]
    conv = tf.lite.TFLiteConverter.from_keras_model(model)

    def predict(x):
        return np.asarray(model(x, training=False))

    return _Source(conv, shapes, names, int(model.count_params()),
                   predict if len(names) == 1 else None)  # fmt: skip


def _first_line(e: BaseException) -> str:
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return lines[0] if lines else type(e).__name__


def _converter_error(e: BaseException, log: str) -> str:
    for text in (str(e), log):
        for line in text.splitlines():
            if "error:" in line:
                return line.split("error:", 1)[1].strip()
    return _first_line(e)


def convert(
    model: str | Path,
    output: str | Path,
    calib: str | Path | None = None,
    *,
    labels: list[str] | None = None,
    pipeline: dict | None = None,
    float_io: bool = False,
    max_samples: int | None = DEFAULT_SAMPLES,
    progress: Progress | None = None,
    compress: str | None = None,
) -> ConvertResult:
    """Converts ``model`` to a full-integer .tflite at ``output`` and stores labels/pipeline."""
    model, output = Path(model), Path(output)
    if not model.exists():
        raise ModelError(f"{model}: no such file or directory")
    source_bytes = _source_bytes(model)
    float_params = None
    n_samples = 0
    samples = None
    float_predict = None
    spec = None
    if compress is not None:
        from . import compress as cz

        spec = cz.Spec.parse(compress)
    if model.suffix == ".tflite":
        data = model.read_bytes()
        schema.parse(data)
    else:
        if calib is None:
            raise CalibrationError("converting to int8 needs calibration data: --calib DATA")
        tf = _tf()
        with _quiet() as log:
            source = _load_source(tf, model)
            samples = load_calibration(calib, source.input_shapes, source.input_names)
            n_samples = len(samples[0])
            if max_samples is not None:
                n_samples = min(n_samples, max_samples)
            data = _run_converter(tf, source.converter, samples, n_samples, float_io, progress,
                                  log)  # fmt: skip
        float_params = source.float_params
        if spec is not None:
            float_predict = source.float_predict
    info = schema.parse(data)
    out_t = info.tensor_outputs()[0]
    if labels is not None:
        classes = out_t.shape[-1] if out_t.shape else 1
        if len(out_t.shape) == 2 and len(labels) != classes:
            raise ModelError(f"{len(labels)} labels for a model with {classes} output classes")
    entries: dict[str, bytes | None] = {}
    if labels is not None:
        entries[md.LABELS] = md.encode_labels(labels)
    if pipeline is not None:
        entries[md.PIPELINE] = json.dumps(pipeline, sort_keys=True).encode()
    if entries:
        data = md.with_metadata(data, entries)
        info = schema.parse(data)
    compression = None
    if spec is not None:
        if samples is None and calib is not None:
            shapes = [(1, *t.shape[1:]) for t in info.tensor_inputs()]
            samples = load_calibration(calib, shapes)
            n_samples = len(samples[0]) if max_samples is None else min(len(samples[0]),
                                                                         max_samples)  # fmt: skip
        data, compression = _compress(data, spec, samples, n_samples, float_predict)
        info = schema.parse(data)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, output)

    from .inspect import engine, op_supported

    unsupported, notes = [], []
    try:
        engine()
        unsupported = sorted({f"{op.name} v{op.version}" for op in info.operators
                              if not op_supported(op)})  # fmt: skip
    except TinymlError as e:
        notes.append(f"op support not checked: {e}")
    in_dtype = info.tensor_inputs()[0].dtype
    if not float_io and model.suffix != ".tflite" and in_dtype != "int8":
        notes.append(f"input is {in_dtype}, not int8")
    stored = md.decode_labels(info.metadata[md.LABELS]) if md.LABELS in info.metadata else None
    stored_pipeline = (
        json.loads(info.metadata[md.PIPELINE]) if md.PIPELINE in info.metadata else None
    )
    return ConvertResult(
        output=output,
        source_bytes=source_bytes,
        float_params=float_params,
        tflite_bytes=len(data),
        calibration_samples=n_samples,
        input_dtype=in_dtype,
        output_dtype=info.tensor_outputs()[0].dtype,
        labels=stored,
        pipeline=stored_pipeline,
        unsupported=unsupported,
        warnings=notes,
        compression=compression,
    )


def _top1(predict, samples, n: int):
    import numpy as np

    return np.array([int(np.argmax(predict(samples[0][i : i + 1]))) for i in range(n)])


def _compress(data: bytes, spec, samples, n: int, float_predict) -> tuple[bytes, Compression]:
    """Compresses ``data`` and measures top-1 agreement on the first n calibration samples."""
    from . import compress as cz
    from .inspect import arena_size, engine

    # With calibration samples, the palettes of FULLY_CONNECTED and 1x1 CONV_2D fit the layers'
    # outputs on them rather than the weights (and flash=R chooses the widths on them).
    fitted = n if samples is not None and len(samples) == 1 and n > 0 else 0
    if fitted:
        result = cz.compress_calibrated(data, spec, list(samples[0][:fitted]))
    else:
        result = cz.compress_calibrated(data, spec, []) if spec.flash else cz.compress(data, spec)
    c = Compression(
        fitted=fitted,
        int8_bytes=len(data),
        arena_before=arena_size(data)[0],
        arena_after=arena_size(result.data)[0],
        tensors=result.tensors,
        skipped=result.skipped,
        kept=result.kept,
    )
    if samples is not None and len(samples) == 1 and n > 0:
        int8 = engine().Model(data)
        small = engine().Model(result.data)
        c.samples = n
        top_int8 = _top1(int8.predict, samples, n)
        top_small = _top1(small.predict, samples, n)
        c.agree_int8 = float((top_int8 == top_small).mean())
        if float_predict is not None:
            top_float = _top1(float_predict, samples, n)
            c.agree_float = float((top_small == top_float).mean())
            c.int8_agree_float = float((top_int8 == top_float).mean())
    return result.data, c


def _run_converter(tf, conv, samples, n, float_io, progress, log) -> bytes:
    def representative():
        for i in range(n):
            if progress:
                progress("calibrating", i + 1, n)
            yield [s[i : i + 1] for s in samples]

    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if not float_io:
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    try:
        return bytes(conv.convert())
    except Exception as e:  # noqa: BLE001  (ConverterError, ValueError, ...: "TF said no")
        raise ModelError(f"TensorFlow could not convert the model: {_converter_error(e, log())}")
