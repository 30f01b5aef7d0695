"""Build MicroPython firmware with the tinyml user C module.

``unix``, ``qemu-m7``, ``qemu-m4`` and ``qemu-m0`` build here with make (a second build with
nothing changed relinks nothing); ``rp2040`` with CMake from the Pico SDK the set-up unpacks
(see rp2040.py); ``esp32s3`` and ``esp32s3-psram`` need an SDK this project does not install
and fail with a ToolchainError naming what is missing (the release workflow,
.github/workflows/release.yml, runs the same builds in the SDKs' containers). ``openmv-m7`` and
``openmv-h7`` keep OpenMV's firmware: their build is the ``.mpy`` of the board's ``mpy_arch``
(native_module/micropython/Makefile), with ``--ops-from`` as small as the firmware's.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from . import boards, rp2040
from .errors import DeviceError, TinymlError, ToolchainError
from .paths import Paths

# A board is its folder under boards/ (host/tinyml/boards.py); this module builds those whose
# board.json has a "build" section, and their stock builds (<name>-stock).
Board = boards.Board


# The ESP-IDF release MicroPython 1.25's own CI builds the esp32 port with (tools/ci.sh,
# IDF_VER); .github/workflows/release.yml builds in Espressif's container of this tag.
ESP_IDF_VERSION = "v5.2.2"

_SDK_HINTS = {
    "IDF_PATH": f"ESP-IDF {ESP_IDF_VERSION} (the release MicroPython 1.25 is built with) with its "
    "export.sh sourced (idf.py on PATH)",
}


def board(name: str, paths: Paths | None = None) -> Board:
    """The buildable board ``name`` (or an alias of it); ToolchainError for any other."""
    try:
        b = boards.get(name, paths)
    except TinymlError as e:
        raise ToolchainError(str(e)) from None
    if not b.build:
        buildable = ", ".join(boards.names(paths, what="build"))
        raise ToolchainError(f"{b.name} has no firmware build (choose from {buildable})")
    return b


def out_dir(b: Board, ops_only: bool = False, fast_kernels: bool = True) -> str:
    """Output folder under build/firmware/: the board's, <board>-ops for a firmware with only
    some ops (--ops-from), and -reference after either without the fast kernels
    (--no-fast-kernels), each kept apart from the full one."""
    return b.out_dir + ("-ops" if ops_only else "") + ("" if fast_kernels else "-reference")


def firmware_path(
    name: str, paths: Paths, *, ops_only: bool = False, fast_kernels: bool = True
) -> Path:
    b = board(name, paths)
    return paths.firmware / out_dir(b, ops_only, fast_kernels) / b.output


def built(name: str, paths: Paths) -> Path:
    """The firmware of board ``name`` as ``build`` left it. Connecting never builds: a missing
    one is a DeviceError naming the command that builds it (the CLI runs that step itself)."""
    b = board(name, paths)
    path = firmware_path(b.name, paths)
    if not path.exists():
        build = f"tinyml firmware build --board {b.name}"
        raise DeviceError(f"no {b.name} firmware at {path}: build it with `{build}`")
    return path


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
    # The .mpy: gcc, ld -r (dead code out), mpy_ld.py; cc builds mpy-cross for the package.
    natmod = ["arm-none-eabi-gcc", "arm-none-eabi-ld", "make", "cc"]
    needed = natmod if b.natmod else tools[b.port]
    absent = [t for t in needed if shutil.which(t, path=paths.env.get("PATH")) is None]
    if absent:
        raise ToolchainError(
            f"cannot build {b.name}: {', '.join(absent)} not found "
            "(run `make setup`, or see README.md for what to install)"
        )


PROGRESS_EVERY = 10.0  # seconds between build progress lines
# A compile step in make's output: ports' "CC file.c", mpy-cross's "MPY file.py", CMake's "[ 42%]".
_COMPILE_PREFIXES = ("CC ", "CXX ", "MPY ", "AS ")


class _CompileCounter:
    """Counts compile steps in make's output and reports them now and then."""

    def __init__(self, board: str, memory: Path, progress: Callable[[str], None] | None) -> None:
        self.board, self.memory, self.progress = board, memory, progress
        self.count = 0
        self.start = self.last = time.monotonic()
        try:
            self.expected = int(memory.read_text())
        except (OSError, ValueError):
            self.expected = 0

    def line(self, line: str) -> None:
        if line.startswith(_COMPILE_PREFIXES) or (line.startswith("[") and "%]" in line[:8]):
            self.count += 1
        now = time.monotonic()
        if self.progress and now - self.last >= PROGRESS_EVERY:
            self.last = now
            of = f" of about {self.expected}" if self.expected > self.count else ""
            self.progress(f"building {self.board}: {self.count} files compiled{of}, "
                          f"{now - self.start:.0f} s")  # fmt: skip

    def done(self, ok: bool) -> None:
        # A build from clean compiles everything: remember how much that is, for next time.
        if ok and self.count > max(self.expected // 2, 20):
            self.memory.write_text(f"{self.count}\n")


OPS_HEADER = "tml_ops_selected.h"
_ENTRY_RE = re.compile(r"^TML_OP_ENTRY\((\w+), (\w+)\)$", re.MULTILINE)
_CUSTOM_RE = re.compile(
    r"const tml_op_t tml_op_(\w+) = \{[^;]*?\.custom_name = \"(\w+)\"", re.DOTALL
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
            names = engine().Model(Path(path).read_bytes()).ops
        except (OSError, ValueError) as e:
            raise ToolchainError(f"--ops-from {path}: {e}") from None
        for op in names:
            if op not in ops:
                ops.append(op)
    return ops


def _read_models(models: list[Path]) -> list | None:
    """``models`` as the host's reader sees them, or None when one has more than one subgraph:
    the reader sees the first subgraph's tensors and operators only, so such a build keeps every
    kernel."""
    from . import schema

    read = []
    for path in models:
        try:
            model = schema.load(path)
        except (OSError, TinymlError) as e:
            raise ToolchainError(f"--ops-from {path}: {e}") from None
        if model.subgraphs > 1:
            return None
        read.append(model)
    return read


# Tensor types whose kernels a build can leave out (tml_config.h), by the switch that keeps them.
KERNEL_TYPE_SWITCHES = {"TML_KERNELS_F32": "float32", "TML_KERNELS_S16": "int16"}


def kernel_type_switches(models: list[Path]) -> dict[str, bool]:
    """{switch of tml_config.h: whether ``models`` need its kernels}: those of a tensor type are
    needed when a tensor of some model has the type (the engine refuses such a model otherwise)."""
    read = _read_models(models)
    if read is None:
        return dict.fromkeys(KERNEL_TYPE_SWITCHES, True)
    types = {t.dtype for model in read for t in model.tensors}
    return {switch: dtype in types for switch, dtype in KERNEL_TYPE_SWITCHES.items()}


# Fast-path variants of a kernel a build can leave out (tml_config.h), by the switch that keeps
# them: the variant names the engine's dispatcher gives (depthwise_variant() of its CPython face).
KERNEL_VARIANT_SWITCHES = {
    "TML_KERNEL_DW_BROADCAST": ("DEPTHWISE_CONV_2D", "broadcast"),
    "TML_KERNEL_DW_TAIL": ("DEPTHWISE_CONV_2D", "channelwise_tail"),
    "TML_KERNEL_CONV_IM2COL": ("CONV_2D", "im2col"),
}


# The switch that keeps the int8 CONV_2D and DEPTHWISE_CONV_2D reference kernels (tml_config.h).
KERNEL_REFERENCE_SWITCH = "TML_KERNEL_REFERENCE_CONV"


def _conv_layers(models: list[Path]) -> list[tuple[str, str | None, str]] | None:
    """(op, variant, input type) of every convolution of ``models``: the fast path the engine's
    dispatcher takes for it, asked of the engine's own rule (its CPython face's ``*_variant``),
    or None for the reference kernel; None when the host's reader cannot see every layer. A
    depthwise layer's depth multiplier is its output channels over its input channels, as the
    engine reads it; a convolution is asked with no padding, which is exact: a 1x1 filter pads by
    0 with SAME as with VALID, and padding decides nothing else."""
    from .inspect import engine

    read = _read_models(models)
    if read is None:
        return None
    layers = []
    for model in read:
        for op in model.operators:
            if op.name not in ("CONV_2D", "DEPTHWISE_CONV_2D") or len(op.inputs) < 2:
                continue
            x, f = (model.tensors[i] for i in op.inputs[:2])
            if len(x.shape) != 4 or len(f.shape) != 4 or x.shape[-1] <= 0:
                continue
            if op.name == "DEPTHWISE_CONV_2D":
                variant = engine().depthwise_variant(f.shape[-1] // x.shape[-1], x.shape[-1])
            else:
                zp = (
                    x.quantization.zero_point[0]
                    if x.quantization and x.quantization.zero_point
                    else 0
                )
                _, fh, fw, fc = f.shape
                variant = engine().conv_2d_variant(fh, fw, 0, 0, fc, x.shape[-1], zp)
            layers.append((op.name, variant, x.dtype))
    return layers


def kernel_variants(models: list[Path]) -> set[tuple[str, str]]:
    """{(op, variant)}: the fast paths the dispatchers take for some layer of ``models``."""
    layers = _conv_layers(models)
    if layers is None:
        return set(KERNEL_VARIANT_SWITCHES.values())
    return {(op, variant) for op, variant, _ in layers if variant is not None}


def kernel_variant_switches(models: list[Path]) -> dict[str, bool]:
    """{switch of tml_config.h: whether some layer of ``models`` takes that fast path}, and
    KERNEL_REFERENCE_SWITCH: whether some int8 layer needs the reference kernel, because no fast
    path takes it or because its variant is switched off here (as the dispatcher then runs it)."""
    layers = _conv_layers(models)
    if layers is None:
        return dict.fromkeys([*KERNEL_VARIANT_SWITCHES, KERNEL_REFERENCE_SWITCH], True)
    used = {(op, variant) for op, variant, _ in layers if variant is not None}
    switches = {switch: variant in used for switch, variant in KERNEL_VARIANT_SWITCHES.items()}
    left_out = {
        variant for switch, variant in KERNEL_VARIANT_SWITCHES.items() if not switches[switch]
    }
    switches[KERNEL_REFERENCE_SWITCH] = any(
        dtype == "int8" and (variant is None or (op, variant) in left_out)
        for op, variant, dtype in layers
    )
    return switches


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
    fast_kernels: bool = True,
) -> list[str]:
    """The make invocation that builds ``name`` (MICROPY_DIR's tree is only read); with
    ``ops_from``, only those models' ops (the header ``build`` writes into the output folder)
    and only the kernels of their tensor types (``kernel_type_switches``) and the fast-path
    variants their layers take, with the convolutions' reference kernels only if a layer needs
    them (``kernel_variant_switches``);
    without ``op_names``, without the table of op names used in messages; without
    ``fast_kernels``, with the reference kernels alone."""
    b = board(name, paths)
    mp = paths.micropython
    out = paths.firmware / out_dir(b, bool(ops_from), fast_kernels)
    jobs = jobs or os.cpu_count() or 1
    if b.natmod:
        cmd = ["make", "-C", str(paths.native_module / "micropython"), f"-j{jobs}"]
        cmd += [f"ARCH={b.info['mpy_arch']}", f"OUT={out}", f"MICROPY_DIR={mp}"]
        return cmd + _module_args(out, ops_from, op_names, fast_kernels)
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
            # The Debian +ds source ships without berkeley-db and mbedtls; ssl links the
            # system's mbedTLS (libmbedtls-dev), as Debian's own micropython package does.
            "MICROPY_PY_BTREE=0",
            "MICROPY_PY_SSL=1",
            "MICROPY_SSL_MBEDTLS=1",
        ]
    elif b.port == "qemu":
        cmd += [
            f"BOARD={b.board_dir.upper().replace('-', '_')}",
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
    if (ops_from or not op_names or not fast_kernels) and b.port not in ("unix", "qemu"):
        raise ToolchainError(
            f"--ops-from, --no-op-names and --no-fast-kernels are not supported for {name} yet: "
            "build unix, qemu-* or openmv-*"
        )
    return cmd + _module_args(out, ops_from, op_names, fast_kernels)


def _module_args(
    out: Path, ops_from: list[Path] | None, op_names: bool, fast_kernels: bool
) -> list[str]:
    """The TINYML_* make variables micropython.mk (and the .mpy's Makefile, through it) read:
    only the ops of ``ops_from`` and the kernels they need, no op names without ``op_names``,
    no fast kernels (and so none of their variants) without ``fast_kernels``."""
    args = []
    if ops_from:
        args.append(f"TINYML_OPS={out / OPS_HEADER}")
        switches = kernel_type_switches(ops_from)
        if fast_kernels:
            switches |= kernel_variant_switches(ops_from)
        for switch, needed in switches.items():
            if not needed:
                args.append(f"{switch.replace('TML_', 'TINYML_')}=0")
    if not fast_kernels:
        args.append("TINYML_KERNELS_OPT=0")
    if not op_names:
        args.append("TINYML_OP_NAMES=0")
    return args


def _camera_lib(out: Path, paths: Paths) -> Path:
    """``out/lib``, a camera drive's ``lib/``: the built ``_tinyml.mpy`` and the ``tinyml``
    package compiled by mpy-cross. A ``.py`` is compiled on the camera, in its heap, when first
    imported (on an M7's heap ``import tinyml`` then fails where the compiled package fits); bytecode in a
    ROMFS ``.mpy`` is run in place."""
    lib = out / "lib"
    package = lib / "tinyml"
    package.mkdir(parents=True, exist_ok=True)
    shutil.copy2(out / "_tinyml.mpy", lib / "_tinyml.mpy")
    mpy_cross = paths.micropython / "mpy-cross" / "build" / "mpy-cross"
    for py in sorted((paths.root / "device" / "tinyml").glob("*.py")):
        dest = package / (py.stem + ".mpy")
        proc = subprocess.run([str(mpy_cross), "-o", str(dest), str(py)],
                              capture_output=True, text=True, check=False)  # fmt: skip
        if proc.returncode != 0:
            raise ToolchainError(f"mpy-cross {py} failed: {proc.stderr.strip()}")
    return lib


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


def _config_digest(b: Board, paths: Paths, cmd: list[str], out: Path) -> str:
    """What make does not track: the make command and the build files that set flags."""
    files = [
        paths.native_module / "micropython" / n
        for n in ("micropython.mk", "micropython.cmake", "Makefile")
    ]
    files.append(out / OPS_HEADER)
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
    progress: Callable[[str], None] | None = None,
    ops_from: list[Path] | None = None,
    op_names: bool = True,
    fast_kernels: bool = True,
) -> Path:
    """Build firmware for board ``name`` and return its path.

    With ``ops_from`` (model files) the firmware has only the ops those models use, in
    ``build/firmware/<board>-ops/``; without ``op_names``, no table of op names; without
    ``fast_kernels``, only the reference kernels, in ``<board>[-ops]-reference/``. Make output
    goes to ``log`` (default ``build/logs/firmware-<board>.log``); on failure the
    ToolchainError carries the log's tail. ``progress`` hears a summary line (files compiled,
    of how many the last full build compiled, seconds) every ``PROGRESS_EVERY`` seconds.
    """
    b = board(name, paths)
    check_toolchain(b, paths)
    check_micropython(paths)
    out = paths.firmware / out_dir(b, bool(ops_from), fast_kernels)
    log = log or paths.build / "logs" / f"firmware-{out.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    mpy_cross = paths.micropython / "mpy-cross"
    cmd = make_command(
        name, paths, jobs, ops_from=ops_from, op_names=op_names, fast_kernels=fast_kernels
    )
    if ops_from:
        header = out / OPS_HEADER
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
    obj = out / "obj"
    stamp = out / ".config"
    digest = _config_digest(b, paths, cmd, out)
    if not stamp.is_file() or stamp.read_text() != digest:
        shutil.rmtree(obj, ignore_errors=True)
        stamp.unlink(missing_ok=True)
    steps = [["make", "-C", str(mpy_cross), f"-j{jobs or os.cpu_count() or 1}"], cmd]
    if b.port == "rp2":
        steps[1:] = rp2_steps
    counter = _CompileCounter(name, out / ".compiled", progress)
    with log.open("w") as f:
        for cmd in steps:
            f.write("$ " + " ".join(cmd) + "\n")
            f.flush()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, text=True, errors="replace")  # fmt: skip
            assert proc.stdout is not None
            for line in proc.stdout:
                f.write(line)
                counter.line(line)
            rc = proc.wait()
            if rc != 0:
                break
    counter.done(rc == 0)
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
    elif b.natmod:
        _camera_lib(out, paths)
    elif b.port == "qemu":
        elf = out / "obj" / "firmware.elf"
        dest = out / b.output
        if not dest.exists() or dest.stat().st_mtime < elf.stat().st_mtime:
            shutil.copy2(elf, dest)
    return out / b.output
