"""Writes MicroPython+tinyml firmware to a board.

ESP32-S3 goes through esptool's public API (``esptool.cmds``): erase, write the whole image at
the offset in the board's board.json (``flash``) (0x0: MicroPython's ``ESP32_GENERIC_S3``
``firmware.bin`` includes the bootloader and the partition table), verify, reset; then it waits
for the REPL and reports ``sys.implementation`` and the tinyml version. The image is a file, a
URL or a release version, by default the local build, else the release of the installed
version (``tinyml.release``: downloaded once, checked against SHA256SUMS).

RP2040 takes its UF2 by copy onto the mounted ``RPI-RP2`` drive, or through picotool. Every
check that can fail without a board fails first, in well under a second; a port with no chip
answering gives up after one connection attempt.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import boards, release
from . import firmware as fw
from .errors import DeviceError, TinymlError, ToolchainError
from .paths import Paths

UF2_MAGIC = b"UF2\n"
ESP_IMAGE_MAGIC = 0xE9
PICOTOOL_TIMEOUT = 60.0

REPL_TIMEOUT = 20.0  # a board with native USB needs a few seconds to come back after reset


@dataclass
class Flashed:
    board: str
    firmware: Path
    target: str  # port, drive or "picotool"
    bytes: int
    detail: str = ""
    board_info: str = ""  # what the board said after the flash (sys.implementation, version)


def default_firmware(board: str, paths: Paths | None = None) -> Path:
    paths = paths or Paths.default()
    return fw.firmware_path(board, paths)


def _firmware_file(board: str, firmware: str | Path | None, paths: Paths | None) -> Path:
    path = Path(firmware) if firmware else default_firmware(board, paths)
    if not path.is_file():
        hint = "" if firmware else f"; build it with `tinyml firmware build --board {board}`"
        raise ToolchainError(f"no firmware at {path}{hint} or pass the image to flash")
    return path


def flash(
    board: str,
    port: str | None = None,
    firmware: str | Path | None = None,
    *,
    paths: Paths | None = None,
    quiet: bool = True,
    progress: release.Progress | None = None,
    copy_progress: release.Progress | None = None,
) -> Flashed:
    """Flashes ``board``; ``port`` is the serial port (esp32s3) or the UF2 drive (rp2040).
    ``progress(name, bytes, total)`` follows a release download, ``copy_progress`` the copy
    of a UF2 image onto the boot drive (esptool draws its own bar)."""
    # How a board is flashed is its board.json's "flash" section (method, offset).
    b = boards.get(board.lower(), paths)
    method = (b.flash or {}).get("method")
    if method == "esptool":
        return flash_esp32s3_board(b.name, port, firmware, paths, quiet=quiet, progress=progress)
    if method == "uf2":
        return flash_rp2040(
            _firmware_file(b.name, firmware, paths), drive=port, progress=copy_progress
        )
    raise TinymlError(
        f"cannot flash {b.name!r}: supported boards are "
        f"{', '.join(boards.names(paths, what='flash'))}; the emulated "
        "boards boot their firmware directly (`tinyml emulator start`)"
    )


def flash_esp32s3_board(
    board: str,
    port: str | None,
    firmware: str | Path | None,
    paths: Paths | None = None,
    *,
    quiet: bool = True,
    progress: release.Progress | None = None,
) -> Flashed:
    """Resolves the image (file, URL, version, local build or release), flashes it at the
    board's offset and waits for the REPL."""
    if not port:
        raise TinymlError(f"{board} needs --port, e.g. --port /dev/ttyACM0")
    paths = paths or Paths.default()
    if "://" not in port and not os.path.exists(port):
        raise DeviceError(f"{port}: no such serial port (is the board plugged in?)")
    image = release.resolve_firmware(board, firmware, paths, progress)
    offset = board_flash_offset(board, paths)
    flashed = flash_esp32s3(port, image, offset=offset, quiet=quiet)
    flashed.board = board
    flashed.board_info = wait_for_repl(port)
    return flashed


def board_flash_offset(board: str, paths: Paths) -> int:
    """The flash offset from boards/<board>/board.json ("flash"), the one place it is written."""
    flash = boards.get(board, paths).flash
    if flash is None:
        raise TinymlError(f"{board}: board.json has no flash section")
    return flash["offset"]


BOARD_INFO_SCRIPT = "import sys, tinyml\nprint(sys.implementation)\nprint(tinyml.__version__)\n"


def wait_for_repl(port: str, timeout: float = REPL_TIMEOUT) -> str:
    """Waits for MicroPython's REPL on port after a reset and returns what it says of itself:
    ``sys.implementation`` and the tinyml version, one a line."""
    import time

    from .device import Device

    deadline = time.monotonic() + timeout
    last = ""
    while True:
        try:
            with Device(port, connect_timeout=min(5.0, timeout)) as dev:
                return dev.exec(BOARD_INFO_SCRIPT, timeout=10).strip()
        except DeviceError as e:  # native USB: the port goes away and comes back
            last = str(e)
        if time.monotonic() >= deadline:
            raise DeviceError(
                f"{port}: flashed, but no MicroPython REPL with tinyml answered within "
                f"{timeout:.0f} s ({last})"
            )
        time.sleep(0.5)


def flash_esp32s3(port: str, image: Path, *, offset: int = 0, quiet: bool = True) -> Flashed:
    data = image.read_bytes()
    if not data or data[0] != ESP_IMAGE_MAGIC:
        raise TinymlError(f"{image}: not an ESP32 firmware image (no 0xE9 header)")
    try:
        from esptool import cmds
        from esptool.util import FatalError
    except ImportError:
        raise ToolchainError("flashing an ESP32 needs esptool: pip install esptool") from None
    out = io.StringIO()
    redirect = contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext()
    try:
        with redirect, cmds.detect_chip(port, connect_attempts=1) as esp:
            chip = getattr(esp, "CHIP_NAME", "?")
            if chip != "ESP32-S3":
                raise DeviceError(f"{port}: found {chip}, not an ESP32-S3")
            esp = cmds.run_stub(esp)
            cmds.attach_flash(esp)
            cmds.erase_flash(esp)
            cmds.write_flash(esp, [(offset, str(image))])  # esptool draws the progress bar
            cmds.verify_flash(esp, [(offset, str(image))])
            cmds.reset_chip(esp, "hard-reset")
    except FatalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DeviceError(f"{port}: esptool: {first}") from None
    except OSError as e:
        raise DeviceError(f"{port}: {e.strerror or e}") from None
    return Flashed(
        "esp32s3", image, port, len(data), f"erased, written at {offset:#x} and verified"
    )


def _mounts() -> Iterable[Path]:
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        parts = line.split()
        if len(parts) > 1:
            yield Path(parts[1].replace("\\040", " "))
    for base in ("/media", "/run/media", "/Volumes"):
        b = Path(base)
        if b.is_dir():
            with contextlib.suppress(OSError):
                yield from b.glob("*/RPI-RP2")
                yield from b.glob("RPI-RP2")


def find_uf2_drive() -> Path | None:
    """The mounted RP2040 boot drive (it holds INFO_UF2.TXT), or None."""
    for mount in _mounts():
        with contextlib.suppress(OSError):
            info = mount / "INFO_UF2.TXT"
            if info.is_file() and "RP2" in info.read_text(errors="replace"):
                return mount
    return None


COPY_CHUNK = 64 * 1024


def _copy_with_progress(image: Path, dest: Path, progress: release.Progress | None) -> None:
    """Copies in chunks, reporting each, and waits until the drive has the data: a USB boot
    drive takes seconds for a firmware image and reboots the board once it is whole."""
    data = image.read_bytes()
    with dest.open("wb") as f:
        for start in range(0, len(data), COPY_CHUNK):
            f.write(data[start : start + COPY_CHUNK])
            if progress:
                progress(image.name, min(start + COPY_CHUNK, len(data)), len(data))
        f.flush()
        os.fsync(f.fileno())


def flash_rp2040(
    image: Path, *, drive: str | None = None, progress: release.Progress | None = None
) -> Flashed:
    from . import rp2040

    data = image.read_bytes()
    if data[:4] != UF2_MAGIC:
        raise TinymlError(f"{image}: not a UF2 image")
    family = rp2040.uf2_family(data)
    if family not in (None, rp2040.RP2040_FAMILY_ID):
        raise TinymlError(
            f"{image}: a UF2 image for family {family:#010x}, not the RP2040's "
            f"({rp2040.RP2040_FAMILY_ID:#010x})"
        )
    target = Path(drive) if drive else find_uf2_drive()
    if target is not None:
        if not (target / "INFO_UF2.TXT").is_file():
            raise DeviceError(f"{target}: not an RPI-RP2 boot drive (no INFO_UF2.TXT)")
        try:
            _copy_with_progress(image, target / image.name, progress)
        except OSError as e:
            raise DeviceError(f"{target}: copy failed: {e.strerror or e}") from None
        return Flashed("rp2040", image, str(target), len(data), "copied to the boot drive")
    picotool = shutil.which("picotool")
    if picotool is None:
        raise DeviceError(
            "no RPI-RP2 drive is mounted and picotool is not installed: hold BOOTSEL while "
            "plugging in the board, then run this again"
        )
    try:
        proc = subprocess.run(
            [picotool, "load", "-x", "-f", str(image)],
            capture_output=True,
            text=True,
            timeout=PICOTOOL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DeviceError(f"picotool did not finish within {PICOTOOL_TIMEOUT:.0f} s") from None
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
        raise DeviceError(f"picotool: {lines[-1].strip() if lines else 'failed'}")
    return Flashed("rp2040", image, "picotool", len(data), "loaded and rebooted by picotool")
