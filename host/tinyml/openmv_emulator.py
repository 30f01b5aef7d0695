"""OpenMV's own firmware on its emulated board: boot it with a ROMFS image, run a script.

The firmware (``openmv_mps2_an500.elf``, QEMU ``mps2-an500``, Cortex-M7) lives beside the
project in ``../shared/openmv-qemu`` (``TINYML_OPENMV_QEMU`` overrides); it is OpenMV's build,
not ours, and has no writable filesystem: files come from a ROMFS image that QEMU loads at
``ROMFS_ADDR`` and the firmware mounts at ``/rom``. Scripts run through the raw REPL on the
board's UART (QEMU's stdio). With ``icount`` QEMU runs one instruction per virtual
nanosecond, so ``time.ticks_us()`` deltas times 1000 are instruction counts.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path

from .errors import DeviceError, ToolchainError
from .paths import Paths

ROMFS_ADDR = 0x60C00000
FIRMWARE_NAME = "openmv_mps2_an500.elf"


def firmware_path(paths: Paths | None = None) -> Path:
    """OpenMV's firmware ELF; ToolchainError naming where it was looked for."""
    env = os.environ.get("TINYML_OPENMV_QEMU")
    folder = Path(env) if env else (paths or Paths.default()).root.parent / "shared/openmv-qemu"
    elf = folder / FIRMWARE_NAME
    if not elf.is_file():
        raise ToolchainError(
            f"OpenMV firmware not found: {elf} (set TINYML_OPENMV_QEMU to its folder)"
        )
    return elf


def qemu_command(image: Path, firmware: Path, icount: bool = True) -> list[str]:
    """The QEMU command line of OpenMV's README, with the ROMFS ``image``."""
    cmd = [
        "qemu-system-arm", "-machine", "mps2-an500", "-nographic", "-monitor", "null",
        "-semihosting", "-serial", "stdio",
        "-device", f"loader,file={image},addr={ROMFS_ADDR:#x},force-raw=on",
        "-kernel", str(firmware),
    ]  # fmt: skip
    return cmd + (["-icount", "shift=0"] if icount else [])


class Board:
    """One boot of the emulated OpenMV board with a ROMFS image; use as a context manager."""

    def __init__(self, image: str | Path, firmware: Path | None = None, icount: bool = True):
        self.cmd = qemu_command(Path(image), firmware or firmware_path(), icount)
        self.proc: subprocess.Popen | None = None
        self._buf = b""

    def __enter__(self) -> Board:
        try:
            self.proc = subprocess.Popen(
                self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except FileNotFoundError:
            raise ToolchainError("qemu-system-arm not found (run the set-up)") from None
        self._send(b"\r\x03\x03\x01")  # interrupt anything, enter the raw REPL
        self._read_until(b"raw REPL; CTRL-B to exit\r\n>", 30)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                f.close()
            self.proc = None

    def _send(self, data: bytes) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def _read_until(self, token: bytes, timeout: float) -> bytes:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while token not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DeviceError(
                    f"OpenMV board: no answer in {timeout:.0f} s: {self._buf[-300:]!r}"
                )
            ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    err = (
                        self.proc.stderr.read().decode(errors="replace")
                        if self.proc.stderr
                        else ""
                    )
                    raise DeviceError(f"OpenMV board: QEMU exited: {err.strip()}")
                self._buf += chunk
        head, _, self._buf = self._buf.partition(token)
        return head

    def exec(self, script: str, timeout: float = 300.0) -> str:
        """Runs ``script``; returns what it printed, DeviceError with the board's traceback."""
        self._send(script.encode() + b"\x04")
        self._read_until(b"OK", 10)
        out = self._read_until(b"\x04", timeout)
        err = self._read_until(b"\x04>", 10)
        text = out.decode(errors="replace").replace("\r\n", "\n")
        if err:
            raise DeviceError(
                "OpenMV board: " + err.decode(errors="replace").strip() + "\n" + text
            )
        return text

    def lines(self, script: str, count: int, timeout: float = 300.0) -> list[str]:
        """Starts ``script`` (one that never ends, like a camera loop) and returns its first
        ``count`` lines of output; the board is then unusable (leave the ``with``)."""
        self._send(script.encode() + b"\x04")
        self._read_until(b"OK", 10)
        got: list[str] = []
        while len(got) < count:
            line = self._read_until(b"\r\n", timeout).decode(errors="replace")
            if "Traceback" in line or "\x04" in line:
                rest = self._buf.decode(errors="replace")
                raise DeviceError(f"OpenMV board: script stopped: {line}{rest}")
            got.append(line)
        return got


def run(image: str | Path, script: str, timeout: float = 300.0, icount: bool = True) -> str:
    """Boots the board with ``image``, runs ``script``, returns its output."""
    with Board(image, icount=icount) as board:
        return board.exec(script, timeout)
