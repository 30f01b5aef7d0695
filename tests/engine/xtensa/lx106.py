"""Builds the engine's model runner for an Xtensa LX106 core and runs it under QEMU.

The compiler is Debian's xtensa-lx106-elf-gcc with picolibc; QEMU's ``sim`` machine with the
``lx106`` CPU runs it, reading files and writing its console through semihosting (``simcall``).
Debian's libgcc for this core leaves out what an ESP8266 has in ROM (integer division, soft
float): those are built here from GCC's own Xtensa sources, found in Debian's gcc-12-source
package, with the compiler's own ``xtensa-config.h``.

Under ``-icount shift=0`` one instruction takes one virtual nanosecond, and QEMU's lx106 core
advances CCOUNT at 40 MHz, so one CCOUNT tick is 25 instructions. Each run checks that
against a loop of known length. These are LX106 instruction counts, not LX7 (ESP32-S3) ones:
the LX7 has other instructions (MAC, SIMD, FPU), so the numbers say nothing of its speed.

Used by tests/engine/test_xtensa.py and benchmarks/lx106_instructions.py.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
ENGINE = ROOT / "native_module" / "engine"
BUILD = ROOT / "build" / "xtensa"

CC = "xtensa-lx106-elf-gcc"
AR = "xtensa-lx106-elf-ar"
QEMU = "qemu-system-xtensa"
PICOLIBC_SPECS = Path("/usr/lib/xtensa-lx106-elf/picolibc.specs")
# Debian packages that provide each tool (scripts/setup.sh installs them).
PACKAGES = {
    CC: "gcc-xtensa-lx106",
    QEMU: "qemu-system-misc",
    str(PICOLIBC_SPECS): "picolibc-xtensa-lx106-elf",
    "gcc source": "gcc-12-source",
}

# The engine's own strictness plus strict alignment: a cast from a byte pointer to a wider
# type must say so (through void *), so every such place can be audited.
WARNINGS = ["-Wall", "-Wextra", "-Werror", "-Wcast-align=strict"]
CFLAGS = ["-std=c99", "-O2", "-g", "-ffp-contract=off", *WARNINGS]
XTENSA_FLAGS = ["-mtext-section-literals", "-mlongcalls"]

# lib1funcs.S modules (GCC's libgcc/config/xtensa/t-xtensa) absent from Debian's lx106 libgcc.
ROM_MODULES = (
    "_udivsi3",
    "_divsi3",
    "_umodsi3",
    "_umulsidi3",
    "_addsubsf3",
    "_mulsf3",
    "_floatsisf",
    "_floatunsisf",
    "_fixunssfsi",
    "_addsubdf3",
    "_muldf3",
    "_divdf3",
    "_fixdfsi",
    "_fixunsdfsi",
    "_floatsidf",
    "_floatunsidf",
    "_extendsfdf2",
    "_truncdfsf2",
)

CCOUNT_KHZ = 40000  # QEMU's lx106 core configuration (target/xtensa/core-lx106.c)
INSTRUCTIONS_PER_TICK = 1_000_000 // CCOUNT_KHZ  # at one instruction per virtual ns


def missing_tools() -> list[str]:
    """Tools the build or the run needs that are not installed, with their Debian package."""
    missing = [f"{tool} ({PACKAGES[tool]})" for tool in (CC, QEMU) if shutil.which(tool) is None]
    if not PICOLIBC_SPECS.is_file():
        missing.append(f"{PICOLIBC_SPECS} ({PACKAGES[str(PICOLIBC_SPECS)]})")
    if shutil.which(CC) and gcc_source() is None:
        missing.append(f"the GCC {gcc_major()} source tarball ({PACKAGES['gcc source']})")
    return missing


def gcc_major() -> str:
    out = subprocess.run([CC, "-dumpversion"], capture_output=True, text=True, check=True)
    return out.stdout.strip().split(".")[0]


def gcc_source() -> Path | None:
    found = sorted(glob.glob(f"/usr/src/gcc-{gcc_major()}/gcc-{gcc_major()}*.tar.xz"))
    return Path(found[-1]) if found else None


def engine_sources() -> list[Path]:
    """Every .c under native_module/engine, as the other builds glob them."""
    return sorted(ENGINE.rglob("*.c"))


def _digest(parts: list[str | bytes]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode())
        h.update(b"\0")
    return h.hexdigest()


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{' '.join(cmd)}\n{proc.stderr[-4000:]}")


def build_rom_library(build: Path = BUILD) -> Path:
    """libgcc_rom.a: the ROM_MODULES, from GCC's Xtensa sources (cached)."""
    src = gcc_source()
    include = (
        Path(
            subprocess.run(
                [CC, "-print-file-name=plugin"], check=True, capture_output=True, text=True
            ).stdout.strip()
        )
        / "include"
    )
    lib = build / "libgcc_rom.a"
    stamp = build / "libgcc_rom.stamp"
    want = _digest([str(src), str(src.stat().st_size), *ROM_MODULES])
    if lib.is_file() and stamp.is_file() and stamp.read_text() == want:
        return lib
    work = build / "libgcc"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    names = ("lib1funcs.S", "ieee754-sf.S", "ieee754-df.S")
    with tarfile.open(src) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(
                tuple("/libgcc/config/xtensa/" + n for n in names)
            ):
                (work / Path(member.name).name).write_bytes(tar.extractfile(member).read())
    objs = []
    for module in ROM_MODULES:
        obj = work / f"{module}.o"
        _run(
            [
                CC,
                "-c",
                "-O2",
                f"-I{include}",
                f"-DL{module}",
                str(work / "lib1funcs.S"),
                "-o",
                str(obj),
            ],
            f"libgcc module {module}",
        )
        objs.append(str(obj))
    lib.unlink(missing_ok=True)
    _run([AR, "rcs", str(lib), *objs], "ar")
    stamp.write_text(want)
    return lib


def _sources_digest(files: list[Path], flags: list[str]) -> str:
    headers = sorted(ENGINE.rglob("*.h")) + sorted(HERE.glob("*.h"))
    return _digest(
        [*flags] + [str(f) + "\n" for f in files] + [f.read_bytes() for f in files + headers]
    )


def build_elf(sources: list[Path], elf: Path, build: Path = BUILD) -> Path:
    """Links sources with start.S and sim.c for the emulated core; rebuilt only when a source
    or flag changes."""
    build.mkdir(parents=True, exist_ok=True)
    rom = build_rom_library(build)
    files = [HERE / "start.S", HERE / "sim.c", *sources]
    cmd = [
        CC, f"--specs={PICOLIBC_SPECS}", "-nostartfiles", "-T", str(HERE / "sim.ld"),
        *CFLAGS, *XTENSA_FLAGS, f"-I{ENGINE}", f"-I{HERE}", *map(str, files),
        "-Wl,--start-group", "-lc", "-lgcc", str(rom), "-Wl,--end-group", "-o", str(elf),
    ]  # fmt: skip
    stamp = elf.with_suffix(".stamp")
    want = _sources_digest(files, cmd)
    if elf.is_file() and stamp.is_file() and stamp.read_text() == want:
        return elf
    _run(cmd, "xtensa build")
    stamp.write_text(want)
    return elf


def build_runner(build: Path = BUILD) -> Path:
    """runner.elf: the runner and every engine source."""
    sources = [HERE / "runner.c", HERE / "libgcc_rom.c", *engine_sources()]
    return build_elf(sources, build / "runner.elf", build)


def build_host_runner(out: Path, cc: str, sanitize: list[str]) -> Path:
    """The same runner for the host, with the given sanitizer flags."""
    files = [HERE / "host.c", HERE / "runner.c", *engine_sources()]
    exe = out / "runner-host"
    # clang's -Wcast-align is GCC's -Wcast-align=strict (it warns whatever the target).
    cflags = [
        "-Wcast-align" if f == "-Wcast-align=strict" and "clang" in Path(cc).name else f
        for f in CFLAGS
    ]
    cmd = [cc, *cflags, *sanitize, f"-I{ENGINE}", f"-I{HERE}", *map(str, files), "-o", str(exe)]
    _run(cmd, "host build")
    return exe


@dataclass
class Result:
    returncode: int
    text: str
    outputs: list[bytes] = field(default_factory=list)
    arena: int | None = None
    abi: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # "<status>: <message>"
    ticks: int | None = None
    calibration: tuple[int, int] | None = None  # (ticks, instructions)

    @property
    def instructions(self) -> int:
        """Instructions tml_invoke() executed (QEMU -icount; LX106, not LX7)."""
        return self.ticks * INSTRUCTIONS_PER_TICK


def parse(returncode: int, text: str) -> Result:
    r = Result(returncode, text)
    for line in text.splitlines():
        key, _, rest = line.partition(" ")
        if key == "output":
            index, _, hexed = rest.partition(" ")
            assert int(index) == len(r.outputs), text
            r.outputs.append(bytes.fromhex(hexed))
        elif key == "arena":
            r.arena = int(rest)
        elif key == "abi":
            r.abi = dict(kv.split("=") for kv in rest.split())
        elif key == "error":
            r.error = rest
        elif key == "invoke":
            r.ticks = int(rest)
        elif key == "calibration":
            ticks, instructions = rest.split()
            r.calibration = (int(ticks), int(instructions))
    return r


def _semihosting_arg(s: str) -> str:
    return "arg=" + s.replace(",", ",,")  # QEMU option syntax: a comma is doubled


def run(elf: Path, model: Path, inputs: Path, timeout: float = 120) -> Result:
    """Runs MODEL on the bytes of INPUTS on the emulated lx106 core."""
    cmd = [
        QEMU,
        "-M",
        "sim",
        "-cpu",
        "lx106",
        "-nodefaults",
        "-display",
        "none",
        "-monitor",
        "none",
        "-serial",
        "none",
        "-icount",
        "shift=0,sleep=off",
        "-semihosting-config",
        ",".join(["enable=on", *map(_semihosting_arg, ["runner", str(model), str(inputs)])]),
        "-kernel",
        str(elf),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    return parse(proc.returncode, proc.stdout + proc.stderr)


def run_host(exe: Path, model: Path, inputs: Path, timeout: float = 300) -> Result:
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0", UBSAN_OPTIONS="print_stacktrace=1")
    proc = subprocess.run(
        [str(exe), str(model), str(inputs)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    return parse(proc.returncode, proc.stdout + proc.stderr)
