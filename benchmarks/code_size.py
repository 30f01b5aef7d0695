"""Code size of the whole engine (every op) compiled for ARMv7E-M, per file and per op.

Every C file under native_module/engine is compiled on its own with arm-none-eabi-gcc for the
qemu_m7 firmware's core and flags (Cortex-M7, Thumb-2, FPv5 double-precision FPU, gnu99,
-ffunction-sections -fdata-sections, no FMA, NDEBUG), then all objects are linked into one image
as a firmware holds them (identical strings of different files merge once). The size is the
image's .text and .rodata (code and constant tables, strings included: what goes to flash); the
engine has no initialised data. Every op is in it: it is the engine before a firmware's linker
drops ops a build does not register. The faces (native_module/micropython, cpython) and the
dsp module are not. Per file, the table gives each object's own .text and .rodata.

    .venv/bin/python benchmarks/code_size.py [--opt O2|Os|firmware] [--files] [--json] [-D SWITCH=V]

``--opt firmware`` compiles each file at the level the firmware gives it (micropython.mk:
``kernels/`` at -O2, the rest at the port's -Os); -O2 and -Os compile everything at that level.
``-D`` sets a switch of tml_config.h, e.g. ``-D TML_KERNELS_F32=0`` for every op without the
float32 kernels (what a build for int8 models alone carries). The budget line compares the linked size with issue 12's target: 64 KB (65,536 bytes) of\ncode at -O2.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "native_module" / "engine"
CC = "arm-none-eabi-gcc"
BUDGET = 64 * 1024

# boards/qemu_m7/mpconfigboard.mk, boards/qemu_common/qemu_common.mk and ports/qemu/Makefile.
FLAGS = [
    "-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard", "-std=gnu99",
    "-DNDEBUG", "-ffunction-sections", "-fdata-sections", "-ffp-contract=off",
]  # fmt: skip


def firmware_level(rel: str) -> str:
    """The level native_module/micropython/micropython.mk gives this engine file."""
    return "-O2" if rel.startswith("kernels/") else "-Os"


def section_sizes(obj: Path) -> tuple[int, int]:
    """(.text bytes, .rodata bytes) of one object, every function and data section summed."""
    out = subprocess.run(
        ["arm-none-eabi-objdump", "-h", str(obj)], capture_output=True, text=True, check=True
    ).stdout
    text = rodata = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit():
            name, size = parts[1], int(parts[2], 16)
            if name.startswith(".text"):
                text += size
            elif name.startswith(".rodata"):
                rodata += size
    return text, rodata


def op_of(rel: str, ops: list[str]) -> str:
    """The op a file belongs to, or the shared group it serves."""
    path = Path(rel)
    if not rel.startswith(("ops/", "kernels/")):
        return "(core: loading, planning, interpreter, math)"
    if path.parts[:2] == ("kernels", "opt"):
        if path.stem.startswith("mat_mult"):
            return "conv_2d + fully_connected (GEMM fast path)"
        return path.stem.rsplit("_s8", 1)[0] + " (fast path)"
    if rel.startswith("ops/conv_common"):
        return "conv_2d + depthwise_conv_2d + fully_connected (shared prepare)"
    stem = path.stem
    matches = [op for op in ops if stem == op or stem.startswith(op + "_")]
    if matches:
        return max(matches, key=len)
    if stem.startswith(("average_pool_2d", "max_pool_2d")):
        return "pool_2d"
    return "(kernels shared by several ops)"


def measure(opt: str, defines: list[str] = ()) -> tuple[list[dict], dict]:
    if shutil.which(CC) is None:
        raise SystemExit(f"{CC} not found: apt-get install gcc-arm-none-eabi")
    sources = sorted(p.relative_to(ENGINE).as_posix() for p in ENGINE.rglob("*.c"))
    ops = sorted(p.stem for p in (ENGINE / "ops").glob("*.c"))
    with tempfile.TemporaryDirectory(prefix="tinyml-size-") as tmp:

        def one(rel: str) -> dict:
            level = firmware_level(rel) if opt == "firmware" else f"-{opt}"
            obj = Path(tmp) / (rel.replace("/", "__") + ".o")
            cmd = [CC, *FLAGS, *(f"-D{d}" for d in defines), level, f"-I{ENGINE}"]
            subprocess.run([*cmd, "-c", str(ENGINE / rel), "-o", str(obj)], check=True)
            text, rodata = section_sizes(obj)
            return {"file": rel, "level": level, "text": text, "rodata": rodata,
                    "bytes": text + rodata, "op": op_of(rel, ops)}  # fmt: skip

        with ThreadPoolExecutor(max_workers=2) as pool:
            rows = list(pool.map(one, sources))
        # Linked as one image, as a firmware holds them: identical strings of different files
        # merge, and functions get their alignment. Nothing is dropped (no --gc-sections); the
        # libc and libgcc calls stay unresolved and are not counted.
        elf = Path(tmp) / "engine.elf"
        objs = [str(Path(tmp) / (r["file"].replace("/", "__") + ".o")) for r in rows]
        subprocess.run(
            [CC, *FLAGS, "-nostdlib", "-Wl,--unresolved-symbols=ignore-all", "-Wl,-e,0",
             "-o", str(elf), *objs],
            check=True,
        )  # fmt: skip
        text, rodata = section_sizes(elf)
        return rows, {"text": text, "rodata": rodata, "bytes": text + rodata}


def table(head: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def report(rows: list[dict], linked: dict, opt: str, files: bool, defines: list[str] = ()) -> str:
    total = sum(r["bytes"] for r in rows)
    size = linked["bytes"]
    out = [
        (
            f"engine for ARMv7E-M (Cortex-M7), {' '.join([opt, *defines])}, linked: {size:,} bytes "
            f"({linked['text']:,} .text + {linked['rodata']:,} .rodata); "
            f"budget {BUDGET:,} ({'within' if size <= BUDGET else f'{size - BUDGET:,} over'})"
        ),
        f"sum of the {len(rows)} files' objects (strings not merged): {total:,} bytes",
        "",
    ]
    by_op: dict[str, int] = defaultdict(int)
    for r in rows:
        by_op[r["op"]] += r["bytes"]
    out.append(
        table(
            ["op or group", "bytes"],
            [[k, f"{v:,}"] for k, v in sorted(by_op.items(), key=lambda kv: -kv[1])],
        )
    )
    kinds = {
        "float32 kernels (kernels/ref/*_f32.c)": lambda r: r["file"].endswith("_f32.c"),
        "signal ops (ops/signal_*, kernels/ref/signal_*)": lambda r: "signal_" in r["file"],
        "LSTM and SVDF": lambda r: "lstm" in r["file"] or "svdf" in r["file"],
        "prepare and eval (ops/)": lambda r: r["file"].startswith("ops/"),
        "kernels (kernels/)": lambda r: r["file"].startswith("kernels/"),
    }
    out += [
        "",
        table(
            ["slice", "bytes"],
            [[k, f"{sum(r['bytes'] for r in rows if f(r)):,}"] for k, f in kinds.items()],
        ),
    ]
    if files:
        ordered = sorted(rows, key=lambda r: -r["bytes"])
        out += ["", table(["file", "level", ".text", ".rodata"],
                          [[r["file"], r["level"], r["text"], r["rodata"]] for r in ordered])]  # fmt: skip
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opt", choices=["O2", "Os", "firmware"], default="O2")
    parser.add_argument("--files", action="store_true", help="also list every file")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument(
        "-D", dest="defines", action="append", default=[], metavar="SWITCH=V",
        help="a tml_config.h switch, e.g. TML_KERNELS_F32=0",
    )  # fmt: skip
    args = parser.parse_args(argv)
    rows, linked = measure(args.opt, args.defines)
    if args.json:
        print(json.dumps({"linked": linked, "files": rows}, indent=2))
    else:
        print(report(rows, linked, args.opt, args.files, args.defines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
