"""The command that opens a device's interactive REPL (run by ``tinyml repl``).

Serial boards and the emulator go through ``mpremote connect PORT repl``; the unix target is the
unix-port firmware itself, run in the terminal. As with ``Device``, the firmware must be built
and the emulated board running (the CLI does both first); otherwise a DeviceError names the
command that does it.
"""

from __future__ import annotations

import os
import sys

from . import firmware
from .device import parse_target, running_emulator
from .errors import DeviceError
from .paths import Paths


def repl_command(device: str, paths: Paths | None = None) -> list[str]:
    """argv of a process that gives the user the REPL of ``device``."""
    paths = paths or Paths.default()
    target = parse_target(device)
    if target.kind == "unix":
        return [str(firmware.built(target.board, paths))]
    if target.kind == "emulator":
        port = running_emulator(target.board, paths)
    else:
        port = device
        if "://" not in port and not os.path.exists(port):
            raise DeviceError(f"{port}: no such serial port (is the board plugged in?)")
    return [sys.executable, "-m", "mpremote", "connect", port, "repl"]
