"""Compressed models (TFLite Micro's TFLM_DECODE lookup tables, written by tinyml's compressor)
give on every device the bytes the host engine gives for the uncompressed model whose weights
are the palette values, which TFLite Micro's interpreter gives too (tests/host/test_compress.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from device_runner import models_dir, run_on_cpython, run_on_device, skip_unless_fits
from tinyml.device import Device

pytest.importorskip("tensorflow")

SHARED = {
    "kws_dscnn": "mlcommons-tiny/kws_ref_model.tflite",
    "person_detect": "tflite-micro/person_detect.tflite",
    # fully connected only: each layer decodes its weights a block of rows at a time
    "ad01": "mlcommons-tiny/ad01_int8.tflite",
    # --compress flash=0.5: 3- and 4-bit convolutions beside int8 ones
    "kws_dscnn_flash": "mlcommons-tiny/kws_ref_model.tflite",
}

SCRIPT = """\
import binascii
import gc

import tinyml

gc.collect()
m = tinyml.Model("m.tflite")
n = 1
for d in m.input_shape:
    n *= d
print(m.input_shape, m.output_shape, m.arena_size > 0)
for seed in (1, 77, 200):
    x = bytes((i * seed + (i >> 3) + seed) & 0xFF for i in range(n))
    m.predict(x)
    print(seed, binascii.hexlify(bytes(m.output())).decode())
"""


@pytest.fixture(scope="module")
def compressed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from tinyml import compress as cz

    path = models_dir() / SHARED[request.param]
    if not path.exists():
        pytest.skip(f"shared model {path} not found")
    if request.param.endswith("_flash"):
        import numpy as np

        # Seeded MFCC-sized calibration, as tests/host/test_compress.py's (no KWS data set here).
        calib = np.random.default_rng(7).uniform(-20, 20, size=(30, 49, 10, 1))
        r = cz.compress_calibrated(path.read_bytes(), cz.Spec(flash=0.5),
                                   list(calib.astype(np.float32)))  # fmt: skip
        assert {t.bits for t in r.tensors} - {4} and r.kept
    else:
        r = cz.compress(path.read_bytes(), cz.Spec(bits=4))
    out = tmp_path_factory.mktemp("compressed")
    (out / "c.tflite").write_bytes(r.data)
    (out / "p.tflite").write_bytes(r.palette)
    return out / "c.tflite", run_on_cpython(SCRIPT, {"m.tflite": out / "p.tflite"})


@pytest.mark.parametrize("compressed", list(SHARED), indirect=True)
def test_compressed_model_equals_palette_model_on_host(
    device: Device, compressed: tuple[Path, str]
) -> None:
    """Compressed weights (4-bit; with flash=0.5, 3- and 4-bit beside int8 layers), decoded a
    layer (fully connected: a block of rows) at a time on the device: the raw int8 outputs on
    three input patterns equal the palette model's on the host."""
    path, expected = compressed
    skip_unless_fits(device, [path], path.name)
    assert run_on_device(device, SCRIPT, {"m.tflite": path}) == expected
