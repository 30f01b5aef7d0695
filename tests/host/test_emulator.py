"""tinyml emulator start/stop/status: one QEMU per board, no orphans, REPL answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tinyml import emulator as emulator_mod
from tinyml.device_setup import build_if_missing
from tinyml.emulator import Emulator


@pytest.fixture
def emu(tmp_path: Path) -> Emulator:
    """An emulator with its own state directory, so it never touches the session's."""
    e = Emulator(state_dir=tmp_path)
    build_if_missing(e.board, e.paths)  # the CLI's step before a boot; start never builds
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
    build_if_missing("qemu-m7", emu.paths)
    state, _ = emu.start(die_with_parent=True)
    try:
        assert cli.main(["emulator", "status"]) == 0
        assert capsys.readouterr().out == f"{state.pty}\nqemu-m7 running (pid {state.pid})\n"
    finally:
        emu.stop()


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("board", ["qemu-m7", "qemu-m0"])
def test_idle_board_costs_no_cpu(board: str, tmp_path: Path) -> None:
    """An idle board sleeps in WFI until the UART receives (boards/qemu_common/board.c): over
    5 s its QEMU uses under 3% of a core (the polling loop it replaced took all it could get:
    a whole core on an idle host, 15% at load average 21), and it
    still answers at once when spoken to."""
    import time

    from tinyml.device import Device

    emu = Emulator(board, state_dir=tmp_path)
    build_if_missing(board, emu.paths)
    state, _ = emu.start(die_with_parent=True)
    try:
        time.sleep(1.0)  # let the boot's own work finish
        before, t0 = _cpu_seconds(state.pid), time.monotonic()
        time.sleep(5.0)
        share = (_cpu_seconds(state.pid) - before) / (time.monotonic() - t0)
        assert share < 0.03, f"idle {board} used {share:.0%} of a core"
        with Device(state.pty) as dev:
            assert dev.exec("print(6 * 7)", timeout=30).strip() == "42"
    finally:
        emu.stop()
