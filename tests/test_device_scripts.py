"""Every script in tests/device/ prints on each device what CPython (or its .exp) prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from device_runner import (
    declared_files,
    device_scripts,
    expected_output,
    run_on_device,
    skip_if_heavy,
    skip_unless_fits,
)
from tinyml.device import Device


@pytest.fixture(scope="module")
def _expected() -> dict[Path, str]:
    return {}


@pytest.mark.parametrize("script", device_scripts(), ids=lambda p: p.stem)
def test_device_script(device: Device, script: Path, _expected: dict[Path, str]) -> None:
    """The device's output equals the expected output, with no traceback. A script whose
    models cannot sit in the board's RAM together (the Cortex-M0 has a Pico's heap) is skipped,
    naming both sizes."""
    skip_if_heavy(device, script)
    skip_unless_fits(device, list(declared_files(script).values()), script.name)
    out = run_on_device(device, script)
    if out.strip() == "SKIP":
        pytest.skip(f"{script.name}: device lacks a feature")
    if script not in _expected:
        _expected[script] = expected_output(script)
    assert out == _expected[script]
