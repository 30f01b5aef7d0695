"""Shared fixtures: the emulated board, and ``device`` over every target.

``device`` is parametrized over ``unix`` (the unix-port firmware) and ``emulator`` (the
emulated Cortex-M7), so each device test is reported twice: ``test_x[unix]`` and
``test_x[emulator]``. ``TINYML_DEVICES=unix`` (comma-separated) narrows the targets. The
emulator is booted once per session (its own, under build/emulator/pytest-<pid>/) and always
stopped at the end, even after failures or when pytest is killed.
Firmware is built by the set-up (``make test``); a missing one is built on first use.
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
from tinyml.emulator import Emulator, EmulatorState
from tinyml.paths import Paths

ALL_TARGETS = ("unix", "emulator")

# Tests reach no network: a release download that a test does not point at its own server on
# 127.0.0.1 fails at once here instead of going to the project's release page.
os.environ.setdefault("TINYML_RELEASE_URL", "http://127.0.0.1:1/tests-reach-no-network")


def _targets() -> list[str]:
    env = os.environ.get("TINYML_DEVICES")
    if not env:
        return list(ALL_TARGETS)
    return [t.strip() for t in env.split(",") if t.strip()]


def pytest_configure(config: pytest.Config) -> None:
    # SIGTERM (a CI time-out, `timeout`) becomes KeyboardInterrupt, so pytest still runs the
    # session teardown that stops QEMU.
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
    # A private filesystem for the unix device (a user's persists in build/unix-fs).
    if "TINYML_UNIX_FS" not in os.environ:
        os.environ["TINYML_UNIX_FS"] = tempfile.mkdtemp(prefix="tinyml-unix-fs-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop("TINYML_UNIX_FS"), True))
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


@pytest.fixture(scope="session")
def emulator(paths: Paths) -> Iterator[EmulatorState]:
    """The emulated board for this session; stopped at the end if this session started it."""
    emu = Emulator(paths=paths)
    state, started = emu.start(die_with_parent=True)
    try:
        yield state
    finally:
        if started:
            emu.stop()


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
    if target not in _devices:
        if target == "emulator":
            request.getfixturevalue("emulator")
        _devices[target] = Device(target, paths=paths)
    return _devices[target]


@pytest.fixture
def run_on_device(device: Device) -> Callable[..., str]:
    """``run_on_device(script, files=None, timeout=300) -> output`` on the current device."""

    def run(script: str | os.PathLike[str], files: Files | None = None, timeout: float = 300.0):
        return _run_on_device(device, script, files, timeout)

    return run
