"""Instructions per inference on a Cortex-M0 (the RP2040's instruction set), under emulation.

Boots the emulated Cortex-M0 (boards/qemu-m0: QEMU's microbit machine with a Pico's RAM) with
``-icount shift=0``, so that one virtual nanosecond is one executed instruction. For each model
that fits a Pico's heap when read from a file, it copies the model to the board (the larger
ones into the board's flash slot, used in place as a model frozen into the firmware is), runs
``m.invoke()`` a number of times between two ``time.ticks_us()`` reads and prints the
instructions per invoke, the model's multiply-accumulates (``tinyml inspect``) and the ratio of
the two, which is the figure to compare between kernel versions.

    python benchmarks/m0_instructions.py [--iterations 5] [--models DIR] [name ...]

Instructions, not cycles: QEMU counts instructions and models no pipeline, wait states or
flash cache, so a real RP2040 takes more cycles than this count (loads, stores, taken
branches and multiplies all take more than one cycle on some cores; XIP flash misses add
more). Not a test: record the table in the README with the date.
"""

import argparse
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "host"))

MODELS = {
    "hello_world": "tflite-micro/hello_world_int8.tflite",
    "micro_speech": "tflite-micro/micro_speech_quantized.tflite",
    "KWS (DS-CNN)": "mlcommons-tiny/kws_ref_model.tflite",
    "IC (ResNet-8)": "mlcommons-tiny/pretrainedResnet_quant.tflite",
    "AD (FC autoencoder)": "mlcommons-tiny/ad01_int8.tflite",
    "person_detect": "tflite-micro/person_detect.tflite",
}
# Too big for the heap beside their arenas: run from the flash slot.
IN_FLASH = {"AD (FC autoencoder)", "person_detect"}

SCRIPT = """\
import gc, time, tinyml, uctypes
m = tinyml.Model({source})
n = 1
for d in m.input_shape:
    n *= d
m.predict(bytes((i * 37 + 5) & 0xFF for i in range(n)))
gc.collect()
t0 = time.ticks_us()
for _ in range({iterations}):
    m.invoke()
t1 = time.ticks_us()
for _ in range({iterations}):
    pass
t2 = time.ticks_us()
print(time.ticks_diff(t1, t0) - time.ticks_diff(t2, t1), m.arena_size)
"""


def main(argv=None):
    from tinyml import inspect
    from tinyml.device import Device
    from tinyml.device_setup import build_if_missing
    from tinyml.emulator import Emulator, write_model_slot
    from tinyml.paths import Paths

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--models", help="shared models directory (default: ../shared/models)")
    ap.add_argument("names", nargs="*", help=f"models to run (default: all of {list(MODELS)})")
    args = ap.parse_args(argv)
    paths = Paths.default()
    models = args.models or str(paths.models)
    names = args.names or list(MODELS)
    # A private emulator: never one a user or a test run holds.
    os.environ.setdefault("TINYML_EMULATOR_DIR", str(paths.build / "emulator" / "bench-m0"))
    paths = Paths.default()
    emu = Emulator("qemu-m0", paths)
    build_if_missing("qemu-m0", paths)  # starting never builds
    _, started = emu.start(die_with_parent=True)
    rows = []
    try:
        with Device("emulator:qemu-m0", paths=paths) as dev:
            for name in names:
                path = os.path.join(models, MODELS[name])
                macs = inspect.analyze(path).macs
                if name in IN_FLASH:
                    addr, size = write_model_slot(dev, path)
                    source = f"uctypes.bytearray_at({addr}, {size})"
                else:
                    dev.put(path, "bench.tflite")
                    source = '"bench.tflite"'
                script = SCRIPT.format(source=source, iterations=args.iterations)
                us, arena = (int(v) for v in dev.exec(script, timeout=1200).split())
                instructions = us * 1000 // args.iterations
                where = "flash" if name in IN_FLASH else "RAM"
                rows.append((name, macs, instructions, arena, os.path.getsize(path), where))
    finally:
        if started:
            emu.stop()
    print(f"Cortex-M0 (QEMU microbit, -icount shift=0), mean of {args.iterations} invokes")
    print(
        "| model | MACs | instructions per inference | instructions per MAC | arena | model in |"
    )
    print("|---|---|---|---|---|---|")
    for name, macs, ins, arena, size, where in rows:
        per_mac = f"{ins / macs:.1f}" if macs else "-"
        print(f"| {name} | {macs:,} | {ins:,} | {per_mac} | {arena:,} | {where} ({size:,}) |")


if __name__ == "__main__":
    main()
