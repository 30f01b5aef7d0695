"""A device is a connection: the device layer never builds firmware or boots a board, it names
the command that does; the CLI runs those steps itself, each announced, in order.

The fresh checkout is a stand-in root (``TINYML_ROOT``) with the real ``boards/`` and an empty
``build/``. Its firmware "build" copies the real firmware there (a real build takes minutes,
and is tested by ``tinyml firmware build`` in tests/test_firmware_ops.py); everything after it,
booting QEMU, connecting and pushing, is real.
"""

from __future__ import annotations

import functools
import os
import shutil
import time
from pathlib import Path

import pytest
from tinyml import cli, firmware, repl
from tinyml.device import Device
from tinyml.device_setup import build_if_missing
from tinyml.emulator import Emulator
from tinyml.errors import DeviceError
from tinyml.paths import Paths, repo_root


@pytest.fixture
def fresh(tmp_path: Path) -> Paths:
    """Paths of a checkout nothing was built in."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "boards").symlink_to(repo_root() / "boards")
    (root / "build").mkdir()
    env = {**os.environ, "TINYML_ROOT": str(root), "TINYML_EMULATOR_DIR": str(tmp_path / "emu")}
    return Paths(root, env)


def test_device_layer_refuses_missing_firmware(fresh: Paths) -> None:
    """Device, repl_command and Emulator.start name the build command, at once, building
    nothing; an emulated board that is not running is named with the command that boots it."""
    t0 = time.monotonic()
    unix = fresh.build / "firmware" / "unix" / "micropython"
    build_unix = f"no unix firmware at {unix}: build it with `tinyml firmware build --board unix`"
    with pytest.raises(DeviceError) as e:
        Device("unix", paths=fresh)
    assert str(e.value) == build_unix
    with pytest.raises(DeviceError) as e:
        repl.repl_command("unix", fresh)
    assert str(e.value) == build_unix
    with pytest.raises(DeviceError) as e:
        Device("unix-stock", paths=fresh)
    assert str(e.value).endswith("build it with `tinyml firmware build --board unix-stock`")
    with pytest.raises(DeviceError) as e:
        Emulator("qemu-m0", fresh).start()
    elf = fresh.build / "firmware" / "qemu-m0" / "firmware.elf"
    assert str(e.value) == (
        f"no qemu-m0 firmware at {elf}: build it with `tinyml firmware build --board qemu-m0`"
    )
    not_running = (
        "the emulated board qemu-m4 is not running: "
        "start it with `tinyml emulator start --board qemu-m4`"
    )
    with pytest.raises(DeviceError) as e:
        Device("emulator:qemu-m4", paths=fresh)
    assert str(e.value) == not_running
    with pytest.raises(DeviceError) as e:
        repl.repl_command("emulator:qemu-m4", fresh)
    assert str(e.value) == not_running
    assert list(fresh.build.iterdir()) == [], "the device layer wrote into build/"
    assert time.monotonic() - t0 < 5


def test_cli_build_failure_stops_before_connecting(fresh: Paths, monkeypatch, capsys) -> None:
    """The CLI announces the build; a build that cannot run (no MicroPython source in this
    checkout) is one error line, exit status 2, and no connection is tried."""
    monkeypatch.setenv("TINYML_ROOT", str(fresh.root))
    script = fresh.root / "hello.py"
    script.write_text("print('hello')\n")
    assert cli.main(["exec", str(script), "--device", "unix"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "==> building unix firmware with the tinyml module (first run only)"
    assert err[1].startswith("tinyml: error: no MicroPython source at")
    assert len(err) == 2


@pytest.fixture
def fake_build(fresh: Paths, paths: Paths, monkeypatch) -> list[str]:
    """firmware.build for the fresh checkout: reports progress as a build does, then puts the
    real firmware (built if missing) where a build would. Returns the boards it built."""
    built: list[str] = []

    def build(name: str, at: Paths, *, progress=None, **_options) -> Path:
        assert at.root == fresh.root
        built.append(name)
        if progress:
            progress(f"building {name}: 3 files compiled, 1 s")
        dest = firmware.firmware_path(name, at)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(build_if_missing(name, paths), dest)
        return dest

    monkeypatch.setattr(firmware, "build", build)
    for key in ("TINYML_ROOT", "TINYML_EMULATOR_DIR"):
        monkeypatch.setenv(key, fresh.env[key])
    # QEMU goes with this process, however it ends (the CLI leaves it running for the next
    # command, as `make demo` does).
    start = functools.partialmethod(Emulator.start, die_with_parent=True)
    monkeypatch.setattr(Emulator, "start", start)
    return built


def _order(lines: list[str], *expected: str) -> list[int]:
    """Indexes of the first line starting with each of ``expected``; fails on a missing one."""
    found = []
    for prefix in expected:
        found.append(next(i for i, ln in enumerate(lines) if ln.startswith(prefix)))
    return found


def test_cli_push_on_a_fresh_checkout_builds_boots_connects(
    fresh: Paths, fake_build: list[str], tmp_path: Path, capsys
) -> None:
    """`tinyml push --device emulator m.tflite` on a fresh checkout: build, then boot, then the
    push, each announced; the next command uses the running board, building nothing."""
    model = tmp_path / "m.tflite"
    model.write_bytes(bytes(range(256)) * 12)
    try:
        assert cli.main(["push", "--device", "emulator", str(model)]) == 0
        out, err = capsys.readouterr()
        lines = err.splitlines()
        order = _order(
            lines,
            "==> building qemu-m7 firmware with the tinyml module (first run only)",
            "  building qemu-m7: 3 files compiled",
            "==> booting the emulated board (qemu-m7)",
        )
        assert order == sorted(order), lines
        assert fake_build == ["qemu-m7"]
        assert "(3,072 bytes, sha256" in out and "/models on emulator:" in out
        state = Emulator("qemu-m7", fresh).status()
        assert state is not None

        script = tmp_path / "size.py"
        script.write_text("import os\nprint(os.stat('/models/m.tflite')[6])\n")
        assert cli.main(["exec", str(script), "--device", "emulator"]) == 0
        out, err = capsys.readouterr()
        assert out == "3072\n"
        assert err == f"==> using the emulated board already running (qemu-m7, pid {state.pid})\n"
        assert fake_build == ["qemu-m7"]
    finally:
        Emulator("qemu-m7", fresh).stop()


def test_cli_exec_unix_on_a_fresh_checkout_builds_first(
    fresh: Paths, fake_build: list[str], tmp_path: Path, capsys
) -> None:
    """`tinyml exec --device unix` builds the missing firmware, announced, before it runs the
    script; with the firmware there it runs it at once, silently."""
    script = tmp_path / "hello.py"
    script.write_text("import tinyml\nprint('hello', tinyml.Model is not None)\n")
    assert cli.main(["exec", str(script), "--device", "unix"]) == 0
    out, err = capsys.readouterr()
    assert out == "hello True\n"
    assert err.splitlines() == [
        "==> building unix firmware with the tinyml module (first run only)",
        "  building unix: 3 files compiled, 1 s",
    ]
    assert cli.main(["exec", str(script), "--device", "unix"]) == 0
    assert capsys.readouterr() == ("hello True\n", "")
    assert fake_build == ["unix"]


def test_cli_emulator_start_builds_then_boots(
    fresh: Paths, fake_build: list[str], tmp_path: Path, capsys
) -> None:
    """`tinyml emulator start` on a fresh checkout: the build, then the boot, then the pty.
    After a rebuild of the firmware the next command boots the board again, saying why."""
    try:
        assert cli.main(["emulator", "start", "--board", "qemu-m4"]) == 0
        out, err = capsys.readouterr()
        assert err.splitlines() == [
            "==> building qemu-m4 firmware with the tinyml module (first run only)",
            "  building qemu-m4: 3 files compiled, 1 s",
            "==> booting the emulated board (qemu-m4)",
        ]
        state = Emulator("qemu-m4", fresh).status()
        assert state is not None and out.splitlines()[0] == state.pty

        later = time.time() + 5
        os.utime(firmware.firmware_path("qemu-m4", fresh), (later, later))
        script = tmp_path / "hello.py"
        script.write_text("print('hello')\n")
        assert cli.main(["exec", str(script), "--device", "emulator:qemu-m4"]) == 0
        out, err = capsys.readouterr()
        assert out == "hello\n"
        assert err == "==> booting the emulated board (qemu-m4) again: its firmware was rebuilt\n"
        again = Emulator("qemu-m4", fresh).status()
        assert again is not None and again.pid != state.pid
        assert fake_build == ["qemu-m4"]
    finally:
        Emulator("qemu-m4", fresh).stop()
