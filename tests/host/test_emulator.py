"""tinyml emulator start/stop/status: one QEMU per board, no orphans, REPL answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tinyml import emulator as emulator_mod
from tinyml.emulator import Emulator


@pytest.fixture
def emu(tmp_path: Path) -> Emulator:
    """An emulator with its own state directory, so it never touches the session's."""
    e = Emulator(state_dir=tmp_path)
    yield e
    e.stop()


def test_start_status_stop(emu: Emulator) -> None:
    """start boots QEMU and reports the pty; a second start is a no-op; stop kills it."""
    assert emu.status() is None
    state, started = emu.start(die_with_parent=True)
    assert started and Path(state.pty).exists()
    assert emu.status() == state
    again, started_again = emu.start(die_with_parent=True)
    assert again == state and not started_again
    assert emu.stop() is True
    assert emu.status() is None
    assert not emulator_mod._alive(state.pid)
    assert emu.stop() is False


def test_stale_state_is_dropped(emu: Emulator, tmp_path: Path) -> None:
    """A state file whose QEMU has gone (e.g. killed) reads as not running."""
    state, _ = emu.start(die_with_parent=True)
    os.kill(state.pid, 9)
    while emulator_mod._alive(state.pid):
        emulator_mod._reap(state.pid)
    assert emu.status() is None
    assert not emu.state_file.exists()


def test_cli_status(tmp_path: Path, monkeypatch, capsys) -> None:
    """`tinyml emulator status` lists every running board, or exits 1 saying none runs;
    with --board it asks about that board only."""
    from tinyml import cli

    monkeypatch.setenv("TINYML_EMULATOR_DIR", str(tmp_path))
    assert cli.main(["emulator", "status"]) == 1
    assert capsys.readouterr().out == "no emulated board running\n"
    assert cli.main(["emulator", "status", "--board", "qemu-m4"]) == 1
    assert capsys.readouterr().out == "qemu-m4 not running\n"
    emu = Emulator("qemu-m7")
    state, _ = emu.start(die_with_parent=True)
    try:
        assert cli.main(["emulator", "status"]) == 0
        assert capsys.readouterr().out == f"{state.pty}\nqemu-m7 running (pid {state.pid})\n"
    finally:
        emu.stop()
