"""Run an emulated board (MicroPython ports/qemu firmware) in the background under QEMU.

The board's UART is exposed as a pseudo-terminal (``-serial pty``), so a serial tool such as
mpremote talks to it as to a board on ``/dev/ttyACM0``. A JSON state file under
``build/emulator/`` (``TINYML_EMULATOR_DIR``) records the QEMU process; ``stop`` kills it and ``status`` drops stale state.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import serial

from . import boards, firmware
from .errors import DeviceError, TinymlError, ToolchainError
from .paths import Paths

DEFAULT_BOARD = "qemu-m7"
_PTY_RE = re.compile(r"char device redirected to (/dev/pts/\d+)")


@dataclass(frozen=True)
class EmulatorState:
    board: str
    pid: int
    pty: str
    firmware: str
    log: str
    started: float


def _alive(pid: int) -> bool:
    """True while ``pid`` is a running (not zombie) qemu-system process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state != "Z" and b"qemu-system-" in cmdline


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


class Emulator:
    """One emulated board; at most one QEMU per board and state directory."""

    def __init__(
        self,
        board: str = DEFAULT_BOARD,
        paths: Paths | None = None,
        state_dir: Path | None = None,
        *,
        icount: bool = False,
        firmware: Path | None = None,
    ) -> None:
        self.paths = paths or Paths.default()
        # The QEMU machine and its arguments come from the board's board.json ("emulator").
        try:
            spec = boards.get(board, self.paths)
        except TinymlError:
            spec = None
        if spec is None or spec.machine is None:
            choices = ", ".join(boards.names(self.paths, what="emulator"))
            raise DeviceError(f"unknown emulated board {board!r} (choose from {choices})")
        self.spec = spec
        board = spec.name
        self.board = board
        # -icount shift=0: one virtual nanosecond per executed instruction, so time.ticks_us()
        # deltas x 1000 count instructions, the same on every run (benchmarks/device_bench.py).
        self.icount = icount
        # Another build of the board's firmware (tinyml firmware build --ops-from) to boot.
        self.firmware = firmware
        self.state_dir = state_dir or self.paths.emulator_state
        self.state_file = self.state_dir / f"{board}.json"
        self.log_file = self.state_dir / f"{board}.log"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / f"{self.board}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def status(self) -> EmulatorState | None:
        """The running emulator, or None (a stale state file is removed)."""
        try:
            state = EmulatorState(**json.loads(self.state_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        if _alive(state.pid):
            return state
        _reap(state.pid)
        self.state_file.unlink(missing_ok=True)
        return None

    def start(
        self, timeout: float = 30.0, *, die_with_parent: bool = False
    ) -> tuple[EmulatorState, bool]:
        """Boot the board unless it runs already; returns (state, started_now).

        A board whose firmware was rebuilt after it booted boots again. Never builds: missing
        firmware is a DeviceError naming the command that builds it. Waits until the REPL
        answers on the pty and kills QEMU again if it does not. With ``die_with_parent``
        (tests) the kernel stops QEMU when this process dies, however it dies (Linux only).
        """
        with self._locked():
            state = self.status()
            if state is not None:
                if not self.rebuilt_since_boot(state):
                    return state, False
                self._kill(state)
            elf = self.firmware or firmware.built(self.board, self.paths)
            if not elf.is_file():
                raise DeviceError(f"{elf}: no such firmware file")
            qemu = shutil.which("qemu-system-arm", path=self.paths.env.get("PATH"))
            if qemu is None:
                raise ToolchainError("qemu-system-arm not found (run `make setup`)")
            cmd = [
                qemu,
                "-machine", self.spec.machine,
                "-display", "none",
                "-monitor", "none",
                "-semihosting",
                "-serial", "pty",
                "-kernel", str(elf),
                *self.spec.machine_args,
            ]  # fmt: skip
            if self.icount and "-icount" not in cmd:
                cmd += ["-icount", "shift=0"]
            with self.log_file.open("w") as log:
                proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=_die_with_parent if die_with_parent else None,  # noqa: PLW1509
                )
            try:
                pty = self._wait_for_pty(proc, timeout)
                _wait_for_repl(pty, timeout)
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            state = EmulatorState(
                self.board, proc.pid, pty, str(elf), str(self.log_file), time.time()
            )
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(state)))
            tmp.replace(self.state_file)
            return state, True

    def rebuilt_since_boot(self, state: EmulatorState) -> bool:
        """True when the firmware ``state`` booted has been rebuilt since (``start`` boots it
        again); a firmware file since removed leaves the board as it is."""
        try:
            return Path(state.firmware).stat().st_mtime > state.started
        except OSError:
            return False

    def _wait_for_pty(self, proc: subprocess.Popen[bytes], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = _PTY_RE.search(self.log_file.read_text(errors="replace"))
            if m:
                return m.group(1)
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        log = self.log_file.read_text(errors="replace").strip()
        raise DeviceError(f"QEMU did not start ({' '.join(proc.args)}): {log or 'no output'}")

    def stop(self, timeout: float = 10.0) -> bool:
        """Kill the emulator; returns False if none was running."""
        with self._locked():
            state = self.status()
            if state is None:
                return False
            self._kill(state, timeout)
            return True

    def _kill(self, state: EmulatorState, timeout: float = 10.0) -> None:
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(state.pid):
            _reap(state.pid)
            if time.monotonic() > deadline:
                os.kill(state.pid, signal.SIGKILL)
                deadline += timeout
            time.sleep(0.05)
        _reap(state.pid)
        self.state_file.unlink(missing_ok=True)


def _die_with_parent() -> None:
    """In the child before exec: ask for SIGTERM when the parent process exits."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _wait_for_repl(pty: str, timeout: float) -> None:
    """Poke the UART with Ctrl-C until the friendly REPL prompt comes back."""
    deadline = time.monotonic() + timeout
    seen = b""
    with serial.Serial(pty, 115200, timeout=0.2) as port:
        while time.monotonic() < deadline:
            port.write(b"\r\x03")
            seen = (seen + port.read(256))[-512:]
            if b">>> " in seen:
                return
            time.sleep(0.3)
    raise DeviceError(f"emulated board on {pty} did not answer within {timeout:.0f} s: {seen!r}")


# The emulated Cortex-M0's model slot (boards/qemu-m0/nrf51_2m.ld): the board reads the host file
# through semihosting and programs it into flash with the nRF51's flash controller.
_WRITE_SLOT = """\
import _board
start, size = _board.flash_slot()
h = _board.host_open({path!r})
n = _board.host_size(h)
if n > size:
    raise ValueError("model of %d bytes, slot of %d" % (n, size))
for page in range(start, start + n, 1024):
    _board.flash_erase(page)
buf = bytearray(4096)
addr = start
while True:
    k = _board.host_readinto(h, buf)
    if not k:
        break
    for i in range(k, (k + 3) & ~3):
        buf[i] = 0xFF
    _board.flash_write(addr, memoryview(buf)[: (k + 3) & ~3])
    addr += k
_board.host_close(h)
print(start, n)
"""


def write_model_slot(device, path: str | os.PathLike[str]) -> tuple[int, int]:
    """Writes a model into the qemu-m0 board's flash slot; returns (address, size), for
    ``tinyml.Model(uctypes.bytearray_at(address, size))``, which runs it in place from flash
    as a model frozen into a Pico's firmware runs."""
    script = _WRITE_SLOT.format(path=str(Path(path).resolve()))
    start, n = device.exec(script, timeout=300).split()
    return int(start), int(n)
