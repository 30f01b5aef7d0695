"""How well the int8 model does on our engine, against labels and against the float model.

The task comes from ``tinyml.task`` (or ``task=``). Classifier (integer or one-hot labels):
accuracy on the engine, accuracy of the float reference in TensorFlow, the rate at which both
pick the same class, and a confusion matrix. Detector (a heat map such as FOMO's): the same per
cell, over the heat map's classes. Regression (float targets shaped like the output): mean
absolute errors. Embedding: no labels; how close the engine is to the float model. Labels are
optional: with ``tflm=True`` alone every raw output is compared with TensorFlow Lite Micro's
interpreter, which must match bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import run as host_run
from . import task as tasks
from .errors import ModelError, TinymlError, VerifyMismatch

Progress = Callable[[str, int, int], None]


@dataclass
class VerifyResult:
    samples: int
    task: str  # one of tinyml.task.TASKS
    accuracy: float | None = None
    reference_accuracy: float | None = None
    agreement: float | None = None  # same class as the reference, or within tolerance
    confusion: list[list[int]] | None = None
    class_names: list[str] | None = None
    mae: float | None = None
    reference_mae: float | None = None
    max_diff_reference: float | None = None
    cosine_reference: float | None = None  # embedding: mean cosine similarity to the float model
    tflm_checked: bool = False
    tflm_mismatches: int = 0
    engine_micros: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _labels_to_classes(y, n_classes: int):
    import numpy as np

    y = np.asarray(y)
    if y.ndim >= 2 and y.shape[-1] == n_classes and n_classes > 1:
        return np.argmax(y.reshape(len(y), -1), axis=1)
    if y.dtype.kind in "iub" or (y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0)):
        return y.reshape(-1).astype(np.int64)
    raise TinymlError("labels must be class indices or one-hot rows")


def reference_outputs(reference: str | Path, x, progress: Progress | None = None):
    """Float model outputs (output 0) for ``x``: Keras, SavedModel or a .tflite in TensorFlow."""
    import numpy as np

    from .convert import _quiet, _tf

    tf = _tf()
    reference = Path(reference)
    if not reference.exists():
        raise ModelError(f"{reference}: no such file or directory")
    x = np.asarray(x, dtype=np.float32)
    with _quiet():
        if reference.suffix == ".tflite":
            it = tf.lite.Interpreter(model_path=str(reference))
            it.allocate_tensors()
            d_in = it.get_input_details()[0]
            d_out = it.get_output_details()[0]
            outs = []
            for i, sample in enumerate(x):
                if progress:
                    progress("reference", i + 1, len(x))
                it.set_tensor(d_in["index"], sample[None].astype(d_in["dtype"]))
                it.invoke()
                outs.append(it.get_tensor(d_out["index"])[0].astype(np.float32))
            return np.stack(outs)
        if reference.is_dir():
            loaded = tf.saved_model.load(str(reference))
            fn = loaded.signatures["serving_default"]
            name = min(fn.structured_input_signature[1])
            out = fn(**{name: tf.constant(x)})
            return np.asarray(out[min(out)], dtype=np.float32)
        try:
            import keras

            model = keras.models.load_model(str(reference), compile=False)
        except Exception as e:  # noqa: BLE001  (Keras raises anything for a bad file)
            raise ModelError(f"{reference}: cannot load Keras model: {e}") from None
        out = model.predict(x, verbose=0, batch_size=64)
        if isinstance(out, (list, tuple)):
            out = out[0]
        return np.asarray(out, dtype=np.float32)


def tflm_outputs(model: str | Path, batch, progress: Progress | None = None):
    """Raw output 0 of TensorFlow Lite Micro's interpreter for each sample of ``batch``."""
    import numpy as np

    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        raise TinymlError("--tflm needs the tflite-micro package (pip install tflite-micro)")
    ip = runtime.Interpreter.from_file(str(model))
    detail = ip.get_input_details(0)
    outs = []
    for i, sample in enumerate(batch):
        if progress:
            progress("TFLite Micro", i + 1, len(batch))
        ip.set_input(np.ascontiguousarray(sample[None], dtype=detail["dtype"]), 0)
        ip.invoke()
        outs.append(np.array(ip.get_output(0))[0])
    return np.stack(outs)


def verify(
    model: str | Path,
    x,
    y=None,
    *,
    reference: str | Path | None = None,
    tflm: bool = False,
    task: str | None = None,
    progress: Progress | None = None,
) -> VerifyResult:
    """Evaluates ``model`` on the engine with inputs ``x`` and labels or targets ``y``.

    ``y`` may be None when ``reference`` or ``tflm`` gives something to compare with.
    """
    import numpy as np

    m = host_run.load_model(model)
    kind = tasks.choose(m._schema, m.labels, task)
    batch = host_run.as_batch(x, tuple(m.input_shape), "data")
    if y is None and reference is None and not tflm:
        raise TinymlError("nothing to check against: give --labels, --reference or --tflm")
    if y is not None:
        y = np.asarray(y)
        if len(y) != len(batch):
            raise TinymlError(f"{len(batch)} samples but {len(y)} labels")
        width = m._schema.tensor_outputs()[0].elements
        if task is None and kind != "detector" and _class_indices(y, width):
            kind = "classifier"  # logits without labels or softmax, scored against classes
        if kind == "embedding":
            raise TinymlError(
                "an embedding has no classes or targets: compare it with --reference or --tflm "
                "(or name the task with --task)"
            )
    if progress:
        progress("engine", 0, len(batch))
    result = host_run.run_batch(m, batch)
    if progress:
        progress("engine", len(batch), len(batch))
    engine_out = result.values[0].reshape(len(batch), -1)
    n_out = engine_out.shape[1]
    ref = None
    if reference is not None:
        ref_in = batch
        if batch.dtype.kind in "iu" and m.input_dtype in ("int8", "uint8", "int16"):
            ref_in = (batch.astype(np.float32) - m.input_zero_point) * m.input_scale
        ref = reference_outputs(reference, ref_in, progress).reshape(len(batch), -1)
        if ref.shape[1] != n_out:
            raise TinymlError(
                f"reference has {ref.shape[1]} outputs per sample, the model {n_out}"
            )
    out = VerifyResult(samples=len(batch), task=kind)
    out.engine_micros = float(np.mean(result.micros)) if result.micros else 0.0
    if kind in ("regression", "embedding"):
        if y is not None:
            target = y.reshape(len(y), -1).astype(np.float32)
            if target.shape[1] != n_out:
                raise TinymlError(
                    f"targets have {target.shape[1]} values per sample, the output {n_out}"
                )
            out.mae = float(np.mean(np.abs(engine_out - target)))
            if ref is not None:
                out.reference_mae = float(np.mean(np.abs(ref - target)))
        if ref is not None:
            out.max_diff_reference = float(np.max(np.abs(engine_out - ref)))
            norms = np.linalg.norm(engine_out, axis=1) * np.linalg.norm(ref, axis=1)
            cos = np.sum(engine_out * ref, axis=1) / np.maximum(norms, 1e-12)
            out.cosine_reference = float(np.mean(cos))
    elif y is not None or ref is not None:
        # A classifier scores one sample, a detector each cell of its heat map.
        classes = n_out if kind == "classifier" else int(result.values[0].shape[-1])

        def per(a):  # rows of class scores
            return a.reshape(-1, classes)

        pred = np.argmax(per(engine_out), axis=1)
        if ref is not None:
            ref_pred = np.argmax(per(ref), axis=1)
            out.agreement = float(np.mean(ref_pred == pred))
        if y is not None:
            truth = _truth(y, kind, classes, len(pred))
            out.accuracy = float(np.mean(pred == truth))
            k = max(classes, int(truth.max()) + 1 if len(truth) else 0)
            conf = np.zeros((k, k), dtype=np.int64)
            np.add.at(conf, (truth, pred), 1)
            out.confusion = conf.tolist()
            names = list(result.labels or [])
            out.class_names = [names[i] if i < len(names) else str(i) for i in range(k)]
            if ref is not None:
                out.reference_accuracy = float(np.mean(ref_pred == truth))
    if tflm:
        # Both interpreters get the same integer input, so only the graph's arithmetic differs.
        q = host_run.quantize(m, batch)
        theirs = tflm_outputs(model, q, progress).reshape(len(batch), -1)
        ours = host_run.run_batch(m, q).raw[0].reshape(len(batch), -1)
        out.tflm_checked = True
        out.tflm_mismatches = int(np.sum(np.any(theirs != ours, axis=1)))
    return out


def _class_indices(y, width: int) -> bool:
    """True when ``y`` is one integer class per sample, each a valid index of ``width``."""
    import numpy as np

    return (
        width > 1 and y.ndim == 1 and y.dtype.kind in "iu" and bool(np.all((y >= 0) & (y < width)))
    )


def _truth(y, kind: str, classes: int, n_pred: int):
    """Labels as one class index per prediction (per sample, or per heat-map cell)."""
    import numpy as np

    if kind == "classifier":
        truth = _labels_to_classes(y, classes)
    elif y.ndim >= 2 and y.shape[-1] == classes and y.size == n_pred * classes:
        truth = np.argmax(y.reshape(-1, classes), axis=1)  # one-hot heat maps
    elif y.dtype.kind in "iub" or np.all(np.mod(y, 1) == 0):
        truth = y.reshape(-1).astype(np.int64)  # a class index per cell
    else:
        raise TinymlError("detector labels must be a class per cell (N, H, W) or one-hot maps")
    if len(truth) != n_pred:
        raise TinymlError(
            f"labels give {len(truth)} classes, the model predicts {n_pred}: a {kind} needs "
            + ("one label per sample" if kind == "classifier" else "one class per heat-map cell")
        )
    if len(truth) and (truth.min() < 0):
        raise TinymlError("labels must be class indices from 0")
    return truth


def check(result: VerifyResult, min_accuracy: float | None = None) -> None:
    """Raises VerifyMismatch when TFLM disagrees or accuracy is below ``min_accuracy``."""
    if result.tflm_mismatches:
        raise VerifyMismatch(
            f"{result.tflm_mismatches} of {result.samples} samples differ from TensorFlow Lite "
            "Micro's output"
        )
    if min_accuracy is not None and result.accuracy is not None and result.accuracy < min_accuracy:
        raise VerifyMismatch(
            f"accuracy {result.accuracy:.2%} is below the required {min_accuracy:.2%}"
        )


CONFUSION_MAX = 20  # classes shown as a matrix; beyond, the most frequent confusions


def format_result(r: VerifyResult) -> str:
    per = " per heat-map cell" if r.task == "detector" else ""
    lines = [f"samples:            {r.samples} ({r.task})"]
    if r.accuracy is not None:
        lines.append(f"accuracy (engine):  {r.accuracy:.2%}{per}")
    if r.reference_accuracy is not None:
        lines.append(f"accuracy (float):   {r.reference_accuracy:.2%}{per}")
    if r.agreement is not None:
        lines.append(f"agreement:          {r.agreement:.2%} same class as the float model{per}")
    if r.mae is not None:
        lines.append(f"MAE (engine):       {r.mae:.6g}")
    if r.reference_mae is not None:
        lines.append(f"MAE (float):        {r.reference_mae:.6g}")
    if r.max_diff_reference is not None:
        lines.append(f"max |engine-float|: {r.max_diff_reference:.6g}")
    if r.cosine_reference is not None:
        lines.append(f"cosine to float:    {r.cosine_reference:.4f} (mean over samples)")
    if r.tflm_checked:
        same = r.samples - r.tflm_mismatches
        lines.append(f"TFLite Micro:       {same}/{r.samples} outputs bit-exact")
    lines.append(f"engine time:        {r.engine_micros:.0f} us/sample (host)")
    if r.confusion is not None:
        lines.extend(_confusion_lines(r.confusion, r.class_names or [], per))
    lines.extend(r.notes)
    return "\n".join(lines)


def _confusion_lines(confusion: list[list[int]], names: list[str], per: str) -> list[str]:
    if len(confusion) > CONFUSION_MAX:
        pairs = sorted(
            (
                (v, t, p)
                for t, row in enumerate(confusion)
                for p, v in enumerate(row)
                if t != p and v
            ),
            reverse=True,
        )[:5]
        lines = [f"confusion matrix: {len(confusion)} classes, not shown (--json has it)"]
        if pairs:
            lines.append("most confused (true -> predicted):")
            lines.extend(f"  {names[t]} -> {names[p]}: {v}" for v, t, p in pairs)
        return lines
    w = max([len(n) for n in names] + [5])
    cw = max(w, max((len(str(v)) for row in confusion for v in row), default=1))
    lines = [f"confusion matrix{per} (rows: true, columns: predicted):"]
    lines.append(" " * (w + 2) + " ".join(f"{n[:cw]:>{cw}}" for n in names))
    for name, row in zip(names, confusion):
        lines.append(f"  {name:<{w}}" + " ".join(f"{v:>{cw}}" for v in row))
    return lines
