"""What a model's first output means, so ``run`` and ``verify`` show and score it sensibly.

- ``classifier``: one score per class (labels, a softmax last op, or a few scores from a
  sigmoid or on int8's probability scale 1/256).
- ``detector``: a heat map (N, H, W, C) such as FOMO's 12x12x2: a class per cell, class 0 the
  background; scored per cell, shown as the cells that found something.
- ``regression``: values to compare with targets (an autoencoder's reconstruction, a sine).
- ``embedding``: a long vector with no classes (features, keypoints); compared with the float
  model or TensorFlow Lite Micro, never against labels.

The guess reads only the file; ``--task`` overrides it.
"""

from __future__ import annotations

from . import schema
from .errors import TinymlError

TASKS = ("classifier", "detector", "regression", "embedding")
# Longer outputs without labels or a probability op are features, not values to regress.
EMBEDDING_MIN = 32


def output_kind(info: schema.Model, labels: list[str] | None = None) -> str:
    """The task of output 0 of ``info`` (see the module docstring)."""
    out = info.tensor_outputs()[0]
    dims = tuple(out.shape[1:])
    if len(dims) == 3 and dims[0] > 1 and dims[1] > 1 and dims[2] > 1:
        # rows x columns of cells, each choosing among channels; a (1, 17, 3) row of
        # keypoints is not one, nor is a one-channel image
        return "detector"
    width = dims[-1] if dims else 1
    producer = next((op for op in info.operators if out.index in op.outputs), None)
    softmax = producer is not None and producer.name == "SOFTMAX"
    # A sigmoid or int8 values on the probability scale: scores, unless there are many of
    # them (a denoiser's mask of 257 gains is not 257 classes).
    q = out.quantization
    probability_scale = (
        q is not None and bool(q.scale) and out.dtype == "int8"
        and abs(q.scale[0] - 1 / 256) < 1e-9 and q.zero_point[0] == -128
    )  # fmt: skip
    sigmoid = (producer is not None and producer.name == "LOGISTIC") or probability_scale
    if width > 1 and (labels or softmax or (sigmoid and width < EMBEDDING_MIN)):
        return "classifier"
    if out.elements == info.tensor_inputs()[0].elements:
        return "regression"  # a reconstruction of its input (an autoencoder)
    return "embedding" if out.elements >= EMBEDDING_MIN else "regression"


def choose(info: schema.Model, labels: list[str] | None, task: str | None) -> str:
    """``task`` when given (checked), else the guess."""
    if task is None:
        return output_kind(info, labels)
    if task not in TASKS:
        raise TinymlError(f"unknown task {task!r}: choose from {', '.join(TASKS)}")
    return task


def detections(scores, labels: list[str] | None = None, limit: int = 5) -> tuple[int, str]:
    """Cells of one heat map (H, W, C) whose best class is not the background (class 0).

    Returns (how many cells, text of the strongest ``limit`` as ``label@(row,col) score``).
    """
    import numpy as np

    best = np.argmax(scores, axis=-1)
    rows, cols = np.nonzero(best)
    found = [(float(scores[r, c, best[r, c]]), int(r), int(c), int(best[r, c]))
             for r, c in zip(rows, cols)]  # fmt: skip
    found.sort(key=lambda f: -f[0])
    names = labels or []
    text = ", ".join(
        f"{names[k] if k < len(names) else f'class {k}'}@({r},{c}) {s:.2f}"
        for s, r, c, k in found[:limit]
    )
    return len(found), text
