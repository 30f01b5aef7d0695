"""Build MicroPython firmware with the tinyml user C module.

``unix``, ``qemu-m7``, ``qemu-m4`` and ``qemu-m0`` build here with make (a second build with
nothing changed relinks nothing); ``rp2040`` with CMake from the Pico SDK the set-up unpacks
(see rp2040.py); ``esp32s3`` and ``esp32s3-psram`` need an SDK this project does not install
and fail with a ToolchainError naming what is missing (the release workflow,
.github/workflows/release.yml, runs the same builds in the SDKs' containers).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from . import rp2040
from .errors import ToolchainError
from .paths import Paths


@dataclass(frozen=True)
class Board:
    name: str  # CLI name, e.g. "qemu-m7"
    port: str  # MicroPython port directory under ports/
    board_dir: str  # our boards/<dir>
    output: str  # firmware file name under build/firmware/<board_dir>/
    needs: tuple[str, ...] = ()  # environment variables naming SDKs
    mp_board: str = ""  # upstream BOARD for ports built with upstream board files
    mp_variant: str = ""  # upstream BOARD_VARIANT, e.g. SPIRAM_OCT
    stock: bool = False  # without tinyml: no user C module, nothing of ours frozen but _boot.py
    ops_only: bool = False  # only the ops of some models (--ops-from): a folder of its own

    @property
    def out_dir(self) -> str:
        """Output directory under build/firmware/."""
        return (
            self.board_dir + ("_stock" if self.stock else "") + ("_ops" if self.ops_only else "")
        )


BOARDS: dict[str, Board] = {
    "unix": Board("unix", "unix", "unix", "micropython"),
    "qemu-m7": Board("qemu-m7", "qemu", "qemu_m7", "firmware.elf"),
    "qemu-m4": Board("qemu-m4", "qemu", "qemu_m4", "firmware.elf"),
    "qemu-m0": Board("qemu-m0", "qemu", "qemu_m0", "firmware.elf"),
    # Stock firmware, for the _tinyml .mpy (native_module/micropython/Makefile).
    "unix-stock": Board("unix-stock", "unix", "unix", "micropython", stock=True),
    "qemu-m7-stock": Board("qemu-m7-stock", "qemu", "qemu_m7", "firmware.elf", stock=True),
    "qemu-m4-stock": Board("qemu-m4-stock", "qemu", "qemu_m4", "firmware.elf", stock=True),
    "qemu-m0-stock": Board("qemu-m0-stock", "qemu", "qemu_m0", "firmware.elf", stock=True),
    "rp2040": Board("rp2040", "rp2", "rp2040", "firmware.uf2", (), "RPI_PICO"),
    "esp32s3": Board(
        "esp32s3", "esp32", "esp32s3", "firmware.bin", ("IDF_PATH",), "ESP32_GENERIC_S3"
    ),
    "esp32s3-psram": Board(
        "esp32s3-psram",
        "esp32",
        "esp32s3_psram",
        "firmware.bin",
        ("IDF_PATH",),
        "ESP32_GENERIC_S3",
        "SPIRAM_OCT",
    ),
}

# The ESP-IDF release MicroPython 1.25's own CI builds the esp32 port with (tools/ci.sh,
# IDF_VER); .github/workflows/release.yml builds in Espressif's container of this tag.
ESP_IDF_VERSION = "v5.2.2"

_SDK_HINTS = {
    "IDF_PATH": f"ESP-IDF {ESP_IDF_VERSION} (the release MicroPython 1.25 is built with) with its "
    "export.sh sourced (idf.py on PATH)",
}


def board(name: str, *, ops_only: bool = False) -> Board:
    try:
        b = BOARDS[name]
    except KeyError:
        raise ToolchainError(f"unknown board {name!r} (choose from {', '.join(BOARDS)})") from None
    return replace(b, ops_only=True) if ops_only else b


def firmware_path(name: str, paths: Paths, *, ops_only: bool = False) -> Path:
    b = board(name, ops_only=ops_only)
    return paths.firmware / b.out_dir / b.output


def check_micropython(paths: Paths) -> Path:
    mp = paths.micropython
    if not (mp / "py" / "mkenv.mk").is_file():
        raise ToolchainError(
            f"no MicroPython source at {mp}: run `make setup` or set MICROPY_DIR to a checkout"
        )
    return mp


def check_toolchain(b: Board, paths: Paths) -> None:
    missing = [var for var in b.needs if not paths.env.get(var)]
    if missing:
        hints = "; ".join(f"{var}: {_SDK_HINTS[var]}" for var in missing)
        raise ToolchainError(
            f"cannot build {b.name}: set {' and '.join(missing)} ({hints}); "
            "this machine has no such SDK, see boards/README.md"
        )
    tools = {"unix": ["cc", "make", "pkg-config"], "qemu": ["arm-none-eabi-gcc", "make"]}
    tools.update(
        rp2=["cmake", "arm-none-eabi-gcc", "arm-none-eabi-g++", "make"], esp32=["idf.py", "make"]
    )
    absent = [t for t in tools[b.port] if shutil.which(t, path=paths.env.get("PATH")) is None]
    if absent:
        raise ToolchainError(
            f"cannot build {b.name}: {', '.join(absent)} not found "
            "(run `make setup`, or see README.md for what to install)"
        )


OPS_HEADER = "tml_ops_selected.h"
_ENTRY_RE = re.compile(r"^TML_OP_ENTRY\((\w+), (\w+)\)$", re.MULTILINE)
_CUSTOM_RE = re.compile(
    r"const tml_op_t tml_op_(\w+) = \{[^}]*?\.custom_name = \"(\w+)\"", re.DOTALL
)


def op_entries(paths: Paths) -> dict[str, str]:
    """{op name as a model names it ("CONV_2D", custom "SignalRfft"): its line of
    engine/tml_ops_list.h}, read from the engine's own list."""
    engine = paths.native_module / "engine"
    custom = {}
    for f in sorted((engine / "ops").glob("*.c")):
        custom.update(_CUSTOM_RE.findall(f.read_text()))
    entries = {}
    for name, builtin in _ENTRY_RE.findall((engine / "tml_ops_list.h").read_text()):
        key = custom.get(name) if builtin == "CUSTOM" else builtin
        entries[key] = f"TML_OP_ENTRY({name}, {builtin})"
    return entries


def ops_of_models(models: list[Path]) -> list[str]:
    """The op names ``models`` run, in first-use order, as the engine reads them."""
    from .inspect import engine

    ops: list[str] = []
    for path in models:
        try:
            names = engine().Model(str(path)).ops
        except (OSError, ValueError) as e:
            raise ToolchainError(f"--ops-from {path}: {e}") from None
        for op in names:
            if op not in ops:
                ops.append(op)
    return ops


def ops_header(models: list[Path], paths: Paths) -> str:
    """A tml_ops_list.h with only the ops ``models`` use (TML_OPS_LIST)."""
    entries = op_entries(paths)
    lines = [
        f"// The ops of {', '.join(p.name for p in models)} (tinyml firmware build --ops-from)."
    ]
    for op in ops_of_models(models):
        lines.append(entries[op])
    return "\n".join(lines) + "\n"


def make_command(
    name: str,
    paths: Paths,
    jobs: int | None = None,
    *,
    ops_from: list[Path] | None = None,
    op_names: bool = True,
) -> list[str]:
    """The make invocation that builds ``name`` (MICROPY_DIR's tree is only read); with
    ``ops_from``, only those models' ops (the header ``build`` writes into the output folder);
    without ``op_names``, without the table of op names used in messages."""
    b = board(name, ops_only=bool(ops_from))
    mp = paths.micropython
    out = paths.firmware / b.out_dir
    jobs = jobs or os.cpu_count() or 1
    cmd = ["make", "-C", str(mp / "ports" / b.port), f"-j{jobs}"]
    manifest = paths.boards / b.board_dir / "manifest.py"
    user_c_modules = "" if b.stock else str(paths.native_module)
    if b.stock:
        own = paths.boards / b.board_dir / "manifest_stock.py"
        common = paths.boards / "qemu_common" / "manifest_stock.py"
        manifest = (own if own.is_file() else common) if b.port == "qemu" else ""
    if b.port == "unix":
        cmd += [
            f"BUILD={out / 'obj'}",
            "PROG=../micropython",
            f"USER_C_MODULES={user_c_modules}",
            f"FROZEN_MANIFEST={manifest}",
            # The Debian +ds source ships without berkeley-db and mbedtls.
            "MICROPY_PY_BTREE=0",
            "MICROPY_PY_SSL=0",
        ]
    elif b.port == "qemu":
        cmd += [
            f"BOARD={b.board_dir.upper()}",
            f"BOARD_DIR={paths.boards / b.board_dir}",
            f"BUILD={out / 'obj'}",
            f"USER_C_MODULES={user_c_modules}",
        ]
        if b.stock:
            cmd.append(f"FROZEN_MANIFEST={manifest}")
    elif b.port == "esp32":
        cmd += _esp32_args(b, paths, out)
    else:
        cmake = paths.native_module / "micropython" / "micropython.cmake"
        cmd += [
            f"BOARD={b.mp_board}",
            f"BUILD={out / 'obj'}",
            f"USER_C_MODULES={cmake}",
            f"FROZEN_MANIFEST={manifest}",
        ]
    if (ops_from or not op_names) and b.port not in ("unix", "qemu"):
        raise ToolchainError(
            f"--ops-from and --no-op-names are not supported for {name} yet: build unix or qemu-*"
        )
    if ops_from:
        cmd.append(f"TINYML_OPS={out / OPS_HEADER}")
    if not op_names:
        cmd.append("TINYML_OP_NAMES=0")
    return cmd


def _esp32_args(b: Board, paths: Paths, out: Path) -> list[str]:
    """ports/esp32's make wrapper around idf.py: upstream board and variant, our module, and
    boards/<board>/manifest.py, which includes the port's own manifest and adds tinyml."""
    args = [f"BOARD={b.mp_board}"]
    if b.mp_variant:
        args.append(f"BOARD_VARIANT={b.mp_variant}")
    return args + [
        f"BUILD={out / 'obj'}",
        f"USER_C_MODULES={paths.native_module / 'micropython' / 'micropython.cmake'}",
        f"FROZEN_MANIFEST={paths.boards / b.board_dir / 'manifest.py'}",
    ]


def _config_digest(b: Board, paths: Paths, cmd: list[str]) -> str:
    """What make does not track: the make command and the build files that set flags."""
    files = [
        paths.native_module / "micropython" / n for n in ("micropython.mk", "micropython.cmake")
    ]
    files.append(paths.firmware / b.out_dir / OPS_HEADER)
    board_dir = paths.boards / b.board_dir
    files += sorted(board_dir.glob("*.mk")) + sorted((paths.boards / "qemu_common").glob("*.mk"))
    h = hashlib.sha256(" ".join(c for c in cmd if not c.startswith("-j")).encode())
    for f in files:
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def build(
    name: str,
    paths: Paths,
    *,
    jobs: int | None = None,
    log: Path | None = None,
    ops_from: list[Path] | None = None,
    op_names: bool = True,
) -> Path:
    """Build firmware for board ``name`` and return its path.

    With ``ops_from`` (model files) the firmware has only the ops those models use, in
    ``build/firmware/<board>_ops/``. Make output goes to ``log`` (default
    ``build/logs/firmware-<board>.log``); on failure the ToolchainError carries the log's tail.
    """
    b = board(name, ops_only=bool(ops_from))
    check_toolchain(b, paths)
    check_micropython(paths)
    log = log or paths.build / "logs" / f"firmware-{b.out_dir}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    mpy_cross = paths.micropython / "mpy-cross"
    cmd = make_command(name, paths, jobs, ops_from=ops_from, op_names=op_names)
    if ops_from:
        header = paths.firmware / b.out_dir / OPS_HEADER
        header.parent.mkdir(parents=True, exist_ok=True)
        text = ops_header(ops_from, paths)
        if not header.is_file() or header.read_text() != text:
            header.write_text(text)
    if b.port == "rp2":
        rp2_steps = rp2040.build_commands(
            paths,
            paths.firmware / b.out_dir,
            paths.boards / b.board_dir / "manifest.py",
            paths.native_module / "micropython" / "micropython.cmake",
            jobs or os.cpu_count() or 1,
        )
        cmd = rp2_steps[0]  # the configure step holds every setting
    # Make rebuilds on changed sources, not on changed flags: start clean when those change.
    obj = paths.firmware / b.out_dir / "obj"
    stamp = paths.firmware / b.out_dir / ".config"
    digest = _config_digest(b, paths, cmd)
    if not stamp.is_file() or stamp.read_text() != digest:
        shutil.rmtree(obj, ignore_errors=True)
        stamp.unlink(missing_ok=True)
    steps = [["make", "-C", str(mpy_cross), f"-j{jobs or os.cpu_count() or 1}"], cmd]
    if b.port == "rp2":
        steps[1:] = rp2_steps
    with log.open("w") as f:
        for cmd in steps:
            f.write("$ " + " ".join(cmd) + "\n")
            f.flush()
            rc = subprocess.run(
                cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False
            ).returncode
            if rc != 0:
                break
    if rc != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise ToolchainError(f"firmware build for {name} failed (full log: {log}):\n{tail}")
    stamp.write_text(digest)
    if b.port == "rp2":
        elf = paths.firmware / b.out_dir / "obj" / "firmware.elf"
        shutil.copy2(elf, firmware_path(name, paths).with_suffix(".elf"))
        firmware_path(name, paths).write_bytes(rp2040.elf_to_uf2(elf.read_bytes()))
    elif b.port == "esp32":
        out = paths.firmware / b.out_dir / "obj" / b.output
        shutil.copy2(out, firmware_path(name, paths))
    elif b.port == "qemu":
        elf = paths.firmware / b.out_dir / "obj" / "firmware.elf"
        dest = paths.firmware / b.out_dir / b.output
        if not dest.exists() or dest.stat().st_mtime < elf.stat().st_mtime:
            shutil.copy2(elf, dest)
    return paths.firmware / b.out_dir / b.output
