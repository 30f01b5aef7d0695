"""CLI handlers for convert, inspect, run, verify, push, publish, repl, flash and demo.

Each handler parses nothing itself: it calls a library module and prints what it returns.
``COMMANDS`` has the shape of ``cli._COMMANDS`` (handler, add_arguments, help), which merges it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from .errors import TinymlError


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Progress:
    """``what done/total`` on one updating line on a terminal, a few plain lines otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""
        self.shown: set[tuple[str, int]] = set()

    def __call__(self, what: str, done: int, total: int) -> None:
        if total <= 0:
            return
        pct = int(100 * done / total)
        if self.tty:
            end = "\n" if done >= total else ""
            sys.stderr.write(f"\r  {what}: {done}/{total} ({pct}%)\x1b[K{end}")
            sys.stderr.flush()
        else:
            quarter = pct // 25
            if (what, quarter) not in self.shown:
                self.shown.add((what, quarter))
                _err(f"  {what}: {done}/{total} ({pct}%)")


def announce(msg: str) -> None:
    """A step of a command starts: ``==> msg`` on stderr."""
    _err(f"==> {msg}")


def build_progress(line: str) -> None:
    """A long step's progress (a firmware build's files compiled), indented under its step."""
    _err(f"  {line}")


def prepare_device(target: str) -> None:
    """The steps before connecting to ``target``, each on a line of its own: build the
    firmware when missing, boot the emulated board unless it runs (device_setup.py)."""
    from .device_setup import prepare

    prepare(target, step=announce, progress=build_progress)


def _kb(n: int) -> str:
    return f"{n:,} bytes ({n / 1024:.1f} KiB)"


# convert --------------------------------------------------------------------------------------


def _convert_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", type=Path, help="Keras .keras/.h5, SavedModel directory or .tflite")
    p.add_argument("-o", "--output", type=Path, required=True, help="int8 .tflite to write")
    p.add_argument("--calib", type=Path, help="representative data: .npy, .npz or .csv")
    p.add_argument("--labels", type=Path, help="labels file, one per line, stored in the model")
    p.add_argument("--pipeline", type=Path, help="pipeline settings (JSON) stored in the model")
    p.add_argument("--float-io", action="store_true", help="keep float32 input and output")
    p.add_argument(
        "--calib-samples", type=int, default=500, help="use at most N samples (default: 500)"
    )
    p.add_argument(
        "--compress",
        metavar="SPEC",
        help="store weights as 2-4 bit palette indices (TFLM's format): bits=4 (2, 3 or 4), "
        "optionally per=channel|tensor|auto; or flash=0.5: each layer 2-4 bit or int8, chosen on "
        "--calib to fit 0.5x the int8 size; checks top-1 agreement on --calib",
    )


def _convert(args: argparse.Namespace) -> int:
    from . import convert, metadata

    labels = metadata.read_labels_file(str(args.labels)) if args.labels else None
    pipeline = None
    if args.pipeline:
        try:
            pipeline = json.loads(args.pipeline.read_text())
        except OSError as e:
            raise TinymlError(f"{args.pipeline}: {e.strerror}") from None
        except ValueError as e:
            raise TinymlError(f"{args.pipeline}: not valid JSON: {e}") from None
    if args.model.suffix != ".tflite":
        announce(f"converting {args.model} (TensorFlow)")
    r = convert.convert(
        args.model,
        args.output,
        args.calib,
        labels=labels,
        pipeline=pipeline,
        float_io=args.float_io,
        max_samples=args.calib_samples,
        progress=Progress(),
        compress=args.compress,
    )
    print(f"wrote {r.output}")
    if r.float_params is not None:
        print(f"  before: {r.float_params:,} float32 parameters = {_kb(4 * r.float_params)}")
        print(f"          source file {_kb(r.source_bytes)}")
    else:
        print(f"  before: {_kb(r.source_bytes)}")
    print(f"  after:  {_kb(r.tflite_bytes)} (.tflite, {r.input_dtype} in, {r.output_dtype} out)")
    if r.calibration_samples:
        print(f"  calibrated on {r.calibration_samples} samples")
    if r.labels:
        print(f"  labels: {', '.join(r.labels)}")
    if r.pipeline is not None:
        print(f"  pipeline: {json.dumps(r.pipeline)}")
    if r.compression is not None:
        _print_compression(r)
    for note in r.warnings:
        _err(f"tinyml: warning: {note}")
    if r.unsupported:
        _err(
            "tinyml: warning: the engine does not run "
            + ", ".join(r.unsupported)
            + "; the model will not load on the device"
        )
    return 0


def _print_compression(r) -> None:
    c = r.compression
    before = sum(t.before for t in c.tensors)
    after = sum(t.after for t in c.tensors)
    print(f"  compressed {len(c.tensors)} weight tensors: {_kb(before)} -> {_kb(after)}")
    if c.fitted:
        print(f"  palettes fit to the layers' outputs on {c.fitted} calibration samples")
    widths = sorted({t.bits for t in c.tensors})
    if len(widths) > 1 or c.kept:
        counts = [f"{sum(t.bits == b for t in c.tensors)} at {b} bits" for b in widths]
        print(f"  widths chosen on the calibration samples: {', '.join(counts)}, "
              f"{len(c.kept)} left int8")  # fmt: skip
    ratio = r.tflite_bytes / c.int8_bytes
    print(f"  flash: {_kb(c.int8_bytes)} int8 -> {_kb(r.tflite_bytes)} compressed ({ratio:.2f}x)")
    if c.arena_before is not None and c.arena_after is not None:
        print(
            f"  arena: {_kb(c.arena_before)} -> {_kb(c.arena_after)} (decoded weights of one "
            "layer, or a block of a fully connected one, at a time)"
        )
    if c.samples:
        line = f"  top-1 on {c.samples} calibration samples: {100 * c.agree_int8:.1f}% as int8"
        if c.agree_float is not None:
            line += (
                f", {100 * c.agree_float:.1f}% with float (int8: {100 * c.int8_agree_float:.1f}%)"
            )
        print(line)
    else:
        print("  accuracy not checked: give --calib DATA to compare on calibration samples")


# inspect --------------------------------------------------------------------------------------


def _inspect_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", type=Path, help=".tflite model")
    p.add_argument("--board", help="check the fit on boards/<BOARD>/board.json (e.g. esp32s3)")
    p.add_argument(
        "--no-fast-kernels",
        action="store_true",
        help="the arena of the board's firmware built with --no-fast-kernels (needs --board)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")


def _inspect(args: argparse.Namespace) -> int:
    from . import inspect

    if args.no_fast_kernels and args.board is None:
        _err("tinyml: error: --no-fast-kernels describes a board's firmware: add --board BOARD")
        return 2
    report = inspect.analyze(args.model, board=args.board, fast_kernels=not args.no_fast_kernels)
    print(report.to_json() if args.json else inspect.format_report(report))
    if report.ok:
        return 0
    if not args.json:
        why = []
        if report.unsupported:
            why.append("unsupported ops: " + ", ".join(report.unsupported))
        elif report.arena_bytes is None:
            why.append(f"the engine cannot load it: {report.arena_error}")
        if report.fit is not None and not report.fit.fits:
            why.append(f"does not fit {report.fit.board}")
        _err(f"tinyml: error: {args.model}: {'; '.join(why)}")
    return 1


# run ------------------------------------------------------------------------------------------


def _task_arg(p: argparse.ArgumentParser) -> None:
    from .task import TASKS

    p.add_argument(
        "--task",
        choices=TASKS,
        help="what output 0 is (default: guessed from the model: a heat map is a detector, "
        "labels or a softmax a classifier, a long vector an embedding)",
    )


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", type=Path, help=".tflite model")
    p.add_argument("--input", type=Path, required=True, help="input .npy (one sample or N)")
    p.add_argument("--out", type=Path, help="write the outputs (dequantized float32) to .npy")
    p.add_argument("--raw", action="store_true", help="--out writes raw tensor values instead")
    p.add_argument("--labels", type=Path, help="labels file (default: from the model)")
    p.add_argument("--top", type=int, default=3, help="classes shown per sample (default: 3)")
    _task_arg(p)
    p.add_argument(
        "--device",
        help="also run every sample on this device (unix, emulator[:BOARD] or a serial port) "
        "and compare its raw outputs with the host engine's, sample by sample",
    )


def _shown(r, i: int, kind: str, top: int) -> str:
    """One sample's output 0 as text, as its task reads best."""
    import numpy as np

    from . import task

    v = r.values[0][i]
    if kind == "classifier":
        return ", ".join(f"{lab} {s:.4f}" for lab, s, _ in r.top(i, top))
    if kind == "detector":
        count, found = task.detections(v.reshape(v.shape[-3:]), r.labels)
        h, w = v.shape[-3], v.shape[-2]
        return f"{count} of {h}x{w} cells found something" + (f": {found}" if found else "")
    flat = v.reshape(-1)
    text = np.array2string(flat, precision=4, threshold=12, separator=", ")
    if kind == "embedding":
        return f"{len(flat)} values, norm {np.linalg.norm(flat):.4f}: {text}"
    return text


def _run(args: argparse.Namespace) -> int:
    import numpy as np

    from . import metadata, task
    from . import run as host_run

    labels = metadata.read_labels_file(str(args.labels)) if args.labels else None
    x = host_run.load_array(args.input)
    m = host_run.load_model(args.model, labels)
    kind = task.choose(m._schema, m.labels, args.task)
    if args.device:
        from .run_device import raw_inputs

        # The board gets raw tensor bytes: give the host engine exactly the same ones.
        x = raw_inputs(m, x)
    r = host_run.run_batch(m, x)
    n = len(r.values[0])
    limit = 20
    for i in range(min(n, limit)):
        print(f"[{i}] {_shown(r, i, kind, args.top)}  ({r.micros[i]:.0f} us)")
    if n > limit:
        print(f"... {n - limit} more")
    if len(r.values) > 1:
        print(f"(output 0 of {len(r.values)} shown; --out writes them all)")
    if args.out:
        data = r.raw if args.raw else r.values
        try:
            if len(data) == 1:
                np.save(args.out, data[0])
            else:
                np.savez(args.out, **{f"output_{i}": a for i, a in enumerate(data)})
        except OSError as e:
            raise TinymlError(f"{args.out}: {e.strerror or e}") from None
        print(f"wrote {args.out}")
    if args.device:
        return _run_on_device(args, m, x, r)
    return 0


def _run_on_device(args: argparse.Namespace, m, x, r) -> int:
    import numpy as np

    from .device import Device
    from .errors import VerifyMismatch
    from .run_device import run_on_device

    n = len(x)
    prepare_device(args.device)
    announce(f"running {n} sample(s) on {args.device}")
    with Device(args.device) as dev:
        got = run_on_device(dev, args.model, x, progress=Progress())
    dtype = r.raw[0].dtype
    differ = 0
    for s in got:
        host = r.raw[0][s.index].reshape(-1)
        board = np.frombuffer(s.raw, dtype=dtype)
        if board.shape == host.shape and np.array_equal(board, host):
            verdict = "same as host"
        else:
            differ += 1
            if board.shape != host.shape:
                verdict = f"DIFFERS: {board.size} values, host {host.size}"
            else:
                wrong = int(np.sum(board != host))
                worst = int(np.max(np.abs(board.astype(np.int64) - host.astype(np.int64))))
                verdict = f"DIFFERS in {wrong} of {host.size} values (max |diff| {worst})"
        if s.index < 20 or verdict != "same as host":
            print(f"[{s.index}] board: {verdict}  ({s.micros} us on the board)")
    mean = sum(s.micros for s in got) / max(len(got), 1)
    print(f"{args.device}: {n - differ}/{n} samples bit-exact with the host engine "
          f"(mean {mean:.0f} us per invoke on the board)")  # fmt: skip
    if differ:
        raise VerifyMismatch(f"{differ} of {n} samples differ between {args.device} and the host")
    return 0


# verify ---------------------------------------------------------------------------------------


def _verify_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", type=Path, help="int8 .tflite model")
    p.add_argument("--data", type=Path, required=True, help="inputs X (.npy)")
    p.add_argument(
        "--labels",
        type=Path,
        help="labels y (.npy): a class per sample, a class per heat-map cell, or targets "
        "(optional with --reference or --tflm)",
    )
    p.add_argument("--reference", type=Path, help="float model (Keras, SavedModel, .tflite)")
    p.add_argument("--tflm", action="store_true", help="also require bit-exact TFLite Micro")
    p.add_argument("--min-accuracy", type=float, help="fail below this accuracy (0..1)")
    p.add_argument("--json", action="store_true", help="print JSON")
    _task_arg(p)


def _verify(args: argparse.Namespace) -> int:
    from . import run as host_run
    from . import verify

    x = host_run.load_array(args.data)
    y = host_run.load_array(args.labels) if args.labels else None
    r = verify.verify(args.model, x, y, reference=args.reference, tflm=args.tflm,
                      task=args.task, progress=Progress())  # fmt: skip
    print(json.dumps(r.to_dict(), indent=2) if args.json else verify.format_result(r))
    verify.check(r, args.min_accuracy)
    return 0


# push -----------------------------------------------------------------------------------------


def _device_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--device",
        default="emulator",
        help="unix, emulator[:qemu-m4] or a serial port such as /dev/ttyACM0 (default: emulator)",
    )


def _push_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", type=Path, help="models, label files, scripts")
    _device_arg(p)
    p.add_argument("--dest", default="/models", help="device folder (default: /models)")
    p.add_argument("--main", type=Path, help="install this script as the board's main.py")
    p.add_argument(
        "--update",
        type=Path,
        metavar="DIR",
        help="install a `tinyml publish` folder into the device's spare model slot; the device "
        "checks it and runs its self-test before switching (tinyml.update)",
    )
    p.add_argument(
        "--romfs",
        type=Path,
        metavar="IMAGE",
        help="instead of copying to a device, write a ROMFS image of the folder given as FILES, "
        "file data 16-byte aligned so models are used in place (mpremote romfs deploy IMAGE)",
    )


def _push_romfs(args: argparse.Namespace) -> int:
    from . import romfs

    if len(args.files) != 1 or args.main is not None or args.update is not None:
        raise TinymlError("--romfs takes one folder (its contents become the image root)")
    image = romfs.build(args.files[0])
    args.romfs.write_bytes(image)
    print(
        f"wrote {args.romfs} ({len(image):,} bytes, ROMFS, file data {romfs.ALIGN}-byte aligned)"
    )
    for name, (offset, size) in sorted(romfs.files(image).items()):
        print(f"  {size:>12,}  {name}  @ {offset:#x}")
    return 0


def _push(args: argparse.Namespace) -> int:
    from . import push
    from .device import Device

    if args.romfs is not None:
        return _push_romfs(args)
    if not args.files and args.main is None and args.update is None:
        raise TinymlError("nothing to push: give files, --main script.py or --update DIR")
    prepare_device(args.device)
    with Device(args.device) as dev:
        if args.update is not None:
            r = push.push_update(dev, args.update, progress=Progress())
            print(f"model {r.version} is active in slot {r.slot} on {args.device}")
            if not args.files and args.main is None:
                return 0
        done = push.push(dev, args.files, args.dest, args.main, progress=Progress())
        for p in done:
            print(f"pushed {p.local} -> {p.remote} ({p.bytes:,} bytes, sha256 {p.sha256[:12]})")
        folders = [args.dest] if args.files else []
        if args.main is not None:
            folders.append("/")
        for folder in folders:
            entries = push.listing(dev, folder) or []
            print(f"{folder} on {args.device}:")
            for e in entries:
                size = "<dir>" if e.size < 0 else f"{e.size:,}"
                print(f"  {size:>12}  {e.name}")
    return 0


# publish --------------------------------------------------------------------------------------


def _publish_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", type=Path, help=".tflite model")
    p.add_argument("--out", type=Path, required=True, help="folder to write (served as is)")
    p.add_argument("--labels", type=Path, help="labels file to ship beside the model")
    p.add_argument("--pipeline", type=Path, help="pipeline settings (JSON) to ship beside it")
    p.add_argument("--version", help="version string (default: the model's SHA-256, 12 digits)")
    p.add_argument(
        "--self-test", type=Path, help="one real input sample (.npy) (default: seeded random)"
    )


def _publish(args: argparse.Namespace) -> int:
    from . import publish
    from . import run as host_run

    sample = host_run.load_array(args.self_test) if args.self_test else None
    r = publish.publish(
        args.model,
        args.out,
        labels=args.labels,
        pipeline=args.pipeline,
        version=args.version,
        self_test_sample=sample,
    )
    for role, f in r.manifest["files"].items():
        print(f"{role}: {f['name']} ({f['size']:,} bytes, sha256 {f['sha256'][:12]})")
    tests = r.manifest["self_test"]
    print(f"self-test: {len(tests['inputs'])} input(s) -> {len(tests['outputs'])} output(s) "
          "from the host engine")  # fmt: skip
    print(f"wrote {r.out / publish.MANIFEST} (version {r.version})")
    return 0


# repl -----------------------------------------------------------------------------------------


def _repl_args(p: argparse.ArgumentParser) -> None:
    _device_arg(p)


def _repl(args: argparse.Namespace) -> int:
    from .repl import repl_command

    prepare_device(args.device)
    cmd = repl_command(args.device)
    if "mpremote" in cmd and not sys.stdin.isatty():
        # mpremote's REPL reads keys from a terminal and fails with a traceback without one.
        raise TinymlError(
            f"tinyml repl needs a terminal; to run a script on {args.device} without one: "
            f"tinyml exec SCRIPT.py --device {args.device}"
        )
    leave = "Ctrl-] or Ctrl-x" if "mpremote" in cmd else "Ctrl-D"
    announce(f"{' '.join(cmd)}  ({leave} to leave)")
    try:
        return subprocess.call(cmd)
    except OSError as e:
        raise TinymlError(f"cannot start the REPL: {e.strerror}") from None


# flash ----------------------------------------------------------------------------------------


def _flash_args(p: argparse.ArgumentParser) -> None:
    from . import boards

    # Not argparse choices: flash names the boards it takes itself, after reading the registry.
    flashable = ", ".join(boards.choices("flash") or ["see boards/"])
    p.add_argument("firmware", nargs="?", type=Path, help="image (default: the built firmware)")
    p.add_argument("--board", required=True, help=f"a board with a flash method: {flashable}")
    p.add_argument("--port", help="serial port (esp32s3) or mounted RPI-RP2 drive (rp2040)")
    p.add_argument(
        "--firmware",
        dest="firmware_source",
        metavar="FILE|URL|VERSION",
        help="esp32s3: an image, a URL beside a SHA256SUMS, or a release version (default: the "
        "local build, else the release of this tinyml version)",
    )


def _download_progress(name: str, done: int, total: int | None, verb: str = "downloading") -> None:
    """A progress bar on stderr for release downloads (and copies onto a boot drive)."""
    if total:
        filled = 30 * done // total
        bar = f"[{'#' * filled}{'.' * (30 - filled)}] {100 * done // total:3d}%"
        end = "\n" if done >= total else ""
    else:
        bar, end = f"{done / 1e6:.1f} MB", ""
    sys.stderr.write(f"\r{verb} {name} {bar}{end}")
    sys.stderr.flush()


def _flash(args: argparse.Namespace) -> int:
    from . import flash

    if args.firmware and args.firmware_source:
        raise TinymlError("give the firmware once: FIRMWARE or --firmware")
    announce(f"flashing {args.board}")
    firmware = args.firmware_source or args.firmware
    r = flash.flash(
        args.board,
        args.port,
        firmware,
        quiet=False,
        progress=_download_progress,
        copy_progress=lambda name, done, total: _download_progress(name, done, total, "copying"),
    )
    print(f"flashed {r.firmware} ({r.bytes:,} bytes) to {r.target}: {r.detail}")
    if r.board_info:
        print(r.board_info)
    return 0


# demo -----------------------------------------------------------------------------------------


def _demo_args(p: argparse.ArgumentParser) -> None:
    from .demo import DEFAULT, DEMOS, demo_name

    p.add_argument(
        "name",
        nargs="?",
        default=DEFAULT,
        type=lambda name: demo_name(name, _err),
        choices=DEMOS,
        help=f"an example's folder name (default: {DEFAULT})",
    )
    p.add_argument(
        "--device",
        default="emulator",
        help="emulator (default), unix, or a serial port of a board with tinyml firmware",
    )


def _demo(args: argparse.Namespace) -> int:
    from .demo import report, run_demo

    t0 = time.monotonic()
    r = run_demo(args.name, args.device, step=announce)
    print()
    print("\n".join(report(r)))
    print(f"done in {time.monotonic() - t0:.1f} s")
    return 0


COMMANDS = {
    "convert": (_convert, _convert_args, "Keras/SavedModel -> int8 .tflite with labels inside"),
    "inspect": (_inspect, _inspect_args, "ops, MACs, parameters, flash and arena of a model"),
    "run": (_run, _run_args, "run a model on the host engine (the device's arithmetic)"),
    "verify": (_verify, _verify_args, "accuracy on the engine vs the float model"),
    "push": (_push, _push_args, "copy files to a device (hash-checked, never half-written)"),
    "publish": (_publish, _publish_args, "write a model and its manifest for field updates"),
    "repl": (_repl, _repl_args, "open the MicroPython REPL of a device"),
    "flash": (_flash, _flash_args, "flash firmware to an esp32s3 or rp2040 board"),
    "demo": (_demo, _demo_args, "convert, push and run an example model on the emulated board"),
}
