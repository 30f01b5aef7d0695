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
    r = cz.compress(path.read_bytes(), cz.Spec(bits=4))
    out = tmp_path_factory.mktemp("compressed")
    (out / "c.tflite").write_bytes(r.data)
    (out / "p.tflite").write_bytes(r.palette)
    return out / "c.tflite", run_on_cpython(SCRIPT, {"m.tflite": out / "p.tflite"})


@pytest.mark.parametrize("compressed", list(SHARED), indirect=True)
def test_compressed_model_equals_palette_model_on_host(
    device: Device, compressed: tuple[Path, str]
) -> None:
    """4-bit compressed weights, decoded a layer (fully connected: a block of rows) at a time on
    the device: the raw int8 outputs on three input patterns equal the palette model's on the
    host."""
    path, expected = compressed
    skip_unless_fits(device, [path], path.name)
    assert run_on_device(device, SCRIPT, {"m.tflite": path}) == expected
