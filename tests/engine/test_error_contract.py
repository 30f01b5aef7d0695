"""The CPython face keeps the error contract tests/device/errors_contract.exp pins (the
devices are held to the same file by tests/test_device_scripts.py)."""

from pathlib import Path

import pytest
from device_runner import run_on_cpython

pytest.importorskip("tinyml._tinyml")

SCRIPT = Path(__file__).resolve().parents[1] / "device" / "errors_contract.py"


def test_cpython_face_raises_what_the_contract_says() -> None:
    assert run_on_cpython(SCRIPT) == SCRIPT.with_suffix(".exp").read_text()


def test_cli_exit_status_for_a_model_the_engine_refuses(tmp_path: Path, capsys) -> None:
    """docs/errors.md: a corrupt model and a model with an op the engine lacks are each one
    error line (ModelError, UnsupportedOpError) with exit status 2, no traceback."""
    import numpy as np
    from tinyml import cli
    from tinyml.paths import Paths

    good = (Paths.default().models / "tflite-micro" / "hello_world_int8.tflite").read_bytes()
    gather = bytearray(good)
    gather[2695] = gather[2700] = 36  # FULLY_CONNECTED -> GATHER, as errors_contract.py
    np.save(tmp_path / "x.npy", np.zeros((1, 1), np.float32))
    for name, data, message in (
        ("gather.tflite", bytes(gather), "unsupported op GATHER"),
        ("cut.tflite", good[:1000], "corrupt"),
    ):
        (tmp_path / name).write_bytes(data)
        argv = ["run", str(tmp_path / name), "--input", str(tmp_path / "x.npy")]
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"tinyml: error: {tmp_path / name}") and message in err, err
