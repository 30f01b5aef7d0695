"""Instructions per inference and per MAC of our firmware on the emulated boards.

Each board boots under QEMU with ``-icount shift=0``: one virtual nanosecond per executed
instruction, so ``time.ticks_us()`` deltas x 1000 count instructions, identically on every run
and machine. For each model (the MLPerf Tiny models and person_detect, the ones that fit), the
board loads it, invokes it once to warm up and once measured, and reports the instructions of
the measured ``invoke()`` and ``Model.profile()`` per op; MACs come from ``tinyml inspect``.

    python benchmarks/device_bench.py [--boards qemu-m7,qemu-m4] [--ops] [name ...]

Each board is a column (``COLUMNS``): a function from (model name, path) to a result dict, so
another way of running a model on a core adds one entry. Not a test: record the table in
benchmarks/README.md with the date.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import MODELS, models_dir
from tinyml import firmware
from tinyml.device import Device
from tinyml.device_setup import build_if_missing
from tinyml.emulator import Emulator
from tinyml.errors import DeviceError
from tinyml.inspect import analyze
from tinyml.paths import Paths

# What the board runs: instructions of one invoke (after a warm-up) and the per-op profile.
DEVICE_SCRIPT = """
import time
import tinyml
m = tinyml.Model({name!r})
x = m.input(0)
for i in range(len(x)):
    x[i] = (i * 37 + 11) & 0xFF
m.invoke()
t = time.ticks_us()
m.invoke()
t = time.ticks_diff(time.ticks_us(), t)
print("RESULT", t, m.profile())
"""


def emulated(board: str, *, fast_kernels: bool = True) -> Device:
    """``board`` booted with -icount (once per process; ``stop_emulators`` ends them all), or
    without ``fast_kernels`` the board's firmware built with the reference kernels alone
    (``tinyml firmware build --no-fast-kernels``, built here when missing)."""
    column = board if fast_kernels else f"{board}-reference"
    device = _devices.get(column)
    if device is None:
        # A private emulator: not one a user or a test run started without -icount, and apart
        # from the other columns' (two builds of one board run side by side).
        if "TINYML_BENCH_EMULATOR_DIR" not in os.environ:
            os.environ["TINYML_BENCH_EMULATOR_DIR"] = tempfile.mkdtemp(prefix="tinyml-bench-")
        state = Path(os.environ["TINYML_BENCH_EMULATOR_DIR"]) / column
        paths = Paths(Paths.default().root, {**os.environ, "TINYML_EMULATOR_DIR": str(state)})
        elf = firmware.firmware_path(board, paths, fast_kernels=fast_kernels)
        if fast_kernels:
            build_if_missing(board, paths)  # starting never builds
        elif not elf.exists():
            firmware.build(board, paths, fast_kernels=False)
        emulator = _emulators[column] = Emulator(board, paths, icount=True, firmware=elf)
        emulator.start(die_with_parent=True)
        device = _devices[column] = Device(f"emulator:{board}", paths=paths)
    return device


def stop_emulators() -> None:
    for device in _devices.values():
        device.close()
    for emulator in _emulators.values():
        emulator.stop()
    _devices.clear()
    _emulators.clear()


_devices: dict[str, Device] = {}
_emulators: dict[str, Emulator] = {}


def run_on_emulator(board: str, name: str, path: Path, *, fast_kernels: bool = True) -> dict:
    """Measures one model on ``board`` (``emulated``)."""
    device = emulated(board, fast_kernels=fast_kernels)
    remote = "bench.tflite"
    device.put(path, remote)
    try:
        out = device.exec(DEVICE_SCRIPT.format(name=remote), timeout=600)
    finally:
        device.exec(f"import os\nos.remove({remote!r})", timeout=30)
    line = next(s for s in out.splitlines() if s.startswith("RESULT "))
    _, us, profile = line.split(" ", 2)
    return {
        "instructions": int(us) * 1000,
        "ops": [(op, us * 1000) for op, us in ast.literal_eval(profile)],
    }


COLUMNS = {
    "qemu-m7": lambda name, path: run_on_emulator("qemu-m7", name, path),
    "qemu-m4": lambda name, path: run_on_emulator("qemu-m4", name, path),
    "qemu-m0": lambda name, path: run_on_emulator("qemu-m0", name, path),
    # What the fast kernels buy: the same M7 with every op on its reference kernel.
    "qemu-m7-reference": lambda name, path: run_on_emulator(
        "qemu-m7", name, path, fast_kernels=False
    ),
}


def per_op(layers, ops):
    """{op name: [instructions, MACs]} summed over the model's layers, in first-use order."""
    totals: dict[str, list[int]] = {}
    for layer, (op, instructions) in zip(layers, ops):
        t = totals.setdefault(op, [0, 0])
        t[0] += instructions
        t[1] += layer.macs
    return totals


def table(head, rows):
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(head, widths)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help=f"models (default all: {', '.join(MODELS)})")
    p.add_argument(
        "--boards",
        default="qemu-m7,qemu-m4,qemu-m0",
        help=f"comma-separated columns of {', '.join(COLUMNS)}",
    )
    p.add_argument("--ops", action="store_true", help="also print the per-op breakdown")
    p.add_argument("--models", help="models directory (default ../shared/models)")
    args = p.parse_args(argv)
    boards = args.boards.split(",")
    unknown = [b for b in boards if b not in COLUMNS]
    if unknown:
        p.error(f"unknown board {unknown[0]!r} (choose from {', '.join(COLUMNS)})")
    base = Path(models_dir(args.models))
    rows, breakdown = [], []
    try:
        for name in args.names or MODELS:
            path = base / MODELS[name]
            layers = analyze(path).layers
            macs = sum(layer.macs for layer in layers)
            row = [name, f"{macs / 1e6:.2f}"]
            for board in boards:
                try:
                    r = COLUMNS[board](name, path)
                except DeviceError as e:
                    # A model larger than the board's RAM: a dash, and why.
                    row += ["-", "-"]
                    print(f"{name} on {board}: {e}", file=sys.stderr)
                    continue
                row += [f"{r['instructions'] / 1e6:.2f}", f"{r['instructions'] / macs:.2f}"]
                for op, (n, op_macs) in per_op(layers, r["ops"]).items():
                    per_mac = f"{n / op_macs:.2f}" if op_macs else "-"
                    breakdown.append([name, board, op, f"{n / 1e6:.2f}", per_mac])
            rows.append(row)
            print(f"{name}: done", file=sys.stderr)
    finally:
        stop_emulators()
    head = ["model", "M MACs"]
    for board in boards:
        head += [f"{board} M instr", f"{board} instr/MAC"]
    print(f"{time.strftime('%Y-%m-%d')}, QEMU -icount shift=0, one warm invoke per model")
    print(table(head, rows))
    if args.ops:
        print()
        print(table(["model", "board", "op", "M instr", "instr/MAC"], breakdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
