"""Compressed models (``tinyml convert --compress bits=N``): flash, arena, agreement, speed.

For each MLPerf Tiny model: the int8 file against the compressed one (TFLM_DECODE lookup tables
written by ``tinyml.compress``), the engine's exact arena for both, top-1 agreement of the
compressed model with the int8 one on seeded random inputs and on the real samples at hand
(KWS: MFCCs of every clip; VWW and person_detect: the photos, cropped, shifted, mirrored), for
KWS and VWW also with palettes fit to the layers' outputs on other windows and views, and,
with ``--boards qemu-m7``, the instructions of one invoke of the palette model (same weights,
uncompressed) and of the compressed one on the emulated Cortex-M7, so the difference is the
decoding.

    .venv/bin/python benchmarks/compress.py --bits 4 --boards qemu-m7
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench import MODELS, models_dir
from device_bench import COLUMNS, stop_emulators, table
from tinyml import _tinyml
from tinyml import compress as cz

# The feed-forward models: one int8 input each.
DEFAULT = ["KWS", "VWW", "IC", "AD", "person_detect"]


def agreement(int8: bytes, small: bytes, n: int) -> float:
    a, b = _tinyml.Model(int8), _tinyml.Model(small)
    size = int(np.prod(a.input_shape))
    rng = np.random.default_rng(1)
    same = 0
    for _ in range(n):
        x = rng.integers(-128, 128, size=size, dtype=np.int8).tobytes()
        same += int(np.argmax(a.predict(x)) == np.argmax(b.predict(x)))
    return same / n


def speech_samples(models: Path) -> list[bytes]:
    """micro_speech inputs from every 16 kHz clip here: TFLM's front end on 1 s windows, 250 ms
    apart (examples/keyword_spotting/classify.py)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "examples" / "keyword_spotting"))
    import classify

    pre = (models / "tflite-micro" / "audio_preprocessor_int8.tflite").read_bytes()
    out = []
    for wav in sorted(models.glob("*/*.wav")):
        try:
            pcm = classify.read_pcm(str(wav))
        except ValueError:
            continue
        second = 2 * ((classify.FRAMES - 1) * classify.STRIDE + classify.WINDOW)
        for start in range(0, len(pcm) - second + 1, 8000):
            out.append(classify.features(pre, pcm[start : start + second]))
    return out


def person_samples(models: Path) -> list[bytes]:
    """person_detect inputs: TFLM's two 96x96 photos, shifted by up to 8 pixels and mirrored."""
    from tinyml.demo import read_bmp_gray

    out = []
    for name in ("person.bmp", "no_person.bmp"):
        img = np.frombuffer(read_bmp_gray(models / "tflite-micro" / name), np.uint8)
        img = img.reshape(96, 96)
        for dy in range(-8, 9, 4):
            for dx in range(-8, 9, 4):
                shifted = np.roll(img, (dy, dx), axis=(0, 1))
                for view in (shifted, shifted[:, ::-1]):
                    out.append((view.astype(np.int16) - 128).astype(np.int8).tobytes())
    return out


def kws_clips(models: Path) -> list[Path]:
    """The 16-bit 16 kHz clips here, the KWS samples' sources."""
    import wave

    out = []
    for wav in sorted(models.glob("*/*.wav")):
        with wave.open(str(wav)) as w:
            if w.getframerate() == 16000 and w.getsampwidth() == 2:
                out.append(wav)
    return out


def kws_samples(models: Path, clips: list[Path] | None = None, offset: int = 0) -> list[bytes]:
    """MLPerf Tiny KWS inputs: its reference front end (tf.signal: 30 ms frames every 20 ms,
    40 mel bands 20-4000 Hz, log(mel + 1e-6), the first 10 MFCCs, 49 frames) on 1 s windows
    every 250 ms of each channel of every 16 kHz clip here (or of ``clips``), quantized as the
    model's input."""
    import wave

    import tensorflow as tf

    model = _tinyml.Model((models / MODELS["KWS"]).read_bytes())
    scale, zero = model.input_scale, model.input_zero_point
    mel = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 4000.0)
    out = []
    for wav in kws_clips(models) if clips is None else clips:
        with wave.open(str(wav)) as w:
            channels = w.getnchannels()
            frames = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, channels)
        for pcm in frames.T.astype(np.float32) / 32768:  # each channel of a stereo clip
            if offset and len(pcm) <= offset:
                continue  # a 30 ms clip has nothing 125 ms later
            pcm = pcm[offset:]
            pcm = np.pad(pcm, (0, max(0, 16000 - len(pcm))))
            out += _kws_windows(pcm, mel, scale, zero)
    return out


def kws_calibration(models: Path, clips: list[Path] | None = None) -> list[bytes]:
    """KWS calibration inputs unlike the evaluation's: the windows halfway between them (125 ms
    later) of the same clips (or of ``clips``); a 1 s clip gives its one window 125 ms later,
    ending in 125 ms of silence (a 30 ms clip gives none)."""
    return kws_samples(models, clips, offset=2000)


def _kws_windows(pcm, mel, scale, zero) -> list[bytes]:
    import tensorflow as tf

    out = []
    for start in range(0, len(pcm) - 16000 + 1, 4000):
        stft = tf.abs(tf.signal.stft(pcm[start : start + 16000], 480, 320, 512))
        log_mel = tf.math.log(tf.tensordot(stft, mel, 1) + 1e-6)
        mfcc = tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[:, :10].numpy()
        out.append(np.clip(np.round(mfcc / scale) + zero, -128, 127).astype(np.int8).tobytes())
    return out


def read_bmp_rgb(path: Path) -> np.ndarray:
    """An 8-bit grayscale or 16-bit RGB565 BMP (the photos here) as [rows, cols, 3] uint8."""
    data = path.read_bytes()
    offset = int.from_bytes(data[10:14], "little")
    width = int.from_bytes(data[18:22], "little", signed=True)
    height = int.from_bytes(data[22:26], "little", signed=True)
    bpp = int.from_bytes(data[28:30], "little")
    stride = (width * bpp // 8 + 3) & ~3
    rows = np.frombuffer(data, np.uint8, stride * abs(height), offset).reshape(abs(height), stride)
    if bpp == 8:
        img = np.repeat(rows[:, :width, None], 3, axis=2)
    else:
        px = rows[:, : 2 * width].copy().view("<u2").astype(np.uint32)
        img = np.stack([(px >> 11) * 255 // 31, ((px >> 5) & 63) * 255 // 63,
                        (px & 31) * 255 // 31], axis=2).astype(np.uint8)  # fmt: skip
    return img[::-1] if height > 0 else img  # bottom-up unless the height is negative


# Every photo here: TFLM's person/no_person, OpenMV's person, faces, hand.
PHOTOS = ["tflite-micro/person.bmp", "tflite-micro/no_person.bmp", "openmv/person.bmp",
          "openmv/faces.bmp", "openmv/hand.bmp"]  # fmt: skip


def vww_photos(models: Path) -> list[Path]:
    return [models / rel for rel in PHOTOS]


def vww_samples(models: Path, photos: list[Path] | None = None) -> list[bytes]:
    """VWW inputs: every photo here (or ``photos``) as 96x96 RGB: whole and 80% crops (centre
    and two corners), shifted and mirrored."""
    out = []
    for path in vww_photos(models) if photos is None else photos:
        img = read_bmp_rgb(path)
        h, w = img.shape[:2]
        side = min(w, h)
        for frac in (1.0, 0.8):
            c = int(side * frac)
            for x0, y0 in sorted({((w - c) // 2, (h - c) // 2), (0, 0), (w - c, h - c)}):
                grid = (np.arange(96) * c) // 96
                crop = img[y0 + grid][:, x0 + grid]  # nearest-neighbour resize
                for dx in (-6, 0, 6):
                    view = np.roll(crop, dx, axis=1)
                    for v in (view, view[:, ::-1]):
                        out.append((v.astype(np.int16) - 128).astype(np.int8).tobytes())
    return out


def vww_calibration(models: Path, photos: list[Path] | None = None) -> list[bytes]:
    """VWW calibration inputs unlike the evaluation's: 90% and 65% centre crops of the same
    photos (or of ``photos``), shifted 3 pixels up and down, as taken and dimmed."""
    out = []
    for path in vww_photos(models) if photos is None else photos:
        img = read_bmp_rgb(path)
        h, w = img.shape[:2]
        side = min(w, h)
        for frac in (0.9, 0.65):
            c = int(side * frac)
            x0, y0 = (w - c) // 2, (h - c) // 2
            grid = (np.arange(96) * c) // 96
            crop = img[y0 + grid][:, x0 + grid]
            for dy in (-3, 3):
                view = np.roll(crop, dy, axis=0).astype(np.float64)
                for gain in (1.0, 0.8):
                    v = np.clip(view * gain, 0, 255).astype(np.int16)
                    out.append((v - 128).astype(np.int8).tobytes())
    return out


# name: (model, evaluation samples, calibration samples or None, their sources or None): the
# samples and calibration functions take the sources (clips, photos) to draw from.
REAL = {
    "KWS": (MODELS["KWS"], kws_samples, kws_calibration, kws_clips),
    "VWW": (MODELS["VWW"], vww_samples, vww_calibration, vww_photos),
    "micro_speech": ("tflite-micro/micro_speech_quantized.tflite", speech_samples, None, None),
    "person_detect": ("tflite-micro/person_detect.tflite", person_samples, None, None),
}


def widths(result: cz.CompressResult) -> str:
    """How many weight tensors have each index width, and how many stayed int8."""
    count = {}
    for t in result.tensors:
        count[t.bits] = count.get(t.bits, 0) + 1
    parts = [f"{n} at {b} bits" for b, n in sorted(count.items())]
    return ", ".join(parts + ([f"{len(result.kept)} int8"] if result.kept else []))


def _same(small: bytes, samples: list[bytes], top: list[int]) -> int:
    b = _tinyml.Model(small)
    return sum(int(np.argmax(b.predict(x)) == t) for x, t in zip(samples, top))


def _pct(same: int, n: int) -> str:
    return f"{100 * same / n:.1f}% ({same}/{n})"


def held_out(
    data: bytes, spec: cz.Spec, base: Path, entry, top: list[int], folds: int, sweeps: int
):
    """Top-1 agreement with palettes fit to the layers' outputs on calibration samples from
    other sources only: the sources (clips, photos) are dealt into ``folds`` groups (0: one
    per source), and each group's evaluation samples are scored with palettes fit on the
    calibration samples of all the other groups, as ``tinyml convert --compress --calib``
    fits them (``input_stats``, then ``compress``). Returns the total agreement and, per
    group, (its sources, its samples, the calibration samples, the samples that agree)."""
    _, samples_of, calibration_of, sources_of = entry
    sources = sources_of(base)
    n = len(sources) if folds <= 0 else min(folds, len(sources))
    groups = [sources[i::n] for i in range(n)]
    evaluated = {}  # source -> (its samples' first index, its samples)
    start = 0
    for src in sources:  # the evaluation samples are the sources' samples, in order
        own = samples_of(base, [src])
        evaluated[src] = (start, own)
        start += len(own)
    if start != len(top):
        raise AssertionError(f"the sources give {start} samples, not {len(top)}")
    rows, total = [], 0
    for group in groups:
        others = [s for s in sources if s not in group]
        calib = calibration_of(base, others)
        result = cz.compress_calibrated(data, spec, calib, sweeps)
        fit = result.data
        same = n_group = 0
        for src in group:
            first, own = evaluated[src]
            same += _same(fit, own, top[first : first + len(own)])
            n_group += len(own)
        total += same
        rows.append(([s.name if s.parent.name == "tflite-micro" else f"{s.parent.name}/{s.name}"
                      for s in group], n_group, len(calib), same, len(fit) / len(data),
                     widths(result)))  # fmt: skip
    return total, rows


def real_agreement(
    base: Path, bits: int, per: str, names, folds: int, sweeps: int, flash: float | None = None
):
    """Top-1 agreement on the real samples: palettes fit to the weights, and (KWS, VWW) fit to
    the layers' outputs on calibration samples that are not the evaluation's, both from the
    same sources and held out (from other sources only). Returns the table's rows and the
    held-out groups' rows."""
    rows, groups = [], []
    for name, entry in REAL.items():
        if names and name not in names:
            continue
        rel, samples_of, calibration_of, _ = entry
        data = (base / rel).read_bytes()
        a = _tinyml.Model(data)
        samples = samples_of(base)
        top = [int(np.argmax(a.predict(x))) for x in samples]
        spec = cz.Spec(bits=bits, per=per)
        small = cz.compress(data, spec).data
        spec.flash = flash  # the calibrated fits only: without samples there is no choosing
        n = len(samples)
        row = [name, f"{len(data) / 1024:.1f}", f"{len(small) / 1024:.1f}",
               f"{len(small) / len(data):.3f}", str(n), _pct(_same(small, samples, top), n)]  # fmt: skip
        if calibration_of is None:
            row += ["", "", "", ""]
        else:
            calib = calibration_of(base)
            fit = cz.compress_calibrated(data, spec, calib, sweeps).data
            total, per_group = held_out(data, spec, base, entry, top, folds, sweeps)
            row += [str(len(calib)), f"{len(fit) / len(data):.3f}",
                    _pct(_same(fit, samples, top), n), _pct(total, n)]  # fmt: skip
            for sources, n_group, n_calib, same, ratio, chosen in per_group:
                groups.append([name, ", ".join(sources), str(n_calib), f"{ratio:.3f}", chosen,
                               _pct(same, n_group)])  # fmt: skip
        rows.append(row)
        print(f"{name}: real samples done", file=sys.stderr)
    return rows, groups


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help=f"models (default: {', '.join(DEFAULT)})")
    p.add_argument("--bits", type=int, default=4, choices=(2, 3, 4))
    p.add_argument("--per", default="auto", choices=("auto", "channel", "tensor"))
    p.add_argument("--samples", type=int, default=200, help="seeded inputs for agreement")
    p.add_argument("--boards", default="", help="e.g. qemu-m7: also count instructions")
    p.add_argument("--models", help="models directory (default ../shared/models)")
    p.add_argument(
        "--folds",
        type=int,
        default=0,
        help="held out: deal the clips or photos into N groups (default 0: one per clip/photo)",
    )
    p.add_argument(
        "--sweeps",
        type=int,
        default=4,
        help="rounds of refitting the palettes to the outputs (default 4, as tinyml convert)",
    )
    p.add_argument(
        "--flash",
        type=float,
        help="calibrated fits as --compress flash=R: layer widths (2-4 bits or int8) chosen on "
        "the calibration samples to fit R times the int8 size",
    )
    args = p.parse_args(argv)
    boards = [b for b in args.boards.split(",") if b]
    base = Path(models_dir(args.models))
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="tinyml-compress-"))
    try:
        for name in args.names or DEFAULT:
            data = (base / MODELS[name]).read_bytes()
            try:
                r = cz.compress(data, cz.Spec(bits=args.bits, per=args.per))
            except cz.ModelError as e:
                print(f"{name}: {e}", file=sys.stderr)
                continue
            arena = _tinyml.Model(data).arena_size
            arena_c = _tinyml.Model(r.data).arena_size
            row = [
                name,
                f"{len(data) / 1024:.1f}",
                f"{len(r.data) / 1024:.1f}",
                f"{len(r.data) / len(data):.3f}",
                f"{arena / 1024:.1f}",
                f"{arena_c / 1024:.1f}",
                f"{100 * agreement(data, r.data, args.samples):.1f}%",
            ]
            for board in boards:
                (tmp / "p.tflite").write_bytes(r.palette)
                (tmp / "c.tflite").write_bytes(r.data)
                plain = COLUMNS[board](name, tmp / "p.tflite")["instructions"]
                small = COLUMNS[board](name, tmp / "c.tflite")["instructions"]
                row += [f"{plain / 1e6:.2f}", f"{small / 1e6:.2f}", f"{small / plain:.3f}"]
            rows.append(row)
            print(f"{name}: done", file=sys.stderr)
    finally:
        stop_emulators()
    head = ["model", "int8 KiB", f"{args.bits}-bit KiB", "ratio", "arena KiB", "arena after",
            f"top-1 = int8 ({args.samples} inputs)"]  # fmt: skip
    for board in boards:
        head += [f"{board} M instr", "compressed", "ratio"]
    print(
        f"{time.strftime('%Y-%m-%d')}, {args.bits}-bit palettes per {args.per}, "
        "QEMU -icount shift=0"
    )
    print(table(head, rows))
    print()
    print("top-1 agreement with the int8 model on real samples"
          + (f"; fits with flash={args.flash}" if args.flash else ""))  # fmt: skip
    rows, groups = real_agreement(base, args.bits, args.per, args.names, args.folds, args.sweeps,
                                  args.flash)  # fmt: skip
    print(table(["model", "int8 KiB", f"{args.bits}-bit KiB", "ratio", "samples", "top-1 = int8",
                 "calibration", "fit ratio", "fit: top-1 = int8", "held out: top-1 = int8"],
                rows))  # fmt: skip
    if groups:
        print()
        print("held out: palettes fit on calibration samples of the other clips or photos only")
        print(table(["model", "evaluated on", "calibration", "ratio", "weight tensors",
                     "top-1 = int8"], groups))  # fmt: skip


if __name__ == "__main__":
    main()
