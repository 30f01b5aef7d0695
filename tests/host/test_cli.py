"""tinyml exec and firmware through cli.main: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from tinyml import cli

SCRIPT_OK = "import sys\nprint(sys.implementation.name)\nprint(1.5 + 2.25)\n"
SCRIPT_RAISES = "print('before')\nraise ValueError('op 12 CONV_2D: bad')\n"


@pytest.fixture(params=["unix", "emulator"])
def target(request: pytest.FixtureRequest, _devices) -> str:
    if request.param == "emulator":
        request.getfixturevalue("emulator")
        if "emulator" in _devices:  # the CLI opens its own connection: free the serial port
            _devices.pop("emulator").close()
    return request.param


def test_exec_prints_output_and_exits_0(tmp_path: Path, target: str, capsys) -> None:
    """exec streams the script's output and returns 0 when it finishes."""
    script = tmp_path / "ok.py"
    script.write_text(SCRIPT_OK)
    assert cli.main(["exec", str(script), "--device", target]) == 0
    assert capsys.readouterr().out == "micropython\n3.75\n"


def test_exec_raising_script_exits_1(tmp_path: Path, target: str, capsys) -> None:
    """A script that raises gives exit code 1 and the board's error, without a host traceback."""
    script = tmp_path / "bad.py"
    script.write_text(SCRIPT_RAISES)
    assert cli.main(["exec", str(script), "--device", target]) == 1
    out, err = capsys.readouterr()
    assert out == "before\n"
    assert err.endswith("tinyml: error: board: ValueError: op 12 CONV_2D: bad\n")
    assert "Traceback (most recent call last)" in err  # the device's, shown for the user
    assert "tinyml/cli.py" not in err


def test_exec_missing_port_exits_2_quickly(tmp_path: Path, capsys) -> None:
    """A serial port that does not exist is an error (exit 2), not a hang."""
    script = tmp_path / "ok.py"
    script.write_text(SCRIPT_OK)
    assert cli.main(["exec", str(script), "--device", "/dev/ttyNOPE0"]) == 2
    assert "tinyml: error: /dev/ttyNOPE0: no such serial port" in capsys.readouterr().err


@pytest.mark.parametrize("board, variable", [("esp32s3", "IDF_PATH")])
def test_firmware_without_sdk_names_what_is_missing(
    board: str, variable: str, monkeypatch, capsys
) -> None:
    """Boards whose SDK is absent fail with exit 2 and name the variable to set."""
    monkeypatch.delenv(variable, raising=False)
    assert cli.main(["firmware", "build", "--board", board]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tinyml: error: cannot build {board}: set {variable}")
    assert "Traceback" not in err


def test_rp2040_without_the_setup_sdk_says_run_setup(tmp_path, monkeypatch, capsys) -> None:
    """Without the Pico SDK the set-up unpacks (and no PICO_SDK_PATH), the RP2040 build stops
    with exit 2, naming the missing piece and `make setup`."""
    from tinyml import rp2040

    monkeypatch.delenv("PICO_SDK_PATH", raising=False)
    monkeypatch.setattr(rp2040, "sdk_dir", lambda paths: tmp_path / "no-sdk")
    assert cli.main(["firmware", "build", "--board", "rp2040"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tinyml: error: cannot build rp2040: no pico-sdk at {tmp_path}")
    assert "run `make setup`" in err and "Traceback" not in err


def test_debug_reraises(monkeypatch) -> None:
    """--debug shows the traceback instead of the one-line message."""
    from tinyml.errors import ToolchainError

    monkeypatch.delenv("IDF_PATH", raising=False)
    with pytest.raises(ToolchainError):
        cli.main(["--debug", "firmware", "build", "--board", "esp32s3"])


def test_version(capsys) -> None:
    """--version prints the package version."""
    import tinyml

    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out == f"tinyml {tinyml.__version__}\n"


def test_closed_pipe_is_quiet(models: Path, monkeypatch) -> None:
    """Output into a closed pipe (`tinyml inspect ... | head -1`) ends the command with
    status 141 instead of a BrokenPipeError traceback."""

    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise OSError("no file descriptor")

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert cli.main(["inspect", str(models / "tflite-micro" / "person_detect.tflite")]) == 141
