"""`tinyml inspect --board B` reports the arena B's firmware allocates, byte for byte: the engine
plans it for B's pointer size and kernel set, not for the 64-bit host that runs inspect."""

from __future__ import annotations

import json

from device_runner import models_dir, run_on_device
from tinyml import _tinyml, cli
from tinyml.device import Device

# Device target -> the board whose firmware it runs (None: this host, plain `tinyml inspect`;
# the unix board has no budgets for --board to judge).
BOARDS = {"unix": None, "emulator": "qemu-m7", "emulator-m4": "qemu-m4", "emulator-m0": "qemu-m0"}

# Real models covering every op whose data holds pointers (CONV_2D, DEPTHWISE_CONV_2D,
# FULLY_CONNECTED, the Signal FFT and filter bank), with the kernel scratch of both sets.
SMALL = [
    "tflite-micro/hello_world_int8.tflite",
    "tflite-micro/micro_speech_quantized.tflite",
    "tflite-micro/audio_preprocessor_int8.tflite",
    "tflite-micro/trained_lstm_int8.tflite",
    "mlcommons-tiny/kws_ref_model.tflite",
    "mlcommons-tiny/pretrainedResnet_quant.tflite",
]
# Too big for the Cortex-M0's heap once read from a file.
LARGE = [
    "tflite-micro/person_detect.tflite",
    "mlcommons-tiny/vww_96_int8.tflite",
    "mlcommons-tiny/ad01_int8.tflite",
]

SCRIPT = """\
import gc
import tinyml
for name in {names!r}:
    gc.collect()
    m = tinyml.Model(name)
    print(name, m.arena_size)
    del m
"""


def _inspect_arena(path, board: str | None, capsys) -> int:
    args = ["inspect", str(path), "--json"] + (["--board", board] if board else [])
    assert cli.main(args) in (0, 1)
    return json.loads(capsys.readouterr().out)["arena_bytes"]


def test_inspect_arena_equals_the_boards(device: Device, request, capsys) -> None:
    """Every model: the arena the device's Model allocates is what inspect --board says."""
    board = BOARDS[request.node.callspec.params["device"]]
    models = SMALL + (LARGE if board != "qemu-m0" else [])
    paths = {f"a{i}.tflite": models_dir() / m for i, m in enumerate(models)}
    out = run_on_device(device, SCRIPT.format(names=sorted(paths)), paths, timeout=600)
    measured = dict(line.split() for line in out.splitlines() if line.strip())
    assert sorted(measured) == sorted(paths)
    host_differs = 0
    for remote, path in paths.items():
        expected = _inspect_arena(path, board, capsys)
        assert int(measured[remote]) == expected, f"{path.name} on {board}"
        host_differs += expected != _tinyml.Model(path.read_bytes()).arena_size
    # The host's own plan is not the board's (pointers are 8 bytes here): on the 32-bit
    # boards inspect must not have given it.
    assert (host_differs == 0) == (board is None)
