"""A small FOMO-style detector trained on synthetic images, cached under build/test-cache/fomo/.

FOMO (Edge Impulse's "faster objects, more objects") maps a 96x96 image to a 12x12 heat map:
one softmax per 8x8 cell over background and the object classes. Here the object is a bright
square on a noisy dark background; the label of a cell is 1 when the square's centre lies in
it. Training runs once per cache key (TensorFlow version + this file).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tinyml.paths import Paths

SIZE = 96
CELLS = 12


def fomo_data(n: int, seed: int):
    """(images (n, 96, 96, 1) float32 in 0..1, cell classes (n, 12, 12) int64)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.2, size=(n, SIZE, SIZE, 1)).astype(np.float32)
    y = np.zeros((n, CELLS, CELLS), dtype=np.int64)
    for i in range(n):
        for _ in range(rng.integers(0, 3)):
            r, c = rng.integers(4, SIZE - 4, size=2)
            x[i, r - 4 : r + 4, c - 4 : c + 4, 0] = rng.uniform(0.8, 1.0)
            y[i, r * CELLS // SIZE, c * CELLS // SIZE] = 1
    return x, y


_TRAIN = r"""
import sys
from pathlib import Path
import numpy as np
import keras
sys.path.insert(0, sys.argv[2])
from fomo import fomo_data

out = Path(sys.argv[1])
keras.utils.set_random_seed(5)
x, y = fomo_data(400, seed=1)
model = keras.Sequential([
    keras.Input((96, 96, 1)),
    keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
    keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
    keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
    keras.layers.Conv2D(2, 1, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
# Objects are a few cells in 144: weigh them up, as FOMO's loss does, or all is background.
model.fit(x, y, sample_weight=1.0 + 20.0 * y, epochs=10, batch_size=32, verbose=0)
model.save(out / "fomo.keras")
xt, yt = fomo_data(40, seed=2)
np.save(out / "calib.npy", x[:100])
np.save(out / "x_test.npy", xt)
np.save(out / "y_test.npy", yt)
"""


def cache_dir() -> Path:
    """The trained detector and its data, (re)built when the key changes."""
    import tensorflow as tf

    key = hashlib.sha256((tf.__version__ + Path(__file__).read_text()).encode()).hexdigest()[:12]
    out = Paths.default().build / "test-cache" / "fomo" / key
    if not (out / "done").is_file():
        out.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
        subprocess.run(
            [sys.executable, "-c", _TRAIN, str(out), str(Path(__file__).parent)],
            check=True,
            env=env,
            capture_output=True,
        )
        (out / "done").write_text("ok\n")
    return out
