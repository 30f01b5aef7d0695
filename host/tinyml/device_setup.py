"""The steps before connecting to a device: build its firmware, boot the emulated board.

``tinyml exec``, ``push``, ``repl``, ``run --device``, ``emulator start`` and ``demo`` call
``prepare`` before they connect, so that a fresh checkout works with one command and each long
step says what it does on a line of its own. The device layer (device.py, repl.py) does neither:
it connects to what is there, or names the command that provides what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import firmware
from .device import parse_target
from .emulator import Emulator, EmulatorState
from .paths import Paths

Step = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


def build_if_missing(
    board: str, paths: Paths, step: Step = _quiet, progress: Step | None = None
) -> Path:
    """The firmware of ``board``, built first when there is none (a checkout's first run).

    ``step`` hears that the build starts, ``progress`` the build's own lines as it goes
    (default: ``step``). Firmware that exists is used as it is: ``tinyml firmware build``
    rebuilds it after a change.
    """
    path = firmware.firmware_path(board, paths)
    if path.exists():
        return path
    what = "stock MicroPython" if firmware.board(board, paths).stock else "the tinyml module"
    step(f"building {board} firmware with {what} (first run only)")
    return firmware.build(board, paths, progress=progress or step)


def boot(
    emulator: Emulator, step: Step = _quiet, *, die_with_parent: bool = False
) -> tuple[EmulatorState, bool]:
    """``emulator.start()``, announced when it boots: (state, booted now)."""
    running = emulator.status()
    if running is None:
        step(f"booting the emulated board ({emulator.board})")
    elif emulator.rebuilt_since_boot(running):
        step(f"booting the emulated board ({emulator.board}) again: its firmware was rebuilt")
    return emulator.start(die_with_parent=die_with_parent)


def prepare(
    target: str,
    paths: Paths | None = None,
    step: Step = _quiet,
    *,
    progress: Step | None = None,
    die_with_parent: bool = False,
) -> tuple[Emulator | None, bool]:
    """Make ``target`` (a ``--device`` value) ready for ``Device(target)``: build its firmware
    when missing and, for an emulated board, boot it unless it runs. Returns the board's
    ``Emulator`` (None for other targets) and whether this call booted it. A serial port needs
    nothing here: connecting finds out whether a board answers."""
    paths = paths or Paths.default()
    kind = parse_target(target)
    if kind.kind == "serial":
        return None, False
    if kind.kind == "emulator":
        emulator = Emulator(kind.board, paths)  # an unknown board fails here, before a build
        build_if_missing(emulator.board, paths, step, progress)
        running = emulator.status()
        if running is not None and not emulator.rebuilt_since_boot(running):
            step(f"using the emulated board already running ({emulator.board}, pid {running.pid})")
            return emulator, False
        _, started = boot(emulator, step, die_with_parent=die_with_parent)
        return emulator, started
    build_if_missing(kind.board, paths, step, progress)
    return None, False
