"""tinyml run --device: the user's samples run on the board, each output compared with the host
engine's, on every target (unix port, emulated Cortex-M7 and M0)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from device_runner import skip_unless_fits
from tinyml import cli, run_device


def _free(device, _devices) -> str:
    if device.exec("import tinyml\nprint(hasattr(tinyml, 'Model'))").strip() != "True":
        pytest.skip("firmware built without tinyml.Model; rebuild it")
    # The CLI opens its own connection: free the serial port the fixture holds.
    _devices.pop(device.target).close()
    return device.target


def test_run_float_samples_on_the_board(device, _devices, models, tmp_path, capsys) -> None:
    """40 float inputs, quantized on the host, give the same int8 outputs on the board."""
    target = _free(device, _devices)
    model = models / "tflite-micro" / "hello_world_int8.tflite"
    x = np.linspace(0, 2 * np.pi, 40, dtype=np.float32).reshape(40, 1)
    np.save(tmp_path / "x.npy", x)
    assert cli.main(["run", str(model), "--input", str(tmp_path / "x.npy"), "--device",
                     target]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert f"{target}: 40/40 samples bit-exact with the host engine" in out, out
    assert "[39] board: same as host" not in out  # only the first 20 are listed
    assert "[19] board: same as host" in out and " us on the board)" in out


def test_run_streams_chunks_and_reports_a_difference(
    device, _devices, models, tmp_path: Path, capsys, monkeypatch
) -> None:
    """Samples travel in chunks (here 3 of 640 bytes each); a byte changed on the way back
    from the board is reported as that sample's difference, exit status 1."""
    model = models / "mlcommons-tiny" / "ad01_int8.tflite"
    skip_unless_fits(device, [model], "ad01")
    target = _free(device, _devices)
    rng = np.random.default_rng(3)
    np.save(tmp_path / "x.npy", rng.integers(-128, 128, size=(7, 640), dtype=np.int8))
    monkeypatch.setattr(run_device, "CHUNK_BYTES", 2048)
    calls = []
    real_exec = run_device.push.push_file

    def counting_push(dev, local, remote):
        calls.append(remote)
        return real_exec(dev, local, remote)

    monkeypatch.setattr(run_device.push, "push_file", counting_push)
    args = ["run", str(model), "--input", str(tmp_path / "x.npy"), "--device", target]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert f"{target}: 7/7 samples bit-exact" in out, out
    assert calls.count(run_device.CHUNK_REMOTE) == 3  # 3 + 3 + 1 samples

    real_run = run_device.run_on_device

    def one_byte_off(*a, **k):
        got = real_run(*a, **k)
        got[5].raw = bytes([got[5].raw[0] ^ 1]) + got[5].raw[1:]
        return got

    monkeypatch.setattr(run_device, "run_on_device", one_byte_off)
    assert cli.main(args) == 1
    captured = capsys.readouterr()
    assert "[5] board: DIFFERS in 1 of 640 values (max |diff| 1)" in captured.out
    assert "1 of 7 samples differ" in captured.err
