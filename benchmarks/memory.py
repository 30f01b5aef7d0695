"""Flash and RAM per board: the engine's code in each firmware built here, per op, and each
model's exact arena on each kind of core, beside TFLite Micro's.

    python benchmarks/memory.py [--per-op] [FIRMWARE_DIR ...]

Flash: code and constant data linked from native_module/engine, from the linker map of each
build/firmware/<board>/ folder given (default: every one with obj/firmware.map, e.g. qemu-m7,
qemu-m0 and qemu-m7-ops, which ``tinyml firmware build --board qemu-m7 --ops-from
person_detect.tflite`` builds, and qemu-m7-ops-reference, the same with ``--no-fast-kernels``),
split into the core (loading, planning, errors), the ops and
the kernels. Arena: the engine's plan for each target (``tinyml inspect --board``), which
tests/test_device_arena.py checks against the emulated boards byte for byte; TFLite Micro's is
its Python interpreter's on this 64-bit host, so the ratio compares like with like.

Targets (issue 13): at most 24 KB of engine + kernel code on ARMv7E-M for person_detect alone;
arenas at most 0.7x TFLite Micro's.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# One input section of the link: " .text.name 0xaddr 0xsize object" (the name may sit alone on
# the line before).
_SECTION_RE = re.compile(r"^ (\.\S+)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+\.o)$")
_FLASH = (".text", ".rodata")


def engine_bytes(map_file: Path) -> dict[str, int]:
    """{"core", "ops", "kernels": bytes of code and constants} linked from obj/engine/."""
    totals = {"core": 0, "ops": 0, "kernels": 0}
    for part, n in object_bytes(map_file).items():
        kind = (
            "ops"
            if part.startswith("ops/")
            else "kernels"
            if part.startswith("kernels/")
            else "core"
        )
        totals[kind] += n
    return totals


def object_bytes(map_file: Path) -> dict[str, int]:
    """{object under obj/engine/ ("ops/conv_2d.o"): bytes of code and constants linked}."""
    totals: dict[str, int] = {}
    text = map_file.read_text(errors="replace")
    text = text[text.index("Linker script and memory map") :]
    name = None
    for line in text.splitlines():
        if re.match(r"^ \.\S+$", line):  # a long section name alone on its line
            name = line.strip()
            continue
        m = _SECTION_RE.match(line)
        if not m:
            name = None
            continue
        section = m.group(1) or name
        name = None
        obj = m.group(3)
        if "/engine/" not in obj or not section or not section.startswith(_FLASH):
            continue
        part = obj.split("/engine/", 1)[1]
        totals[part] = totals.get(part, 0) + int(m.group(2), 16)
    return totals


def per_op_bytes(map_file: Path) -> dict[str, int]:
    """{op file (ops/<name>.o): its bytes plus those of the kernels named after it}; kernels no
    op is named for (the GEMMs, broadcasting) under "shared kernels"."""
    objects = object_bytes(map_file)
    ops = sorted((o[4:-2] for o in objects if o.startswith("ops/")), key=len, reverse=True)
    totals: dict[str, int] = {}
    for obj, n in objects.items():
        base = obj.rsplit("/", 1)[-1][:-2]
        if obj.startswith("ops/"):
            key = base
        elif obj.startswith("kernels/"):
            key = next((op for op in ops if base.startswith(op)), "shared kernels")
        else:
            continue
        totals[key] = totals.get(key, 0) + n
    return totals


# Arena columns: a board standing for each target the engine plans for.
ARENA_BOARDS = {
    "Cortex-M4/M7 (qemu-m7, OpenMV)": "qemu-m7",
    "Cortex-M0+, ESP32-S3 (rp2040)": "rp2040",
    "64-bit host (unix)": "unix",
}


def arena_rows(names: list[str]) -> list[list[str]]:
    sys.path.insert(0, str(Path(__file__).parent))
    import numpy as np
    from bench import MODELS, details, models_dir, random_inputs, tflm_arena_bytes
    from tflite_micro.python.tflite_micro import runtime
    from tinyml import inspect

    rows = []
    for name in names:
        path = Path(models_dir(None)) / MODELS[name]
        data = path.read_bytes()
        ref = runtime.Interpreter.from_bytes(data, arena_size=max(10 * len(data), 8 << 20))
        xs = random_inputs(details(ref.get_input_details), np.random.default_rng(0))
        for i, x in enumerate(xs):
            ref.set_input(x, i)
        ref.invoke()
        tflm = tflm_arena_bytes(ref)
        arenas = [
            inspect.arena_size(data, inspect.board_target(inspect.load_board(b)))[0]
            for b in ARENA_BOARDS.values()
        ]
        host = arenas[-1]
        rows.append([name, *(f"{a:,}" for a in arenas), f"{tflm:,}", f"{host / tflm:.2f}"])
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dirs", nargs="*", type=Path)
    p.add_argument("--per-op", action="store_true", help="also the flash of each op")
    p.add_argument("--models", default="KWS,VWW,IC,AD,person_detect", help="arena table rows")
    args = p.parse_args(argv)
    firmware = ROOT / "build" / "firmware"
    dirs = args.dirs or sorted(d for d in firmware.iterdir() if (d / "obj/firmware.map").is_file())
    print(f"Measured {datetime.date.today()}.\n")
    print("Engine flash (bytes of code and constants, from the link map):\n")
    print("| firmware | core | ops | kernels | engine total |")
    print("|---|---|---|---|---|")
    for d in dirs:
        t = engine_bytes(d / "obj" / "firmware.map")
        total = sum(t.values())
        print(f"| {d.name} | {t['core']:,} | {t['ops']:,} | {t['kernels']:,} | {total:,} |")
    if args.per_op and dirs:
        print("\nPer op (the op and the kernels named after it; - : not in that firmware):\n")
        per = [per_op_bytes(d / "obj" / "firmware.map") for d in dirs]
        print("| op | " + " | ".join(d.name for d in dirs) + " |")
        print("|---|" + "---|" * len(dirs))
        for op in sorted(set().union(*per)):
            cells = [f"{p[op]:,}" if op in p else "-" for p in per]
            print(f"| {op} | " + " | ".join(cells) + " |")
    print("\nArena (bytes; TFLite Micro's on the 64-bit host, ratio host over TFLM):\n")
    head = ["model", *ARENA_BOARDS, "TFLM", "ratio"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in arena_rows(args.models.split(",")):
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
