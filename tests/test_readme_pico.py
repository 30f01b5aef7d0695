"""README.md's "On a Raspberry Pi Pico" commands, run as written, with two stand-ins: the
emulated Cortex-M0 (a Pico's instruction set and RAM) for the board on /dev/ttyACM0, and a
directory holding INFO_UF2.TXT for the mounted RPI-RP2 drive."""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tinyml import cli, flash
from tinyml.device_setup import build_if_missing
from tinyml.emulator import Emulator, EmulatorState

ROOT = Path(__file__).resolve().parents[1]


def pico_commands() -> list[list[str]]:
    """The argv of each line of the section's shell block."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## On a Raspberry Pi Pico", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [shlex.split(line) for line in block.splitlines() if line.strip()]


def test_readme_lists_the_pico_path() -> None:
    """The block builds, flashes, pushes a model, runs a script and opens the REPL."""
    steps = [argv[1] for argv in pico_commands()]
    assert steps == ["firmware", "flash", "push", "exec", "repl"]
    assert all(argv[0] == ".venv/bin/tinyml" for argv in pico_commands())


def _repl(argv: list[str], timeout: float = 30.0) -> str:
    """Runs the REPL command on a pseudo-terminal, types one line, leaves with Ctrl-]."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT)
    os.close(slave)
    seen = b""
    ready_mark = b"to exit this shell"  # mpremote's banner once it is connected
    try:
        deadline = time.monotonic() + timeout
        typed = False
        while time.monotonic() < deadline and b"\n42" not in seen.split(ready_mark)[-1]:
            if not typed and ready_mark in seen:
                os.write(master, b"\r")
                time.sleep(0.5)
                os.write(master, b"print(6 * 7)\r")
                typed = True
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        os.write(master, b"\x1d")
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return seen.decode(errors="replace")


@pytest.fixture
def own_m0(tmp_path: Path) -> Iterator[EmulatorState]:
    """An emulated Cortex-M0 of this test's own: its serial port is free for the commands,
    whatever the session's connections to the shared one hold."""
    emu = Emulator("qemu-m0", state_dir=tmp_path / "emulator")
    build_if_missing("qemu-m0", emu.paths)
    state, _ = emu.start(die_with_parent=True)
    try:
        yield state
    finally:
        emu.stop()


def test_pico_commands_run_as_written(own_m0, tmp_path: Path, monkeypatch, capsys) -> None:
    """Each command exits 0: the UF2 lands on the drive byte for byte, the gesture example
    recognises its 8 gestures on the Cortex-M0, and the REPL answers."""
    emulator_m0 = own_m0
    drive = tmp_path / "RPI-RP2"
    drive.mkdir()
    (drive / "INFO_UF2.TXT").write_text("UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\n")
    monkeypatch.setattr(flash, "_mounts", lambda: iter([drive]))
    monkeypatch.chdir(ROOT)
    for argv in pico_commands():
        args = [emulator_m0.pty if a == "/dev/ttyACM0" else a for a in argv[1:]]
        if args[0] == "repl":
            out = _repl([str(Path(sys.executable).parent / "tinyml"), *args])
            assert "\n42" in out.split("to exit this shell")[-1].replace("\r", ""), out
            continue
        assert cli.main(args) == 0, args
        out = capsys.readouterr().out
        if args[0] == "flash":
            uf2 = ROOT / "build" / "firmware" / "rp2040" / "firmware.uf2"
            assert (drive / "firmware.uf2").read_bytes() == uf2.read_bytes()
        if args[0] == "exec":
            assert "CORRECT 8 of 8" in out, out
