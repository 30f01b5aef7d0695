"""A FOMO-style detector with fixed weights, built with Keras and ``tinyml convert`` and cached
under build/test-cache/openmv/ (rebuilt when TensorFlow or this file changes).

OpenMV's FOMO face model is not among the shared models, so this stands in for it with the same
output layout: a 96x96 grayscale input, an 8x8 average pool, a 1x1 convolution and a softmax
give a [1, 12, 12, 2] grid of (background, object) scores. The object score of a cell is
sigmoid(16 x - 8) of its mean pixel x in [-1, 1] after OpenMV's pixel - 128: bright cells are
objects, dark ones background, so where the boxes must be is known from the image alone.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tinyml.paths import Paths

_BUILD = r"""
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
model.save(out / "fomo_bright.keras")
rng = np.random.default_rng(5)
calib = rng.uniform(-1.0, 1.0, size=(64, 96, 96, 1)).astype(np.float32)
calib[:8] = -1.0
calib[8:16] = 1.0
np.save(out / "calib.npy", calib)
"""


def fomo_model() -> Path:
    """The int8 .tflite (int8 input and output), built once per cache key."""
    import tensorflow as tf

    key = hashlib.sha256((tf.__version__ + Path(__file__).read_text()).encode()).hexdigest()[:12]
    out = Paths.default().build / "test-cache" / "openmv" / key
    model = out / "fomo_bright.tflite"
    if model.is_file():
        return model
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", _BUILD, str(out)], check=True, env=env,
                   capture_output=True)  # fmt: skip
    tinyml = Path(sys.executable).parent / "tinyml"
    subprocess.run(
        [str(tinyml), "convert", str(out / "fomo_bright.keras"), "-o", str(model),
         "--calib", str(out / "calib.npy")],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    return model
