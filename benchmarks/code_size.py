"""Flash the engine takes in a firmware: code and constant data linked from native_module/engine,
split into the core (loading, planning, errors), the ops and the kernels, from the linker map.

    python benchmarks/code_size.py [FIRMWARE_DIR ...]

FIRMWARE_DIR is a build/firmware/<board>/ folder holding obj/firmware.map (the qemu and unix
ports write one); the default is the full qemu_m7 firmware and the person_detect-only one that
``tinyml firmware build --board qemu-m7 --ops-from person_detect.tflite`` builds in qemu_m7_ops.

Target (issue 13): a firmware built for person_detect alone carries at most 24 KB of engine +
kernel code on ARMv7E-M.
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
        kind = "ops" if part.startswith("ops/") else "kernels" if part.startswith("kernels/") else "core"
        totals[kind] += int(m.group(2), 16)
    return totals


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = [ROOT / "build" / "firmware" / d for d in ("qemu_m7", "qemu_m7_ops")]
    p.add_argument("dirs", nargs="*", type=Path, default=default)
    args = p.parse_args(argv)
    print(f"Measured {datetime.date.today()} (bytes of code and constants, from the link map)\n")
    print("| firmware | core | ops | kernels | engine total |")
    print("|---|---|---|---|---|")
    for d in args.dirs:
        t = engine_bytes(d / "obj" / "firmware.map")
        total = sum(t.values())
        print(f"| {d.name} | {t['core']:,} | {t['ops']:,} | {t['kernels']:,} | {total:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
