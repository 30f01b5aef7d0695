"""The CPython face keeps the error contract tests/device/errors_contract.exp pins (the
devices are held to the same file by tests/test_device_scripts.py)."""

from pathlib import Path

import pytest
from device_runner import run_on_cpython

pytest.importorskip("tinyml._tinyml")

SCRIPT = Path(__file__).resolve().parents[1] / "device" / "errors_contract.py"


def test_cpython_face_raises_what_the_contract_says() -> None:
    assert run_on_cpython(SCRIPT) == SCRIPT.with_suffix(".exp").read_text()
