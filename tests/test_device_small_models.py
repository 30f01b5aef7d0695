"""Small int8 models of the kinds a Pico runs (an MLP, a CNN, a depthwise-separable CNN, both
keyword-spotting models) give the host engine's outputs bit for bit on every device, the
emulated Cortex-M0 included: its RAM (a Pico's) holds each model and its arena."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from device_runner import models_dir, run_on_cpython, run_on_device
from tinyml.device import Device

sys.path.insert(0, str(Path(__file__).parent / "engine"))

# keras_gen specs (tests/engine/keras_gen.py): built with seeded weights and converted to full
# int8 by TensorFlow once, then cached under build/testmodels/.
SPECS = {
    "mlp": {
        "family": "dense", "seed": 9001, "batch": 1, "inputs": [[32]],
        "body": [["dense", {"units": 64, "act": "relu"}], ["dense", {"units": 32, "act": "relu"}]],
        "heads": [[["dense", {"units": 8, "act": None}], ["act", "softmax"]]],
    },
    "cnn": {
        "family": "conv2d", "seed": 9002, "batch": 1, "inputs": [[24, 24, 1]],
        "body": [
            ["conv2d", {"f": 8, "k": 3, "s": 1, "pad": "same", "dil": 1, "act": "relu"}],
            ["maxpool", {"p": 2, "s": 2, "pad": "valid"}],
            ["conv2d", {"f": 16, "k": 3, "s": 1, "pad": "same", "dil": 1, "act": "relu"}],
            ["maxpool", {"p": 2, "s": 2, "pad": "valid"}],
        ],
        "heads": [[["flatten", {}], ["dense", {"units": 4, "act": None}], ["act", "softmax"]]],
    },
    "depthwise": {
        "family": "conv2d", "seed": 9003, "batch": 1, "inputs": [[20, 20, 3]],
        "body": [
            ["conv2d", {"f": 8, "k": 3, "s": 2, "pad": "same", "dil": 1, "act": "relu6"}],
            ["dwconv2d", {"k": 3, "s": 1, "pad": "same", "mult": 1, "act": "relu6"}],
            ["conv2d", {"f": 16, "k": 1, "s": 1, "pad": "same", "dil": 1, "act": "relu6"}],
            ["dwconv2d", {"k": 3, "s": 2, "pad": "same", "mult": 2, "act": "relu6"}],
            ["conv2d", {"f": 16, "k": 1, "s": 1, "pad": "same", "dil": 1, "act": "relu6"}],
        ],
        "heads": [[["gap", {}], ["dense", {"units": 3, "act": None}], ["act", "softmax"]]],
    },
}  # fmt: skip
# Reference models that fit a Pico's RAM from a file (paths under the shared models).
SHARED = {
    "kws_dscnn": "mlcommons-tiny/kws_ref_model.tflite",
    "micro_speech": "tflite-micro/micro_speech_quantized.tflite",
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
print(m.input_shape, m.output_shape, m.ops)
for seed in (1, 77, 200):
    x = bytes((i * seed + (i >> 3) + seed) & 0xFF for i in range(n))
    y = m.predict(x)
    print(seed, binascii.hexlify(bytes(m.output())).decode(), f"{binascii.crc32(bytes(y)):08x}")
"""


@pytest.fixture(scope="module")
def small_model(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    name = request.param
    if name in SHARED:
        path = models_dir() / SHARED[name]
        if not path.exists():
            pytest.skip(f"shared model {path} not found")
        return path
    import keras_gen

    path = tmp_path_factory.mktemp("small") / f"{name}.tflite"
    path.write_bytes(keras_gen.model_bytes(SPECS[name], "int8"))
    return path


@pytest.fixture(scope="module")
def _host_output() -> dict[Path, str]:
    return {}


@pytest.mark.parametrize("small_model", [*SPECS, *SHARED], indirect=True)
def test_small_model_equals_host(
    device: Device, small_model: Path, _host_output: dict[Path, str]
) -> None:
    """Raw int8 outputs (and the dequantized floats' CRC) on three input patterns equal the
    CPython face's, which is bit-exact with TFLite Micro."""
    files = {"m.tflite": small_model}
    if small_model not in _host_output:
        _host_output[small_model] = run_on_cpython(SCRIPT, files)
    assert run_on_device(device, SCRIPT, files) == _host_output[small_model]
