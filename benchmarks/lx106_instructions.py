"""Instructions per inference of the engine on an emulated Xtensa LX106 core (QEMU -icount).

Runs tests/engine/xtensa's runner under qemu-system-xtensa (``-M sim -cpu lx106``, one
instruction per virtual nanosecond) on one random input per model, checks the outputs against
the host engine (tinyml._tinyml, bit-exact with TFLite Micro), and prints the instructions
tml_invoke() executed, the model's MACs (tinyml inspect) and their ratio.

These are LX106 counts (ESP8266's core: no FPU, no MAC or SIMD instructions, soft float), not
ESP32-S3 (LX7) ones, and not cycles: they say how much work the C does on a small 32-bit core,
and move when a kernel changes; they do not predict an ESP32-S3's speed.

    python benchmarks/lx106_instructions.py [--models DIR] [name ...]

Not a test (tests/engine/test_xtensa.py is): record the table in the README with the date.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "engine" / "xtensa"))

import lx106

MODELS = {
    "hello_world (int8)": "tflite-micro/hello_world_int8.tflite",
    "hello_world (float32)": "tflite-micro/hello_world_float.tflite",
    "micro_speech": "tflite-micro/micro_speech_quantized.tflite",
    "KWS (DS-CNN)": "mlcommons-tiny/kws_ref_model.tflite",
    "person_detect": "tflite-micro/person_detect.tflite",
    "VWW (MobileNetV1 0.25)": "mlcommons-tiny/vww_96_int8.tflite",
    "AD (float32)": "mlcommons-tiny/ad01_fp32.tflite",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYML_MODELS"))
    ap.add_argument("names", nargs="*", help=f"default: all of {', '.join(MODELS)}")
    args = ap.parse_args()
    models = Path(args.models or ROOT.parent / "shared" / "models")
    missing = lx106.missing_tools()
    if missing:
        sys.exit(f"missing {', '.join(missing)}: run make setup")

    from tinyml import _tinyml
    from tinyml.inspect import analyze

    elf = lx106.build_runner()
    print("| model | LX106 instructions per inference | MACs | instructions per MAC |")
    print("|---|---:|---:|---:|")
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.names or MODELS:
            path = models / MODELS[name]
            model = _tinyml.Model(path.read_bytes())
            n = len(model.input(0))
            if model.input_dtype == "float32":
                data = rng.uniform(-1, 1, n // 4).astype(np.float32).tobytes()
            else:
                data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
            inputs = Path(tmp) / "in.bin"
            inputs.write_bytes(data)
            r = lx106.run(elf, path, inputs, timeout=600)
            model.input(0)[:] = data
            model.invoke()
            same = r.outputs == [bytes(model.output(i)) for i in range(model.num_outputs)]
            if r.returncode != 0 or not same:
                sys.exit(f"{name}: the emulated core disagrees with the host engine:\n{r.text}")
            macs = analyze(path).macs
            ratio = f"{r.instructions / macs:.1f}" if macs else "-"
            print(f"| {name} | {r.instructions:,} | {macs:,} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
