"""flash and repl without hardware: every failure is quick, clear and exits non-zero."""

from __future__ import annotations

import os
import pty
import sys
import time
from pathlib import Path

import pytest
from tinyml import cli, flash, repl
from tinyml.errors import DeviceError


@pytest.fixture
def esp_image(tmp_path: Path) -> Path:
    img = tmp_path / "firmware.bin"
    img.write_bytes(bytes([0xE9]) + bytes(4095))
    return img


@pytest.fixture
def uf2(tmp_path: Path) -> Path:
    img = tmp_path / "firmware.uf2"
    img.write_bytes(b"UF2\n" + bytes(508))
    return img


def test_esp32s3_missing_port_fails_fast(esp_image: Path, capsys) -> None:
    """A port that does not exist: exit 2 within a second, one line, no traceback."""
    t0 = time.monotonic()
    rc = cli.main(["flash", str(esp_image), "--board", "esp32s3", "--port", "/dev/ttyNOPE0"])
    assert rc == 2 and time.monotonic() - t0 < 1
    err = capsys.readouterr().err
    assert (
        err.strip().splitlines()[-1]
        == "tinyml: error: /dev/ttyNOPE0: no such serial port (is the board plugged in?)"
    )


def test_esp32s3_silent_port_gives_up(esp_image: Path, capsys) -> None:
    """A port where no chip answers (a bare pty): esptool gives up in seconds, never hangs."""
    master, slave = pty.openpty()
    try:
        t0 = time.monotonic()
        rc = cli.main(["flash", str(esp_image), "--board", "esp32s3", "--port", os.ttyname(slave)])
        assert rc == 2 and time.monotonic() - t0 < 30
    finally:
        os.close(master)
        os.close(slave)
    assert "esptool: Failed to connect" in capsys.readouterr().err


def test_esp32s3_needs_port_and_image(tmp_path: Path, capsys) -> None:
    """No --port, or a file that is not an ESP32 image: clear errors."""
    assert cli.main(["flash", "--board", "esp32s3"]) == 2
    assert "needs --port" in capsys.readouterr().err
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\0" * 16)
    assert cli.main(["flash", str(bad), "--board", "esp32s3", "--port", "/dev/null"]) == 2
    assert "not an ESP32 firmware image" in capsys.readouterr().err


def test_default_firmware_missing_names_build_command(tmp_path: Path, monkeypatch, capsys):
    """Without FIRMWARE, a build or a reachable release, flash says how to build one."""
    monkeypatch.setenv("TINYML_ROOT", str(tmp_path))
    monkeypatch.setenv("TINYML_RELEASE_URL", "http://127.0.0.1:1/releases")  # nothing listens
    monkeypatch.setenv("TINYML_CACHE", str(tmp_path / "cache"))
    assert cli.main(["flash", "--board", "esp32s3", "--port", "/dev/null"]) == 2
    assert "tinyml firmware build --board esp32s3" in capsys.readouterr().err


def test_rp2040_without_drive_or_picotool(uf2: Path, monkeypatch, capsys) -> None:
    """No RPI-RP2 drive and no picotool: exit 2 with what to do."""
    monkeypatch.setattr(flash, "find_uf2_drive", lambda: None)
    monkeypatch.setattr(flash.shutil, "which", lambda _name: None)
    assert cli.main(["flash", str(uf2), "--board", "rp2040"]) == 2
    assert "hold BOOTSEL" in capsys.readouterr().err


def test_rp2040_copies_to_boot_drive(uf2: Path, tmp_path: Path, capsys) -> None:
    """With a mounted RPI-RP2 drive (INFO_UF2.TXT), the UF2 is copied onto it."""
    drive = tmp_path / "RPI-RP2"
    drive.mkdir()
    (drive / "INFO_UF2.TXT").write_text("UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\n")
    uf2.write_bytes(uf2.read_bytes() + bytes(200_000))  # a few copy chunks
    assert cli.main(["flash", str(uf2), "--board", "rp2040", "--port", str(drive)]) == 0
    assert (drive / "firmware.uf2").read_bytes() == uf2.read_bytes()
    captured = capsys.readouterr()
    assert "copied to the boot drive" in captured.out
    # the copy's progress, chunk by chunk, ending at the whole image
    assert captured.err.count("\rcopying firmware.uf2 [") == -(
        -uf2.stat().st_size // flash.COPY_CHUNK
    )
    assert captured.err.endswith("] 100%\n")


def test_unknown_board(esp_image: Path, capsys) -> None:
    """Boards flash cannot handle are named, with the supported ones."""
    assert cli.main(["flash", str(esp_image), "--board", "openmv-m7"]) == 2
    assert "supported boards are esp32s3, esp32s3-psram, rp2040" in capsys.readouterr().err


def test_repl_command_targets(paths) -> None:
    """repl runs mpremote on a serial port and the firmware itself for unix."""
    with pytest.raises(DeviceError, match="no such serial port"):
        repl.repl_command("/dev/ttyNOPE0")
    cmd = repl.repl_command("/dev/null")
    assert cmd == [sys.executable, "-m", "mpremote", "connect", "/dev/null", "repl"]
    unix = repl.repl_command("unix", paths)
    assert unix[0].endswith("micropython") and Path(unix[0]).exists()


def test_repl_cli_missing_port(capsys) -> None:
    """tinyml repl on a missing port: exit 2, one line."""
    assert cli.main(["repl", "--device", "/dev/ttyNOPE0"]) == 2
    assert capsys.readouterr().err.startswith("tinyml: error: /dev/ttyNOPE0")
