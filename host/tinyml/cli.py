"""The ``tinyml`` command line: a registry of subcommands, each a thin handler.

``_COMMANDS`` maps a name to ``(handler, add_arguments, help)``, as mpremote's does. A handler
takes the parsed arguments and returns an exit code; library modules do the work and raise
TinymlError, which ``main`` turns into ``tinyml: error: <msg>`` once (``--debug`` re-raises).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .commands import COMMANDS as HOST_COMMANDS
from .commands import announce, build_progress, prepare_device
from .errors import DeviceError, TinymlError
from .paths import Paths

Handler = Callable[[argparse.Namespace], int]
AddArguments = Callable[[argparse.ArgumentParser], None]


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# firmware -------------------------------------------------------------------------------------


def _firmware_args(p: argparse.ArgumentParser) -> None:
    from . import boards

    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    b = sub.add_parser(
        "build",
        help="build MicroPython firmware with the tinyml module (openmv-*: the .mpy for "
        "OpenMV's firmware)",
    )
    b.add_argument("--board", required=True, choices=boards.choices("build"), help="target board")
    b.add_argument("-j", "--jobs", type=int, default=None, help="parallel make jobs")
    b.add_argument(
        "--ops-from",
        nargs="+",
        type=Path,
        metavar="MODEL",
        help="only the ops these .tflite models use, and float32 and int16 kernels only if "
        "one of them has such a tensor (build/firmware/<board>-ops/)",
    )
    b.add_argument(
        "--no-op-names",
        action="store_true",
        help="leave out the table of op names used only in error messages",
    )
    b.add_argument(
        "--no-fast-kernels",
        action="store_true",
        help="leave out the fast kernels: every op runs its reference kernel, with the same "
        "bytes, in less flash and about 4x the time (build/firmware/<board>[-ops]-reference/)",
    )


def _firmware(args: argparse.Namespace) -> int:
    from . import firmware

    out = firmware.build(
        args.board,
        Paths.default(),
        jobs=args.jobs,
        ops_from=args.ops_from,
        op_names=not args.no_op_names,
        fast_kernels=not args.no_fast_kernels,
        progress=build_progress,
    )
    print(out)
    return 0


# emulator -------------------------------------------------------------------------------------


def _emulator_args(p: argparse.ArgumentParser) -> None:
    from . import boards
    from .emulator import DEFAULT_BOARD

    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument(
        "--board",
        choices=boards.choices("emulator"),
        help=f"start and stop: default {DEFAULT_BOARD}; status: default every board",
    )


def _emulator(args: argparse.Namespace) -> int:
    from . import boards
    from .emulator import DEFAULT_BOARD, Emulator

    if args.action == "status" and args.board is None:
        emulated = boards.names(what="emulator")
        running = [(b, s) for b in emulated if (s := Emulator(b).status()) is not None]
        for board, state in running:
            print(f"{state.pty}\n{board} running (pid {state.pid})")
        if not running:
            print("no emulated board running")
        return 0 if running else 1
    args.board = args.board or DEFAULT_BOARD
    emu = Emulator(args.board)
    if args.action == "start":
        from .device_setup import boot, build_if_missing

        build_if_missing(emu.board, emu.paths, announce, build_progress)
        state, started = boot(emu, announce)
        what = "started" if started else "already running"
        print(
            f"{state.pty}\n{args.board} {what} (pid {state.pid}); stop with `tinyml emulator stop`"
        )
        return 0
    if args.action == "stop":
        print(f"{args.board} stopped" if emu.stop() else f"{args.board} was not running")
        return 0
    state = emu.status()
    if state is None:
        print(f"{args.board} not running")
        return 1
    print(f"{state.pty}\n{args.board} running (pid {state.pid})")
    return 0


# exec -----------------------------------------------------------------------------------------


def _exec_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("script", type=Path, help="MicroPython script to run")
    p.add_argument(
        "--device",
        default="emulator",
        help="unix, emulator[:qemu-m4] or a serial port such as /dev/ttyACM0 (default: emulator)",
    )
    p.add_argument("--timeout", type=float, default=600.0, help="seconds (default: 600)")


def _exec(args: argparse.Namespace) -> int:
    from .device import Device

    try:
        script = args.script.read_text()
    except OSError as e:
        raise TinymlError(f"{args.script}: {e.strerror}") from None
    prepare_device(args.device)
    with Device(args.device) as dev:
        try:
            dev.exec(script, timeout=args.timeout, stream=_write)
        except DeviceError as e:
            if e.traceback:
                sys.stderr.write(e.traceback if e.traceback.endswith("\n") else e.traceback + "\n")
            raise
    return 0


_COMMANDS: dict[str, tuple[Handler, AddArguments, str]] = {
    "firmware": (_firmware, _firmware_args, "build firmware: tinyml firmware build --board B"),
    "emulator": (_emulator, _emulator_args, "start, stop or query the emulated board"),
    "exec": (_exec, _exec_args, "run a MicroPython script on a device"),
}


_COMMANDS.update(HOST_COMMANDS)  # the model and device commands of tinyml.commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinyml", description="TensorFlow Lite Micro models on MicroPython"
    )
    parser.add_argument("--version", action="version", version=f"tinyml {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (handler, add_arguments, help_text) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(p)
        p.set_defaults(run=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except TinymlError as e:
        if args.debug:
            raise
        print(f"tinyml: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`tinyml ... | head`): stop quietly, and keep Python's final
        # flush from failing on the closed pipe.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
