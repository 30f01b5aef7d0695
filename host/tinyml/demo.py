"""``tinyml demo``: a model from file to predictions on a board, every step done for you.

``person_detect`` (the default) packs TFLite Micro's person detection model with its labels,
turns the two sample photos into model input, pushes everything to the board and classifies the
photos there. ``hello_world`` trains a small Keras sine model, converts it to int8 with the
converter and predicts on the board. Both run on the emulated Cortex-M7 unless a device is
given, and check the board's answers against the host engine, which must agree exactly.

``gesture`` and ``anomaly`` run an example's own board script (``examples/NAME/main.py``),
unchanged, beside the files it needs; the demo only adds a preamble that times each model call.
The same script then runs on CPython (``from tinyml import pipeline`` is the device's pipeline
there too) and must print the same lines. ``anomaly`` also checks the autoencoder's mean score
against the figure TensorFlow Lite Micro gives on the same sample.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import metadata as md
from . import push
from .errors import TinymlError, ToolchainError, VerifyMismatch
from .paths import Paths

Step = Callable[[str], None]  # announces a step ("converting model")
Stream = Callable[[str], None]

DEMOS = ("person_detect", "hello_world", "gesture", "anomaly", "keyword_spotting")
# Each demo is named after its folder in examples/; older names still work, with a note.
RENAMED = {"kws": "keyword_spotting"}
DEFAULT = "person_detect"
DEST = "/models"

# Mean reconstruction MSE of ad01_int8 over the 196 windows of the ToyADMOS sample under
# TensorFlow Lite Micro (../shared/models/SOURCES.md, reference outputs, item 6).
TFLM_AD_MEAN_MSE = "10.2645"

# Runs before an example's own script: work beside the pushed files, and time each model call
# (the script itself uses only the public API and prints its own answers).
_PREAMBLE = """\
import os as _os, time as _time, tinyml as _tinyml
_os.chdir({dest!r})
_times = []


class _TimedModel(_tinyml.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        print("ARENA", self.arena_size)

    def predict(self, *args, **kwargs):
        t0 = _time.ticks_us()
        y = super().predict(*args, **kwargs)
        _times.append(_time.ticks_diff(_time.ticks_us(), t0))
        return y

    def classify(self, *args, **kwargs):
        t0 = _time.ticks_us()
        y = super().classify(*args, **kwargs)
        _times.append(_time.ticks_diff(_time.ticks_us(), t0))
        return y

    def invoke(self):
        t0 = _time.ticks_us()
        super().invoke()
        _times.append(_time.ticks_diff(_time.ticks_us(), t0))


_tinyml.Model = _TimedModel
"""
_POSTAMBLE = """
print("TIMES", " ".join(str(t) for t in _times))
"""
_DEMO_LINES = ("ARENA", "TIMES")  # what the preamble adds to the script's output


@dataclass
class Prediction:
    sample: str
    micros: int
    scores: list[tuple[str, float]]
    host_scores: list[tuple[str, float]] | None = None


@dataclass
class DemoResult:
    name: str
    device: str
    machine: str
    model: Path
    model_bytes: int
    arena_bytes: int | None
    predictions: list[Prediction] = field(default_factory=list)
    host_agrees: bool | None = None
    summary: list[str] = field(default_factory=list)  # lines printed after the predictions


@dataclass
class Example:
    """An example's board script with the files it reads (remote name in DEST -> local file).

    ``modules`` are device modules the script imports; they are pushed under their fallback
    names only when the firmware does not freeze them. ``parse`` turns the script's output and
    the timed model calls into predictions and summary lines.
    """

    model: Path
    files: dict[str, Path]
    script: Path
    modules: dict[str, Path]
    parse: Callable[[list[str], list[int]], tuple[list[Prediction], list[str]]]


def read_bmp_gray(path: Path) -> bytes:
    """Pixels of an 8-bit grayscale (palette) BMP, rows top to bottom."""
    data = path.read_bytes()
    if data[:2] != b"BM":
        raise TinymlError(f"{path}: not a BMP file")
    offset = struct.unpack_from("<I", data, 10)[0]
    width, height = struct.unpack_from("<ii", data, 18)
    bpp = struct.unpack_from("<H", data, 28)[0]
    if bpp != 8:
        raise TinymlError(f"{path}: expected an 8-bit grayscale BMP, got {bpp} bits per pixel")
    stride = (width + 3) & ~3
    rows = [data[offset + r * stride : offset + r * stride + width] for r in range(abs(height))]
    if height > 0:  # stored bottom-up
        rows.reverse()
    return b"".join(rows)


def _models(paths: Paths) -> Path:
    d = paths.models
    if not d.is_dir():
        raise ToolchainError(
            f"sample models not found at {d}; set TINYML_MODELS to the shared models folder"
        )
    return d


def _examples(paths: Paths) -> Path:
    return paths.root / "examples"


def prepare_person_detect(paths: Paths, work: Path) -> tuple[Path, dict[str, Path], Path]:
    """(packed model, {sample: input bytes file}, device script) for person detection."""
    src = _models(paths) / "tflite-micro" / "person_detect.tflite"
    if not src.is_file():
        raise ToolchainError(f"{src}: missing from the shared models")
    ex = _examples(paths) / "person_detect"
    labels = md.read_labels_file(str(ex / "labels.txt"))
    packed = md.with_metadata(src.read_bytes(), {md.LABELS: md.encode_labels(labels)})
    work.mkdir(parents=True, exist_ok=True)
    model = work / "person_detect.tflite"
    model.write_bytes(packed)
    samples = {}
    for name in ("person", "no_person"):
        # TFLite Micro's example feeds the pixel bytes to the int8 input as they are.
        pixels = read_bmp_gray(src.parent / f"{name}.bmp")
        out = work / f"{name}.bin"
        out.write_bytes(pixels)
        samples[name] = out
    return model, samples, ex / "detect.py"


def prepare_hello_world(paths: Paths, work: Path, step: Step) -> tuple[Path, dict, Path]:
    """Trains (once, cached) and converts the sine model."""
    from .convert import convert

    ex = _examples(paths) / "hello_world"
    keras_model = work / "sine.keras"
    if not keras_model.is_file():
        step("training the Keras sine model (first run only)")
        proc = subprocess.run(
            [sys.executable, str(ex / "train.py"), str(work)],
            capture_output=True,
            text=True,
            check=False,
            env={**paths.env, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        if proc.returncode != 0:
            last = [ln for ln in proc.stderr.splitlines() if ln.strip()][-1:] or ["failed"]
            raise TinymlError(f"training the sine model failed: {last[0]}")
    model = work / "sine.tflite"
    if not model.is_file() or model.stat().st_mtime < keras_model.stat().st_mtime:
        step("converting to int8 with TensorFlow's converter")
        convert(keras_model, model, work / "calib.npy")
    return model, {}, ex / "predict.py"


def _device_modules(paths: Paths, *names: str) -> dict[str, Path]:
    return {f"tinyml_{n}.py": paths.root / "device" / "tinyml" / f"{n}.py" for n in names}


def _mean_ms(times: list[int]) -> str:
    return f"{sum(times) / len(times) / 1000:.1f} ms" if times else "? ms"


def _parse_gesture(lines: list[str], times: list[int]) -> tuple[list[Prediction], list[str]]:
    # GESTURE <played> -> <predicted> <score>, then CORRECT <n> of <total>
    preds, summary = [], []
    for line in lines:
        parts = line.split()
        if parts[:1] == ["GESTURE"] and len(parts) == 5:
            preds.append(Prediction(parts[1], 0, [(parts[3], float(parts[4]))]))
        elif parts[:1] == ["CORRECT"] and len(parts) == 4:
            summary.append(f"{parts[1]} of {parts[3]} gestures recognised")
    if len(times) == len(preds):
        for p, us in zip(preds, times):
            p.micros = us
    return preds, summary


def prepare_gesture(paths: Paths) -> Example:
    """The committed gesture model (pipeline inside) and the fake accelerometer."""
    ex = _examples(paths) / "gesture"
    model = ex / "gesture.tflite"
    files = {"gesture.tflite": model, "gestures.py": ex / "gestures.py"}
    return Example(
        model, files, ex / "main.py", _device_modules(paths, "pipeline"), _parse_gesture
    )


def _parse_anomaly(lines: list[str], times: list[int]) -> tuple[list[Prediction], list[str]]:
    # WINDOWS n / AE mean MSE normal a hum b / MAHALANOBIS mean normal c hum d / DETECTED k of m
    found: dict[str, list[str]] = {}
    for line in lines:
        parts = line.split()
        if parts:
            found[parts[0]] = parts
    ae, maha = found.get("AE"), found.get("MAHALANOBIS")
    if not ae or not maha or len(ae) != 7 or len(maha) != 6:
        return [], []
    us = sum(times) // len(times) if times else 0
    preds = [
        Prediction(
            "normal", us, [("autoencoder MSE", float(ae[4])), ("Mahalanobis", float(maha[3]))]
        ),
        Prediction(
            "hum", us, [("autoencoder MSE", float(ae[6])), ("Mahalanobis", float(maha[5]))]
        ),
    ]
    summary = []
    if "WINDOWS" in found:
        summary.append(
            f"{found['WINDOWS'][1]} windows per sound (5 frames x 128 log-mel bins), "
            f"model.predict {_mean_ms(times)} each"
        )
    verdict = "same" if ae[4] == TFLM_AD_MEAN_MSE else "DIFFERENT"
    summary.append(f"TFLite Micro's mean MSE on the normal sound: {TFLM_AD_MEAN_MSE} ({verdict})")
    if "DETECTED" in found:
        d = found["DETECTED"]
        summary.append(
            f"Mahalanobis (fitted on the board, 100 normal windows) flags {d[1]} of {d[3]} hum "
            "windows"
        )
    return preds, summary


def prepare_anomaly(paths: Paths) -> Example:
    """MLPerf Tiny's AD autoencoder and its ToyADMOS sample, straight from the shared models."""
    ad = _models(paths) / "mlcommons-tiny"
    model = ad / "ad01_int8.tflite"
    sample = ad / "normal_id_01_00000000_hist_librosa.bin"
    for f in (model, sample):
        if not f.is_file():
            raise ToolchainError(f"{f}: missing from the shared models")
    files = {"ad01_int8.tflite": model, sample.name: sample}
    modules = _device_modules(paths, "pipeline", "pipeline_anomaly")
    return Example(model, files, _examples(paths) / "anomaly" / "main.py", modules, _parse_anomaly)


KWS_CLIPS = ("yes", "no", "silence", "noise")


KWS_INVOKES_PER_CLIP = 50  # 49 front-end windows, then the keyword model


def _parse_kws(lines: list[str], times: list[int]) -> tuple[list[Prediction], list[str]]:
    # RESULT <clip> <label> <int8 scores...>, one line per clip
    labels = ("silence", "unknown", "yes", "no")
    preds = []
    for line in lines:
        parts = line.split()
        if parts[:1] == ["RESULT"] and len(parts) == 3 + len(labels):
            # micro_speech's output is int8 with scale 1/256 and zero point -128.
            scores = [(lab, (int(q) + 128) / 256) for lab, q in zip(labels, parts[3:])]
            preds.append(Prediction(parts[1], 0, sorted(scores, key=lambda s: -s[1])))
    if len(times) == KWS_INVOKES_PER_CLIP * len(preds):
        for i, p in enumerate(preds):
            p.micros = sum(times[i * KWS_INVOKES_PER_CLIP : (i + 1) * KWS_INVOKES_PER_CLIP])
    summary = ["features: TFLite Micro's audio front end (Signal ops) run on the board's engine"]
    return preds, summary


def prepare_kws(paths: Paths) -> Example:
    """TFLite Micro's micro_speech: its front-end model feeds the keyword model on the board."""
    tflm = _models(paths) / "tflite-micro"
    files = {
        "pre.tflite": tflm / "audio_preprocessor_int8.tflite",
        "kws.tflite": tflm / "micro_speech_quantized.tflite",
        **{f"{clip}.wav": tflm / f"{clip}_1000ms.wav" for clip in KWS_CLIPS},
    }
    for f in files.values():
        if not f.is_file():
            raise ToolchainError(f"{f}: missing from the shared models")
    script = _examples(paths) / "keyword_spotting" / "main.py"
    return Example(files["kws.tflite"], files, script, {}, _parse_kws)


EXAMPLES: dict[str, Callable[[Paths], Example]] = {
    "gesture": prepare_gesture,
    "anomaly": prepare_anomaly,
    "keyword_spotting": prepare_kws,
}


def demo_name(name: str, note: Step | None = None) -> str:
    """``name`` as a demo of DEMOS; an old name is translated, and ``note`` says so."""
    if name in RENAMED:
        new = RENAMED[name]
        if note:
            note(f"note: the demo `{name}` is now `{new}`, after examples/{new}")
        return new
    return name


def _script_lines(output: str) -> list[str]:
    """The example script's own output lines (without what the preamble adds)."""
    lines = [ln.rstrip() for ln in output.replace("\r\n", "\n").splitlines()]
    return [ln for ln in lines if ln and ln.split()[0] not in _DEMO_LINES]


def _run_example(dev, ex: Example, step: Step, stream: Stream | None) -> str:
    """Pushes the example's files (and any device module the firmware lacks), runs its script."""
    names = [remote[len("tinyml_") : -len(".py")] for remote in ex.modules]
    probe = "try:\n import _tinyml_dsp\nexcept ImportError:\n print('NODSP')\n" + "".join(
        f"try:\n from tinyml import {n}\nexcept ImportError:\n print('MISSING')\n" for n in names
    )
    missing = dev.exec(probe, timeout=30).split()
    if "NODSP" in missing:
        raise ToolchainError(
            "the firmware has no _tinyml_dsp module; rebuild it (tinyml firmware build)"
        )
    files = dict(ex.files)
    if "MISSING" in missing:
        files.update(ex.modules)  # the script then imports all of them by these names
    step(f"pushing {len(files)} file(s) to {DEST}")
    for remote, local in files.items():
        push.push_file(dev, local, f"{DEST}/{remote}")
    step(f"running {ex.script.relative_to(ex.script.parents[2])} on the board")
    here = DEST.lstrip("/") if dev.target == "unix" else DEST
    code = _PREAMBLE.format(dest=here) + ex.script.read_text() + _POSTAMBLE
    return dev.exec(code, timeout=900, stream=stream)


def _host_run(ex: Example, timeout: float = 600.0) -> list[str] | None:
    """The example's script on CPython, beside the same files: its output lines, or None when
    the C extension is not built."""
    try:
        from . import _tinyml  # noqa: F401
    except ImportError:
        return None
    with tempfile.TemporaryDirectory(prefix="tinyml-demo-") as tmp:
        for remote, local in ex.files.items():
            shutil.copyfile(local, Path(tmp) / remote)
        (Path(tmp) / "main.py").write_text(ex.script.read_text())
        proc = subprocess.run(
            [sys.executable, "main.py"],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    if proc.returncode != 0:
        last = [ln for ln in proc.stderr.splitlines() if ln.strip()][-1:] or ["failed"]
        raise TinymlError(f"{ex.script.name} on CPython: {last[0]}")
    return _script_lines(proc.stdout)


def _parse_arena(output: str) -> int | None:
    """Arena of the first model the script loads (its main model)."""
    for line in output.splitlines():
        parts = line.split()
        if parts[:1] == ["ARENA"] and len(parts) == 2:
            return int(parts[1])
    return None


def _parse(output: str) -> tuple[int | None, list[Prediction]]:
    preds = []
    for line in output.splitlines():
        parts = line.split()
        if parts[:1] == ["RESULT"] and len(parts) >= 4:
            scores = []
            for item in parts[3:]:
                label, _, value = item.rpartition("=")
                scores.append((label, float(value)))
            preds.append(Prediction(parts[1], int(parts[2]), scores))
    return _parse_arena(output), preds


def _host_check(model: Path, samples: dict[str, Path], preds: list[Prediction]) -> bool | None:
    try:
        from .run import load_model
    except ImportError:
        return None
    try:
        m = load_model(model)
    except TinymlError:
        return None
    agree = True
    for p in preds:
        if p.sample not in samples:
            continue
        host = [(label, round(score, 4)) for label, score in m.classify(
            samples[p.sample].read_bytes(), k=len(p.scores))]  # fmt: skip
        p.host_scores = host
        if [(label, round(s, 4)) for label, s in p.scores] != host:
            agree = False
    return agree if any(p.host_scores is not None for p in preds) else None


def run_demo(
    name: str = DEFAULT,
    device: str = "emulator",
    *,
    paths: Paths | None = None,
    step: Step | None = None,
    stream: Stream | None = None,
) -> DemoResult:
    """Runs demo ``name`` on ``device``; ``step`` hears about each stage as it starts."""
    from .device import Device, parse_target
    from .device_setup import prepare

    paths = paths or Paths.default()
    step = step or (lambda _msg: None)
    name = demo_name(name, step)
    if name not in DEMOS:
        raise TinymlError(f"unknown demo {name!r} (choose from {', '.join(DEMOS)})")
    work = paths.build / "demo" / name
    example = None
    if name in EXAMPLES:
        step(f"collecting examples/{name}: model, sample data, board script")
        example = EXAMPLES[name](paths)
        model, samples, script = example.model, {}, example.script
    elif name == "person_detect":
        step("packing person_detect.tflite with its labels; reading the sample photos")
        model, samples, script = prepare_person_detect(paths, work)
    else:
        model, samples, script = prepare_hello_world(paths, work, step)
    if parse_target(device).kind == "serial":
        step(f"connecting to {device}")
    prepare(device, paths, step)
    with Device(device, paths=paths) as dev:
        machine = dev.exec("import sys\nprint(sys.implementation._machine)", timeout=30).strip()
        if example is not None:
            output = _run_example(dev, example, step, stream)
            return _example_result(name, device, machine, example, output, step)
        files = [model, *samples.values()]
        step(f"pushing {len(files)} file(s) to {DEST} on {machine}")
        push.push(dev, files, DEST)
        step("running the model on the board")
        code = script.read_text()
        if dev.target == "unix":
            code = code.replace('"/models/', '"models/')
        output = dev.exec(code, timeout=600, stream=stream)
    arena, preds = _parse(output)
    if not preds:
        raise TinymlError(f"the board printed no predictions: {output.strip()[-200:]!r}")
    result = DemoResult(name, device, machine, model, model.stat().st_size, arena, preds)
    if samples:
        result.host_agrees = _host_check(model, samples, preds)
        if result.host_agrees is False:
            raise VerifyMismatch("the board's scores differ from the host engine's")
    return result


def _example_result(
    name: str, device: str, machine: str, ex: Example, output: str, step: Step
) -> DemoResult:
    lines = _script_lines(output)
    arena = _parse_arena(output)
    times: list[int] = []
    for line in output.splitlines():
        if line.startswith("TIMES"):
            times = [int(t) for t in line.split()[1:]]
    preds, summary = ex.parse(lines, times)
    if not preds:
        raise TinymlError(f"the board printed no predictions: {output.strip()[-200:]!r}")
    result = DemoResult(
        name, device, machine, ex.model, ex.model.stat().st_size, arena, preds, summary=summary
    )
    step(f"running {ex.script.name} on CPython with the same files")
    host = _host_run(ex)
    if host is not None:
        result.host_agrees = host == lines
        if not result.host_agrees:
            diff = next((h, b) for h, b in zip([*host, ""], [*lines, ""]) if h != b)
            raise VerifyMismatch(
                f"the board printed {diff[1]!r} where CPython printed {diff[0]!r}"
            )
    if name == "anomaly" and "(same)" not in " ".join(summary):
        raise VerifyMismatch(
            f"the autoencoder's mean score differs from TFLite Micro's {TFLM_AD_MEAN_MSE}"
        )
    return result


def report(r: DemoResult) -> list[str]:
    """The demo's answer, as printed by ``tinyml demo``."""
    out = [f"{r.name} on {r.machine} ({r.device})"]
    arena = f", arena {r.arena_bytes:,} bytes" if r.arena_bytes is not None else ""
    out.append(f"model {r.model.name}: {r.model_bytes:,} bytes{arena}")
    if r.name == "gesture":
        out.append(f"  {'played':<12} -> {'predicted':<10} score   time")
        for p in r.predictions:
            label, score = p.scores[0]
            out.append(f"  {p.sample:<12} -> {label:<10} {score:.2f}    {p.micros / 1000:.1f} ms")
    elif r.name == "anomaly":
        out.append(f"  {'sound':<12} {'autoencoder MSE':<17} Mahalanobis")
        for p in r.predictions:
            s = dict(p.scores)
            out.append(f"  {p.sample:<12} {s['autoencoder MSE']:<17.4f} {s['Mahalanobis']:.2f}")
    else:
        for p in r.predictions:
            scores = "  ".join(f"{label} {score:.3f}" for label, score in p.scores)
            verdict = f"-> {p.scores[0][0]:<10} " if r.host_agrees is not None else ""
            out.append(f"  {p.sample:<12} {verdict}{scores}   {p.micros / 1000:.1f} ms")
    out += [f"  {line}" for line in r.summary]
    if r.host_agrees and r.name in EXAMPLES:
        out.append("CPython (same script, pipeline and engine): same output as the board")
    elif r.host_agrees:
        out.append("host engine: same scores as the board")
    if r.device.startswith("emulator"):
        out.append("(times are the emulator's, not a real MCU's)")
    return out
