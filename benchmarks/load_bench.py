"""Instructions to load a model on the emulated boards: in place (the model already in memory,
as a model in flash, ROMFS or a frozen ``bytes`` is) against read from a file into RAM.

``tinyml.Model(buffer)`` on a buffer-protocol object uses it in place: what it costs is the
engine's own work (checking the flatbuffer, planning the arena, preparing every op).
``tinyml.Model(path)`` adds reading the file and the copy. Both are timed in the same boot with
``-icount shift=0`` (``ticks_us`` x 1000 = instructions), a few times each, and the least kept.

    python benchmarks/load_bench.py [--boards qemu-m7,qemu-m0] [name ...]

Target (issue 13): person_detect in place on the emulated M7 in under 10 M instructions.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from bench import MODELS, models_dir
from device_bench import emulated, stop_emulators, table

SCRIPT = """
import gc, time, tinyml
def least(f):
    best = None
    for _ in range(3):
        gc.collect()
        t = time.ticks_us()
        m = f()
        t = time.ticks_diff(time.ticks_us(), t)
        del m
        best = t if best is None else min(best, t)
    return best
with open({name!r}, "rb") as f:
    buf = f.read()
in_place = least(lambda: tinyml.Model(buf))
assert tinyml.Model(buf).in_place
from_file = least(lambda: tinyml.Model({name!r}))
print("RESULT", in_place, from_file)
"""

# Models the Cortex-M0's heap holds twice (the buffer and a copy read from the file).
M0_MODELS = {"KWS", "IC", "KWS_SVDF", "MNIST_LSTM"}


def measure(board: str, path) -> tuple[int, int]:
    device = emulated(board)
    remote = "load.tflite"
    device.put(path, remote)
    try:
        out = device.exec(SCRIPT.format(name=remote), timeout=600)
    finally:
        device.exec(f"import os\nos.remove({remote!r})", timeout=30)
    line = next(s for s in out.splitlines() if s.startswith("RESULT "))
    _, in_place, from_file = line.split()
    return int(in_place) * 1000, int(from_file) * 1000


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help=f"models (default all: {', '.join(MODELS)})")
    p.add_argument("--boards", default="qemu-m7,qemu-m0")
    p.add_argument("--models", help="models directory (default ../shared/models)")
    args = p.parse_args(argv)
    root = Path(models_dir(args.models))
    names = args.names or list(MODELS)
    rows = []
    try:
        for board in args.boards.split(","):
            for name in names:
                if board == "qemu-m0" and name not in M0_MODELS:
                    continue
                in_place, from_file = measure(board, root / MODELS[name])
                rows.append(
                    [
                        board,
                        name,
                        f"{in_place / 1e6:.2f}",
                        f"{from_file / 1e6:.2f}",
                        f"{from_file / in_place:.1f}x",
                    ]
                )
                print(rows[-1], file=sys.stderr)
    finally:
        stop_emulators()
    print(f"Measured {datetime.date.today()} (millions of instructions to load)\n")
    head = ["board", "model", "in place (M)", "from a file (M)", "file / in place"]
    print(table(head, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
