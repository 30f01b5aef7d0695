"""On the emulated Cortex-M0 (a Pico's RAM), a model too big for the heap runs in place from
flash, as a model frozen into a Pico's firmware does: only its arena takes RAM.

The board's flash has a slot for one model (boards/qemu-m0/nrf51_2m.ld); the host writes a model
there (tinyml.emulator.write_model_slot), and the script passes
``uctypes.bytearray_at(address, size)`` to ``tinyml.Model``, which reads it in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from device_runner import DEVICE_SCRIPTS, expected_output, run_on_device
from tinyml.device import Device
from tinyml.emulator import write_model_slot
from tinyml.paths import Paths


@pytest.fixture(scope="module")
def m0(emulator_m0, _devices: dict[str, Device], paths: Paths) -> Iterator[Device]:
    target = "emulator:qemu-m0"
    if target not in _devices:
        _devices[target] = Device(target, paths=paths)
    yield _devices[target]


def test_person_detect_runs_in_place_from_flash(m0: Device, models: Path) -> None:
    """tests/device/model_person_detect.py with its 300 KB model in flash instead of a file:
    TFLM's outputs and the CPython face's, on the Cortex-M0 with a Pico's heap."""
    model = models / "tflite-micro" / "person_detect.tflite"
    addr, size = write_model_slot(m0, model)
    assert size == model.stat().st_size
    script = DEVICE_SCRIPTS / "model_person_detect.py"
    text = re.sub(
        r"^# tinyml-file: person_detect.tflite = .*\n", "", script.read_text(), flags=re.MULTILINE
    )
    in_flash = f"uctypes.bytearray_at({addr}, {size})"
    text = text.replace('tinyml.Model("person_detect.tflite",', f"tinyml.Model({in_flash},")
    text = "import uctypes\n" + text
    assert in_flash in text
    assert run_on_device(m0, text, timeout=600) == expected_output(script)


def test_model_in_flash_takes_only_its_arena(m0: Device, models: Path) -> None:
    """Loading the model from flash allocates its arena and a little more, never its 300 KB."""
    model = models / "tflite-micro" / "person_detect.tflite"
    addr, size = write_model_slot(m0, model)
    out = m0.exec(
        "import gc, tinyml, uctypes\n"
        "gc.collect()\n"
        "before = gc.mem_alloc()\n"
        f"m = tinyml.Model(uctypes.bytearray_at({addr}, {size}))\n"
        "gc.collect()\n"
        "print(gc.mem_alloc() - before, m.arena_size)\n"
    )
    used, arena = (int(v) for v in out.split())
    assert arena <= used < arena + 8192 < size, (used, arena, size)
