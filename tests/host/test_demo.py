"""tinyml demo on the emulated board and the unix port: predictions with labels and timing."""

from __future__ import annotations

import pytest
from device_runner import skip_unless_fits
from tinyml import cli


def _has_model(device) -> bool:
    return device.exec("import tinyml\nprint(hasattr(tinyml, 'Model'))").strip() == "True"


def test_demo_person_detect(device, _devices, models, capsys) -> None:
    """The default demo classifies both photos correctly on the board, as the host engine does."""
    if not _has_model(device):
        pytest.skip("firmware built without tinyml.Model; rebuild it")
    skip_unless_fits(device, [models / "tflite-micro" / "person_detect.tflite"], "person_detect")
    # The CLI opens its own connection: free the serial port the fixture holds.
    _devices.pop(device.target).close()
    assert cli.main(["demo", "--device", device.target]) == 0
    out = capsys.readouterr().out
    assert "person_detect on " in out
    assert "person       -> person     person 0.941  no_person 0.059" in out
    assert "no_person    -> no_person  no_person 0.723  person 0.277" in out
    assert "host engine: same scores as the board" in out
    assert " ms" in out


def test_demo_unknown_name(capsys) -> None:
    """An unknown demo name is refused by argparse with the choices."""
    with pytest.raises(SystemExit) as e:
        cli.main(["demo", "nope"])
    assert e.value.code == 2
    assert "person_detect" in capsys.readouterr().err


def test_demo_missing_models(tmp_path, monkeypatch, capsys) -> None:
    """Without the sample models the demo says where it looked, exit 2."""
    monkeypatch.setenv("TINYML_MODELS", str(tmp_path / "none"))
    assert cli.main(["demo", "--device", "unix"]) == 2
    assert "TINYML_MODELS" in capsys.readouterr().err


def test_make_demo_as_written(paths, tmp_path) -> None:
    """`make demo`, the README's first command: the set-up finds everything done, the demo
    runs on an emulated board of its own, and leaves it running as the README says; the next
    demo uses that board instead of announcing a boot."""
    import os
    import subprocess

    from tinyml.emulator import Emulator

    env = {**os.environ, "TINYML_EMULATOR_DIR": str(tmp_path)}
    try:
        run = subprocess.run(["make", "demo"], cwd=paths.root, env=env, capture_output=True,
                             text=True, timeout=1800, check=False)  # fmt: skip
        out = run.stdout + run.stderr
        assert run.returncode == 0 and "Traceback" not in out, out[-3000:]
        assert "person       -> person     person 0.941  no_person 0.059" in out
        assert "booting the emulated board (qemu-m7)" in out
        running = Emulator("qemu-m7", state_dir=tmp_path).status()
        assert running is not None
        # Again, on the board left running, under the demo's old name: no second boot.
        again = subprocess.run([str(paths.root / ".venv" / "bin" / "tinyml"), "demo", "kws"],
                               cwd=paths.root, env=env, capture_output=True, text=True,
                               timeout=1800, check=False)  # fmt: skip
        out = again.stdout + again.stderr
        assert again.returncode == 0 and "Traceback" not in out, out[-3000:]
        assert f"using the emulated board already running (qemu-m7, pid {running.pid})" in out
        assert "booting" not in out and "note: the demo `kws` is now `keyword_spotting`" in out
    finally:
        Emulator("qemu-m7", state_dir=tmp_path).stop()
