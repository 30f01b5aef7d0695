"""Run code and move files on a MicroPython device: a connection, nothing more.

A target is ``unix`` (the unix-port firmware run as a subprocess in ``build/unix-fs/``, its
working directory, which stands in for the device filesystem and keeps its files between runs
like a board's flash; device paths are relative to it, so scripts name ``models/x``;
``unix-stock`` runs the firmware without tinyml, for the .mpy), ``emulator`` or
``emulator:<board>`` (the emulated board, already running, over its pty) or a serial port path
such as ``/dev/ttyACM0``. Serial targets go through mpremote's transport. A traceback on the
device becomes ``DeviceError("board: ValueError: ...")``; an absent or silent port fails within
seconds.

Opening a device never builds firmware or boots an emulator: a missing firmware or a stopped
emulated board is a DeviceError naming the command that provides it. The CLI runs those steps
first, each announced (device_setup.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import posixpath
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import firmware
from .emulator import DEFAULT_BOARD, Emulator
from .errors import DeviceError
from .paths import Paths

Stream = Callable[[str], None]
ByteProgress = Callable[[int, int], None]

UNIX_HEAP = "64M"


def _last_error_line(traceback: str) -> str:
    lines = [line.strip() for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "error"


def _script_error(output: str, traceback: str) -> DeviceError:
    line = _last_error_line(traceback)
    if "ENOENT" in line:
        line += " (a file the script opened is not on the device: copy it with `tinyml push`)"
    return DeviceError(f"board: {line}", exit_code=1, output=output, traceback=traceback)


@dataclass(frozen=True)
class Target:
    """What a target string names: ``kind`` unix, emulator or serial; the firmware ``board``
    (unix, unix-stock, qemu-m7, ...; empty for a serial port); the serial ``port`` (or empty)."""

    kind: str
    board: str = ""
    port: str = ""


def parse_target(target: str) -> Target:
    """The ``Target`` of a ``--device`` value (see the module docstring)."""
    if target in ("unix", "unix-stock"):
        return Target("unix", board=target)
    if target == "emulator" or target.startswith("emulator:"):
        return Target("emulator", board=target.partition(":")[2] or DEFAULT_BOARD)
    return Target("serial", port=target)


def running_emulator(board: str, paths: Paths) -> str:
    """The pty of the emulated ``board``; DeviceError naming the command that boots it."""
    state = Emulator(board, paths).status()
    if state is None:
        raise DeviceError(
            f"the emulated board {board} is not running: "
            f"start it with `tinyml emulator start --board {board}`"
        )
    return state.pty


class _UnixBackend:
    def __init__(self, paths: Paths, board: str = "unix") -> None:
        self.binary = firmware.built(board, paths)
        # Each firmware its own files: stock firmware holds a mip-installed tinyml package
        # that would shadow the frozen one.
        self.root = paths.unix_fs
        if board != "unix":
            self.root = self.root.with_name(f"{self.root.name}-{board}")
        self.root.mkdir(parents=True, exist_ok=True)

    def local(self, remote: str) -> Path:
        return self.root / remote.lstrip("/")

    def exec(self, script: str, timeout: float | None, stream: Stream | None) -> str:
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(script)
        try:
            return self._run(f.name, timeout, stream)
        finally:
            os.unlink(f.name)

    def _run(self, path: str, timeout: float | None, stream: Stream | None) -> str:
        # The script's directory heads sys.path; put the working directory first instead, as
        # "" is on a board.
        cmd = [str(self.binary), "-X", f"heapsize={UNIX_HEAP}", "-c",
               f"import sys; sys.path[0] = ''; exec(open({path!r}).read())"]  # fmt: skip
        proc = subprocess.Popen(
            cmd,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        err: list[bytes] = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
        reader.start()
        out = []
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            for chunk in iter(lambda: proc.stdout.read1(4096), b""):
                text = chunk.decode(errors="replace")
                out.append(text)
                if stream:
                    stream(text)
            rc = proc.wait()
        finally:
            if timer:
                timer.cancel()
            proc.stdout.close()
        reader.join()
        proc.stderr.close()
        output, traceback = "".join(out), b"".join(err).decode(errors="replace")
        if rc < 0:
            raise DeviceError(f"unix: script did not finish within {timeout} s", output=output)
        if rc != 0:
            raise _script_error(output, traceback or f"exit status {rc}")
        return output

    def put(self, local: Path, remote: str, progress: ByteProgress | None = None) -> None:
        dest = self.local(remote)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, dest)

    def sha256(self, remote: str) -> str:
        try:
            return hashlib.sha256(self.local(remote).read_bytes()).hexdigest()
        except OSError as e:
            raise DeviceError(f"unix: {remote}: {e.strerror}") from None

    def ls(self, remote: str) -> list[str]:
        try:
            return sorted(p.name for p in self.local(remote).iterdir())
        except OSError as e:
            raise DeviceError(f"unix: {remote}: {e.strerror}") from None

    def close(self) -> None:
        pass


_HOST_COPY = """\
import _board
h = _board.host_open(%r)
b = bytearray(16384)
m = memoryview(b)
with open(%r, "wb") as f:
    while True:
        n = _board.host_readinto(h, b)
        if not n:
            break
        f.write(m[:n])
_board.host_close(h)
"""


class _SerialBackend:
    def __init__(self, port: str, connect_timeout: float, semihosting: bool = False) -> None:
        from mpremote.transport import TransportError
        from mpremote.transport_serial import SerialTransport

        self._error = TransportError
        self._transport_class = SerialTransport
        self.port = port
        self.connect_timeout = connect_timeout
        self.semihosting = semihosting
        self.broken = False
        self.answered = False  # the board has answered on this port before
        if not os.path.exists(port) and "://" not in port:
            raise DeviceError(f"{port}: no such serial port")
        self._open()

    def _open(self) -> None:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                # A read timeout: on a pty mpremote reads blocking, so a silent port would hang.
                # It is also how long raw paste waits for the board's flow control, so it
                # leaves room for a slow (emulated, loaded) board.
                self.transport = self._transport_class(self.port, baudrate=115200, timeout=5.0)
        except (self._error, OSError) as e:
            raise DeviceError(
                f"{self.port}: cannot open: {e} (is another program connected to it?)"
            ) from None
        self.broken = False

    def _reopen(self) -> None:
        with contextlib.suppress(Exception):
            self.transport.close()
        self._open()

    def _call(self, what: str, fn: Callable[[], object], quiet: bool = True) -> object:
        # mpremote prints what it received when it cannot enter the raw REPL: keep it.
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf) if quiet else contextlib.nullcontext():
                return fn()
        except self._error as e:
            # The link may be mid-message: start the next operation on a fresh connection.
            self.broken = True
            detail = buf.getvalue().strip()
            raise DeviceError(
                f"{self.port}: {what}: {e}" + (f" (got {detail})" if detail else "")
            ) from None
        except OSError as e:
            self.broken = True
            raise DeviceError(f"{self.port}: {what}: {e}") from None

    def _raw_repl(self, soft_reset: bool) -> None:
        if self.broken:
            self._reopen()

        def enter() -> None:
            self.transport.enter_raw_repl(
                soft_reset=soft_reset, timeout_overall=self.connect_timeout
            )

        try:
            self._call("no MicroPython REPL answered", enter)
        except DeviceError:
            if not self.answered:
                raise
            # One more try on a fresh connection (a previous operation may have left the
            # board mid-command); a board that stays silent fails again here.
            self._reopen()
            self._call("no MicroPython REPL answered", enter)
        self.answered = True

    def exec(self, script: str, timeout: float | None, stream: Stream | None) -> str:
        self._raw_repl(soft_reset=True)
        out: list[str] = []

        def consume(data: bytes) -> None:
            text = data.decode(errors="replace").replace("\r", "").replace("\x04", "")
            out.append(text)
            if stream:
                stream(text)

        t = self.transport
        try:
            ret = self._call(
                "exec",
                lambda: t.exec_raw(script.encode(), timeout=timeout, data_consumer=consume),
                quiet=False,
            )
        except DeviceError as e:
            raise DeviceError(str(e), output="".join(out)) from None
        assert isinstance(ret, tuple)
        err = ret[1].decode(errors="replace").replace("\r\n", "\n")
        output = "".join(out)
        if err:
            raise _script_error(output, err)
        return output

    def _ensure_raw(self) -> None:
        if self.broken or not self.transport.in_raw_repl:
            self._raw_repl(soft_reset=False)

    def put(self, local: Path, remote: str, progress: ByteProgress | None = None) -> None:
        self._ensure_raw()
        t = self.transport
        parts = posixpath.dirname(remote).strip("/").split("/")
        for i in range(len(parts)):
            d = "/" + "/".join(parts[: i + 1])
            if d != "/" and not self._call("stat", lambda d=d: t.fs_exists(d)):
                self._call(f"mkdir {d}", lambda d=d: t.fs_mkdir(d))
        if self.semihosting:
            # The emulated board reads the host file itself (boards/qemu_common/board.c).
            script = _HOST_COPY % (str(local.resolve()), remote)
            ret = self._call(f"write {remote}", lambda: t.exec_raw(script.encode(), timeout=300))
            assert isinstance(ret, tuple)
            if ret[1]:
                err = ret[1].decode(errors="replace")
                raise DeviceError(f"{self.port}: write {remote}: {_last_error_line(err)}")
            return
        data = local.read_bytes()
        self._call(
            f"write {remote}",
            lambda: t.fs_writefile(remote, data, chunk_size=2048, progress_callback=progress),
        )

    def sha256(self, remote: str) -> str:
        self._ensure_raw()
        t = self.transport
        digest = self._call(f"hash {remote}", lambda: t.fs_hashfile(remote, "sha256"))
        assert isinstance(digest, bytes)
        return digest.hex()

    def ls(self, remote: str) -> list[str]:
        self._ensure_raw()
        t = self.transport
        entries = self._call(f"ls {remote}", lambda: t.fs_listdir(remote))
        return sorted(e.name for e in entries)  # type: ignore[attr-defined]

    def close(self) -> None:
        with contextlib.suppress(Exception), contextlib.redirect_stdout(io.StringIO()):
            if self.transport.in_raw_repl:
                self.transport.exit_raw_repl()
        with contextlib.suppress(Exception):
            self.transport.close()


class Device:
    """A connection to a MicroPython device; use as a context manager or call ``close()``.

    The device must be there: built firmware for ``unix``, a running emulated board for
    ``emulator``, a plugged-in board for a port (else DeviceError, naming the command to run).
    """

    def __init__(
        self,
        target: str,
        *,
        paths: Paths | None = None,
        connect_timeout: float = 8.0,
    ) -> None:
        self.target = target
        self.paths = paths or Paths.default()
        self._backend: _UnixBackend | _SerialBackend
        kind = parse_target(target)
        if kind.kind == "unix":
            self._backend = _UnixBackend(self.paths, target)
        elif kind.kind == "emulator":
            pty = running_emulator(kind.board, self.paths)
            self._backend = _SerialBackend(pty, connect_timeout, semihosting=True)
        else:
            self._backend = _SerialBackend(target, connect_timeout)

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exec(
        self, script: str, *, timeout: float | None = 120.0, stream: Stream | None = None
    ) -> str:
        """Run ``script`` after a soft reset and return what it printed.

        ``stream`` receives output as it arrives. Raises DeviceError (exit code 1, with
        ``output`` and ``traceback``) if the script raises.
        """
        return self._backend.exec(script, timeout, stream)

    def put(
        self,
        local: str | os.PathLike[str],
        remote: str,
        progress: ByteProgress | None = None,
    ) -> None:
        """Copy a host file to ``remote``, creating parent directories. ``progress(written,
        total)`` follows the bytes over a serial link (other copies take no time)."""
        self._backend.put(Path(local), remote, progress)

    def sha256(self, remote: str) -> str:
        """Hex SHA-256 of a file on the device."""
        return self._backend.sha256(remote)

    def ls(self, remote: str = "/") -> list[str]:
        """Names in a device directory."""
        return self._backend.ls(remote)

    def close(self) -> None:
        self._backend.close()
