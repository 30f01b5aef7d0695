"""Our engine against TFLite Micro on the MLPerf Tiny models and person_detect.

For each model, both interpreters run in this process on the same random inputs: the
median invoke time of each and their ratio, the arena bytes of each and their ratio, and
whether every output was identical. Our engine is the CPython face (tinyml._tinyml, built
with the project's compiler flags); TFLite Micro is the `tflite-micro` wheel (reference
kernels). TFLM's arena is what its RecordingMicroAllocator reports ("Arena allocation
total"), ours is Model.arena_size.

    python benchmarks/bench.py [--iterations 50] [--models DIR] [name ...]

Not a test: timings depend on the machine. Record the table in the README with the date
and the machine.
"""

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

MODELS = {
    "KWS": "mlcommons-tiny/kws_ref_model.tflite",
    "VWW": "mlcommons-tiny/vww_96_int8.tflite",
    "IC": "mlcommons-tiny/pretrainedResnet_quant.tflite",
    "AD": "mlcommons-tiny/ad01_int8.tflite",
    "person_detect": "tflite-micro/person_detect.tflite",
    # Recurrent models: the state carries over from one invoke to the next in both.
    "KWS_SVDF": "tflite-micro/keyword_scrambled_8bit.tflite",
    "MNIST_LSTM": "tflite-micro/trained_lstm_int8.tflite",
    "speech_LSTM": "tflite-micro/micro_speech_lstm.tflite",
    "DTLN": "tflite-micro/dtln_noise_suppression.tflite",
}


def models_dir(arg):
    return arg or os.environ.get("TINYML_MODELS") or os.path.join(ROOT, "..", "shared", "models")


class CaptureStderr:
    """Captures what C++ code writes to file descriptor 2."""

    def __enter__(self):
        sys.stderr.flush()
        self.saved = os.dup(2)
        self.tmp = tempfile.TemporaryFile(mode="w+b")
        os.dup2(self.tmp.fileno(), 2)
        return self

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.tmp.seek(0)
        self.text = self.tmp.read().decode(errors="replace")
        self.tmp.close()


def tflm_arena_bytes(interp):
    """Total arena TFLM used, from RecordingMicroAllocator's report."""
    with CaptureStderr() as cap:
        interp.print_allocations()
    m = re.search(r"Arena allocation total (\d+) bytes", cap.text)
    return int(m.group(1)) if m else None


def details(get):
    """[(shape, dtype)] of each input or output (TFLM has no count; probe until it fails,
    keeping its complaint about the index off the terminal)."""
    out = []
    with CaptureStderr():
        while True:
            try:
                d = get(len(out))
            except (IndexError, RuntimeError, ValueError):
                break
            if not d:
                break
            out.append((tuple(int(n) for n in d["shape"]), np.dtype(d["dtype"])))
    return out


def random_inputs(ins, rng):
    xs = []
    for shape, dtype in ins:
        if dtype.kind == "f":
            xs.append(rng.uniform(-1.0, 1.0, shape).astype(dtype))
        else:
            info = np.iinfo(dtype)
            xs.append(rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype))
    return xs


def median_ms(fns, iterations):
    """Median milliseconds of each function, timed in turn within every iteration so
    that load from other processes hits all of them alike."""
    for fn in fns:
        for _ in range(3):
            fn()
    times = [[] for _ in fns]
    for _ in range(iterations):
        for fn, t in zip(fns, times):
            start = time.perf_counter()
            fn()
            t.append(time.perf_counter() - start)
    return [statistics.median(t) * 1e3 for t in times]


def bench(name, path, iterations, n_inputs):
    from tflite_micro.python.tflite_micro import runtime
    from tinyml import _tinyml

    with open(path, "rb") as f:
        data = f.read()
    ref = runtime.Interpreter.from_bytes(data, arena_size=max(10 * len(data), 8 << 20))
    ins = details(ref.get_input_details)
    outs = details(ref.get_output_details)
    row = {"model": name, "file": os.path.basename(path)}
    rng = np.random.default_rng(0)
    inputs = [random_inputs(ins, rng) for _ in range(n_inputs)]

    def ref_set(xs):
        for i, x in enumerate(xs):
            ref.set_input(x, i)

    ref_set(inputs[0])
    ref.invoke()
    row["tflm_arena"] = tflm_arena_bytes(ref)
    ref.reset()  # a recurrent model's state, so both interpreters start alike
    try:
        m = _tinyml.Model(data)
    except (ValueError, NotImplementedError) as e:
        row["error"] = str(e)
        (row["tflm_ms"],) = median_ms([ref.invoke], iterations)
        return row
    row["arena"] = m.arena_size

    def eng_set(xs):
        for i, x in enumerate(xs):
            m.input(i)[:] = np.ascontiguousarray(x).tobytes()

    same = True
    for xs in inputs:
        ref_set(xs)
        ref.invoke()
        eng_set(xs)
        m.invoke()
        for i, (shape, dtype) in enumerate(outs):
            want = np.ascontiguousarray(ref.get_output(i)).tobytes()
            same &= bytes(m.output(i)) == want
    row["identical"] = same
    ref_set(inputs[0])
    eng_set(inputs[0])
    row["ms"], row["tflm_ms"] = median_ms([m.invoke, ref.invoke], iterations)
    return row


def fmt_bytes(n):
    return "-" if n is None else f"{n:,}"


def table(rows):
    head = ["model", "ours ms", "TFLM ms", "speed-up", "ours arena", "TFLM arena", "arena ratio",
            "identical"]  # fmt: skip
    lines = [head]
    for r in rows:
        if "error" in r:
            lines.append([r["model"], "error", f"{r['tflm_ms']:.3f}", "-", "-",
                          fmt_bytes(r["tflm_arena"]), "-", r["error"]])  # fmt: skip
            continue
        ratio = r["arena"] / r["tflm_arena"] if r["tflm_arena"] else float("nan")
        lines.append([
            r["model"], f"{r['ms']:.3f}", f"{r['tflm_ms']:.3f}", f"{r['tflm_ms'] / r['ms']:.2f}x",
            fmt_bytes(r["arena"]), fmt_bytes(r["tflm_arena"]), f"{ratio:.2f}",
            "yes" if r["identical"] else "NO",
        ])  # fmt: skip
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for k, line in enumerate(lines):
        out.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths)) + " |")
        if k == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help=f"models to run (default all: {', '.join(MODELS)})")
    p.add_argument("--iterations", type=int, default=50, help="timed invokes per model")
    p.add_argument("--inputs", type=int, default=10, help="random inputs for the output check")
    p.add_argument("--models", help="models directory (default ../shared/models)")
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    base = models_dir(args.models)
    rows = []
    for name in args.names or MODELS:
        rows.append(bench(name, os.path.join(base, MODELS[name]), args.iterations, args.inputs))
        print(f"{name}: done", file=sys.stderr)
    print(f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {platform.processor() or ''} "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}; median of "
          f"{args.iterations} invokes; speed-up = TFLM time / ours; arena ratio = ours / TFLM")  # fmt: skip
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
