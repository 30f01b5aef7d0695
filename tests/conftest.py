"""Shared fixtures: the emulated board, and ``device`` over every target.

``device`` is parametrized over ``unix`` (the unix-port firmware), ``emulator`` (the
emulated Cortex-M7), ``emulator-m4`` (the emulated Cortex-M4: the same DSP kernels on the core most
STM32 boards have, with a single-precision FPU) and ``emulator-m0`` (the emulated Cortex-M0,
boards/qemu-m0: the RP2040's instruction set and about a Pico's RAM), so each device test is
reported four times: ``test_x[unix]``, ``test_x[emulator]``, ``test_x[emulator-m4]``,
``test_x[emulator-m0]``. ``TINYML_DEVICES=unix``
(comma-separated) narrows the targets. Each emulator is booted once per session (its own,
under build/emulator/pytest-<pid>/) and always stopped at the end, even after failures or
when pytest is killed.
Firmware is built by the set-up (``make test``); a missing one is built here first, as the CLI
does (tinyml.device_setup.prepare): ``Device`` itself only connects.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from device_runner import Files, models_dir
from device_runner import run_on_device as _run_on_device
from tinyml.device import Device
from tinyml.device_setup import prepare
from tinyml.emulator import EmulatorState
from tinyml.paths import Paths

ALL_TARGETS = ("unix", "emulator", "emulator-m4", "emulator-m0")
# Target name -> the Device target and the emulated board it needs (None: none).
_TARGET_DEVICES = {
    "unix": ("unix", None),
    "emulator": ("emulator", "qemu-m7"),
    "emulator-m4": ("emulator:qemu-m4", "qemu-m4"),
    "emulator-m0": ("emulator:qemu-m0", "qemu-m0"),
}
# The session fixture that boots each emulated board.
_BOARD_FIXTURES = {"qemu-m7": "emulator", "qemu-m4": "emulator_m4", "qemu-m0": "emulator_m0"}

# Tests reach no network: a release download that a test does not point at its own server on
# 127.0.0.1 fails at once here instead of going to the project's release page.
os.environ.setdefault("TINYML_RELEASE_URL", "http://127.0.0.1:1/tests-reach-no-network")


def _targets() -> list[str]:
    env = os.environ.get("TINYML_DEVICES")
    if not env:
        return list(ALL_TARGETS)
    return [t.strip() for t in env.split(",") if t.strip()]


def _remove_unix_fs(path: str) -> None:
    """The unix devices' folders: the one named, and one beside it per other unix firmware."""
    for folder in Path(path).parent.glob(Path(path).name + "*"):
        shutil.rmtree(folder, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    # SIGTERM (a CI time-out, `timeout`) becomes KeyboardInterrupt, so pytest still runs the
    # session teardown that stops QEMU.
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
    # A private filesystem for the unix device (a user's persists in build/unix-fs).
    if "TINYML_UNIX_FS" not in os.environ:
        os.environ["TINYML_UNIX_FS"] = tempfile.mkdtemp(prefix="tinyml-unix-fs-")
        config.add_cleanup(lambda: _remove_unix_fs(os.environ.pop("TINYML_UNIX_FS")))
    # A private emulator for this session: neither a user's `tinyml emulator start` nor another
    # test run shares (and holds) its serial port. Everything that says "emulator" in this
    # process, the CLI included, finds this one.
    if "TINYML_EMULATOR_DIR" not in os.environ:
        state = Paths.default().build / "emulator" / f"pytest-{os.getpid()}"
        os.environ["TINYML_EMULATOR_DIR"] = str(state)


@pytest.fixture(scope="session")
def paths() -> Paths:
    return Paths.default()


@pytest.fixture(scope="session")
def models() -> Path:
    """The shared reference models directory (``TINYML_MODELS`` overrides)."""
    path = models_dir()
    if not path.is_dir():
        pytest.skip(f"shared models not found at {path}")
    return path


def _session_emulator(board: str, paths: Paths) -> Iterator[EmulatorState]:
    emu, started = prepare(f"emulator:{board}", paths, die_with_parent=True)
    assert emu is not None
    state = emu.status()
    assert state is not None
    try:
        yield state
    finally:
        if started:
            emu.stop()


@pytest.fixture(scope="session")
def emulator(paths: Paths) -> Iterator[EmulatorState]:
    """The emulated Cortex-M7 for this session; stopped at the end if this session started it."""
    yield from _session_emulator("qemu-m7", paths)


@pytest.fixture(scope="session")
def emulator_m4(paths: Paths) -> Iterator[EmulatorState]:
    """The emulated Cortex-M4 for this session; stopped at the end if this session started it."""
    yield from _session_emulator("qemu-m4", paths)


@pytest.fixture(scope="session")
def emulator_m0(paths: Paths) -> Iterator[EmulatorState]:
    """The emulated Cortex-M0 for this session; stopped at the end if this session started it."""
    yield from _session_emulator("qemu-m0", paths)


@pytest.fixture(scope="session")
def _devices(request: pytest.FixtureRequest) -> Iterator[dict[str, Device]]:
    opened: dict[str, Device] = {}
    yield opened
    for dev in opened.values():
        dev.close()


@pytest.fixture(params=_targets())
def device(request: pytest.FixtureRequest, _devices: dict[str, Device], paths: Paths) -> Device:
    """A connected Device for each target; shared across the session, soft-reset per exec."""
    target = request.param
    if target not in _TARGET_DEVICES:
        raise pytest.UsageError(
            f"TINYML_DEVICES: unknown target {target!r} (choose from {', '.join(ALL_TARGETS)})"
        )
    # Keyed by Device.target, so that tests can free the port a CLI call needs.
    dev_target, board = _TARGET_DEVICES[target]
    if dev_target not in _devices:
        if board is not None:
            request.getfixturevalue(_BOARD_FIXTURES[board])
        else:
            prepare(dev_target, paths)
        _devices[dev_target] = Device(dev_target, paths=paths)
    return _devices[dev_target]


@pytest.fixture
def run_on_device(device: Device) -> Callable[..., str]:
    """``run_on_device(script, files=None, timeout=300) -> output`` on the current device."""

    def run(script: str | os.PathLike[str], files: Files | None = None, timeout: float = 300.0):
        return _run_on_device(device, script, files, timeout)

    return run
