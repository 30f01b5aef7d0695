"""FOMO-style detectors built with Keras and ``tinyml convert``, cached under
build/test-cache/openmv/ (rebuilt when TensorFlow or this file changes).

OpenMV's FOMO face model is not among the shared models (its weights are not available here),
so two stand-ins with its output layout, a [1, 12, 12, classes] grid of int8 scores from a
96x96 grayscale input, take its place:

- ``fomo_mobilenetv2()`` has FOMO's published architecture (Edge Impulse FOMO): MobileNetV2
  with width multiplier alpha 0.35 on a 96x96x1 input, cut after ``block_6_expand_relu`` (the
  12x12x96 feature map, output stride 8), then a 1x1 convolution with 32 filters and ReLU and a
  1x1 convolution to (background, face) with softmax; int8 in and out. Its weights are Keras'
  seeded initialisation, not trained (each batch normalization set to standardise its input):
  its sizes (file, weights, arena) and ops are FOMO's, its scores mean nothing but vary. It is
  what ``tinyml inspect --board openmv-m7`` judges for "FOMO in flash".
- ``fomo_bright()`` is tiny (an 8x8 average pool, a 1x1 convolution, softmax) with fixed
  weights: the object score of a cell is sigmoid(16 x - 8) of its mean pixel x in [-1, 1] after
  OpenMV's pixel - 128, so bright cells are objects and where the boxes must be is known from
  the image alone.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tinyml.paths import Paths

_CALIB = """
rng = np.random.default_rng(5)
calib = rng.uniform(-1.0, 1.0, size=(64, 96, 96, 1)).astype(np.float32)
calib[:8] = -1.0
calib[8:16] = 1.0
np.save(out / "calib.npy", calib)
"""

_BRIGHT = (
    r"""
import sys
from pathlib import Path
import numpy as np
import keras

out = Path(sys.argv[1])
inp = keras.Input((96, 96, 1))
x = keras.layers.AveragePooling2D(8)(inp)
x = keras.layers.Conv2D(2, 1, activation="softmax")(x)
model = keras.Model(inp, x)
model.layers[-1].set_weights([np.array([[[[0.0, 16.0]]]], np.float32), np.array([0.0, -8.0], np.float32)])
model.save(out / "model.keras")
"""
    + _CALIB
)

_MOBILENETV2 = (
    r"""
import sys
from pathlib import Path
import numpy as np
import keras

out = Path(sys.argv[1])
"""
    + _CALIB
    + r"""
keras.utils.set_random_seed(11)
backbone = keras.applications.MobileNetV2(
    input_shape=(96, 96, 1), alpha=0.35, include_top=False, weights=None
)
cut = backbone.get_layer("block_6_expand_relu").output  # 12x12x96
x = keras.layers.Conv2D(32, 1, activation="relu", name="head")(cut)
x = keras.layers.Conv2D(2, 1, activation="softmax", name="logits")(x)
model = keras.Model(backbone.input, x)
# Untrained, the activations fade to zero within a few blocks and every score is 0.5: let each
# batch normalization standardise what reaches it, so scores vary from cell to cell.
for layer in model.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        seen = keras.Model(model.input, layer.input).predict(calib[16:], verbose=0)
        gamma, beta, _, _ = layer.get_weights()
        stats = [seen.mean(axis=(0, 1, 2)), seen.var(axis=(0, 1, 2)) + 1e-3]
        layer.set_weights([gamma, beta, *stats])
model.save(out / "model.keras")
"""
)


def _build(name: str, source: str) -> Path:
    import tensorflow as tf

    text = Path(__file__).read_text()
    key = hashlib.sha256((tf.__version__ + text).encode()).hexdigest()[:12]
    out = Paths.default().build / "test-cache" / "openmv" / f"{name}-{key}"
    model = out / f"{name}.tflite"
    if model.is_file():
        return model
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", source, str(out)], check=True, env=env,
                   capture_output=True)  # fmt: skip
    tinyml = Path(sys.executable).parent / "tinyml"
    subprocess.run(
        [str(tinyml), "convert", str(out / "model.keras"), "-o", str(model),
         "--calib", str(out / "calib.npy")],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    return model


def fomo_bright() -> Path:
    """The brightness detector's int8 .tflite (int8 input and output)."""
    return _build("fomo_bright", _BRIGHT)


def fomo_mobilenetv2() -> Path:
    """FOMO's architecture (MobileNetV2 0.35, 96x96x1, cut at block_6_expand) as int8 .tflite."""
    return _build("fomo_mobilenetv2", _MOBILENETV2)
