"""tinyml against OpenMV's own ml (TensorFlow Lite Micro + CMSIS-NN) inside OpenMV's firmware.

Both run the same models on the same emulated Cortex-M7 (OpenMV's firmware on QEMU mps2-an500,
``-icount shift=0``: one instruction per virtual nanosecond, so the counts are exact and the
same on every run), from the same aligned ROMFS image, on the same pseudo-random int8 inputs.
Printed per model, in millions of instructions: one ``predict()`` with ml and with tinyml and
their ratio, and loading the model: ml's ``Model(path)`` (in place), tinyml's ``Model(path)``
in place from ROMFS and from a copy in RAM (``Model(open(path).read())``, the read included). Each row also says whether the two engines'
outputs are identical.

    .venv/bin/python benchmarks/openmv_ml.py [--models person_detect kws ...] [--json]

``predict()`` includes each module's own input copy and output conversion. The ml column is
the reference for the kernel work in native_module/engine/kernels.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "host"))

from tinyml import openmv_emulator, romfs
from tinyml.paths import Paths

MODELS = {
    "person_detect": "tflite-micro/person_detect.tflite",
    "kws": "mlcommons-tiny/kws_ref_model.tflite",
    "vww": "mlcommons-tiny/vww_96_int8.tflite",
    "ic": "mlcommons-tiny/pretrainedResnet_quant.tflite",
    "ad": "mlcommons-tiny/ad01_int8.tflite",
}

# Runs on the board: one line per model, all counts in microseconds of virtual time (x1000 =
# instructions). The first predict of each engine warms up; the second is timed.
BOARD_SCRIPT = """\
import gc, time, ml, tinyml
def us(f):
    t0 = time.ticks_us(); r = f(); return time.ticks_diff(time.ticks_us(), t0), r
for name in NAMES:
    path = "/rom/" + name + ".tflite"
    gc.collect()
    load_in_place, m = us(lambda: tinyml.Model(path))
    n = len(m.input())
    x = bytes((i * 73 + 41) & 0xFF for i in range(n))
    m.predict(x)
    t_tinyml, _ = us(lambda: m.predict(x))
    ours = bytes(m.output())
    assert m.in_place
    m = None
    gc.collect()
    load_copied, m = us(lambda: tinyml.Model(open(path, "rb").read()))
    m = None
    gc.collect()
    load_ml, ref = us(lambda: ml.Model(path))
    def fill(buf, shape, dtype):
        buf[:] = x
    ref.predict([fill])
    t_ml, out = us(lambda: ref.predict([fill]))
    s, z = ref.output_scale[0], ref.output_zero_point[0]
    theirs = bytes((round(v / s) + z) & 0xFF for v in out[0].flatten())
    print("ROW", name, t_ml, t_tinyml, load_ml, load_in_place, load_copied, int(ours == theirs))
    ref = None
"""


def run(names: list[str]) -> list[dict]:
    models = Paths.default().models
    lib = ROOT / "build" / "natmod" / "armv7emdp" / "_tinyml.mpy"
    # make, not a check that the file exists: a .mpy older than the engine measures the old one.
    build = ["make", "-C", "native_module/micropython", "ARCH=armv7emdp"]
    made = subprocess.run(build, cwd=ROOT, capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise SystemExit(f"{' '.join(build)} failed:\n{made.stdout[-2000:]}{made.stderr[-2000:]}")
    with tempfile.TemporaryDirectory(prefix="tinyml-openmv-bench-") as tmp:
        tree = Path(tmp) / "rom"
        (tree / "lib").mkdir(parents=True)
        shutil.copyfile(lib, tree / "lib" / "_tinyml.mpy")
        shutil.copytree(ROOT / "device" / "tinyml", tree / "lib" / "tinyml")
        for name in names:
            shutil.copyfile(models / MODELS[name], tree / f"{name}.tflite")
        image = Path(tmp) / "romfs.img"
        image.write_bytes(romfs.build(tree))
        out = openmv_emulator.run(image, f"NAMES = {names!r}\n" + BOARD_SCRIPT, timeout=600)
    rows = []
    for line in out.splitlines():
        if not line.startswith("ROW "):
            continue
        name, t_ml, t_ours, load_ml, load_place, load_copy, same = line.split()[1:]
        rows.append(
            {
                "model": name,
                "ml_instructions": int(t_ml) * 1000,
                "tinyml_instructions": int(t_ours) * 1000,
                "ratio": int(t_ours) / int(t_ml),
                "ml_load_instructions": int(load_ml) * 1000,
                "load_in_place_instructions": int(load_place) * 1000,
                "load_copied_instructions": int(load_copy) * 1000,
                "outputs_identical": same == "1",
            }
        )
    if [r["model"] for r in rows] != names:
        raise SystemExit("board output incomplete:\n" + out)
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        (
            "| model | OpenMV ml (M instr.) | tinyml (M instr.) | tinyml / ml | ml load | "
            "tinyml load in place | tinyml load copied | outputs identical |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['ml_instructions'] / 1e6:.2f} | "
            f"{r['tinyml_instructions'] / 1e6:.2f} | {r['ratio']:.2f}x | "
            f"{r['ml_load_instructions'] / 1e6:.2f} | "
            f"{r['load_in_place_instructions'] / 1e6:.2f} | "
            f"{r['load_copied_instructions'] / 1e6:.2f} | "
            f"{'yes' if r['outputs_identical'] else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args.models)
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
