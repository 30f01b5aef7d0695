"""The _tinyml MicroPython module on every target, built both ways.

tests/test_device_scripts.py runs each script in tests/device/ on the firmware that has _tinyml
built in (``unix``, ``emulator``). Here the module's scripts (model_*, inputs_*, errors_*,
labels_*, heapalloc_*) run again on STOCK MicroPython with ``_tinyml.mpy``: ``natmod-unix``
(unix port, x64), ``natmod-emulator`` (the emulated Cortex-M7, armv7emdp) and
``natmod-emulator-m0`` (the emulated Cortex-M0, armv6m, as on a Pico), installed by
mpremote's own mip code from ``build/natmod/<arch>/package.json``. Also here: labels stored in
a model's metadata (a model made at test time) on all four targets, the .mpy for every arch,
the package files, and the armv6m float division.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from device_runner import (
    declared_files,
    device_scripts,
    expected_output,
    models_dir,
    run_on_cpython,
    skip_if_heavy,
    skip_unless_fits,
)
from device_runner import run_on_device as _run_on_device
from tinyml import firmware
from tinyml.device import Device
from tinyml.emulator import Emulator
from tinyml.paths import Paths

ROOT = Path(__file__).resolve().parents[2]
NATMOD_DIR = ROOT / "native_module" / "micropython"
MODULE_SCRIPTS = [
    p
    for p in device_scripts()
    if p.name.startswith(("model_", "inputs_", "errors_", "labels_", "heapalloc_"))
]
# sys.implementation._mpy >> 10, as py/persistentcode.h numbers the architectures.
MPY_ARCHS = {"x64": 2, "armv6m": 4, "armv7m": 5, "armv7emsp": 7, "armv7emdp": 8}
# natmod target -> (stock firmware board, Device target, .mpy arch, TINYML_DEVICES name).
# TINYML_NATMOD (else TINYML_DEVICES) picks them; the Cortex-M4 (armv7emsp) runs only when
# asked for: TINYML_NATMOD=unix,emulator,emulator-m4.
NATMOD_TARGETS = {
    "natmod-unix": ("unix-stock", "unix-stock", "x64", "unix"),
    "natmod-emulator": ("qemu-m7-stock", "emulator:qemu-m7-stock", "armv7emdp", "emulator"),
    "natmod-emulator-m4": (
        "qemu-m4-stock",
        "emulator:qemu-m4-stock",
        "armv7emsp",
        "emulator-m4",
    ),
    # Stock MicroPython on the emulated Cortex-M0, configured as the rp2 port is (native code
    # in .mpy files allowed): the install route for a Pico running stock firmware.
    "natmod-emulator-m0": (
        "qemu-m0-stock",
        "emulator:qemu-m0-stock",
        "armv6m",
        "emulator-m0",
    ),
}


def _natmod_targets() -> list[str]:
    env = os.environ.get("TINYML_NATMOD") or os.environ.get("TINYML_DEVICES")
    wanted = {t.strip() for t in env.split(",")} if env else {"unix", "emulator", "emulator-m0"}
    return [t for t, spec in NATMOD_TARGETS.items() if spec[3] in wanted]


def build_mpy(arch: str | None = None) -> None:
    """make -C native_module/micropython [ARCH=arch]; incremental, so cheap when up to date."""
    cmd = ["make", "-C", str(NATMOD_DIR), f"-j{os.cpu_count() or 1}"]
    if arch:
        cmd.append(f"ARCH={arch}")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, (
        f"natmod build failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
    )


class _RecordingTransport:
    """What mpremote's mip writes to a board, recorded: {device path: bytes}."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def fs_exists(self, path: str) -> bool:
        return True  # directories: Device.put makes them

    def fs_mkdir(self, path: str) -> None:
        pass

    def fs_writefile(self, dest: str, data: bytes, progress_callback=None) -> None:
        self.files[dest] = data


def mip_files(package_json: Path, target: str = ".") -> dict[str, bytes]:
    """The files ``mpremote mip install --target <target> <package.json>`` writes, by running
    mpremote's own installer (mpremote.mip, pinned in pyproject) against a recording board."""
    from mpremote import mip

    transport = _RecordingTransport()
    mip._install_json(transport, str(package_json), mip._PACKAGE_INDEX, target, None, False)
    return transport.files


@pytest.fixture(scope="session", params=_natmod_targets())
def natmod_device(request: pytest.FixtureRequest, paths: Paths) -> Iterator[Device]:
    """Stock firmware with _tinyml.mpy and the tinyml package installed as mip would."""
    board, target, arch, _ = NATMOD_TARGETS[request.param]
    build_mpy(arch)
    if not firmware.firmware_path(board, paths).exists():
        firmware.build(board, paths)
    emu = None
    if target.startswith("emulator:"):
        emu = Emulator(board, paths)
        _, started = emu.start(die_with_parent=True)
        if not started:
            emu = None
    dev = Device(target, paths=paths)
    try:
        impl = dev.exec("import sys\nprint(sys.implementation._mpy >> 10)")
        assert int(impl) == MPY_ARCHS[arch], f"{target} runs arch {impl.strip()}, not {arch}"
        with tempfile.TemporaryDirectory() as tmp:
            for dest, data in mip_files(paths.build / "natmod" / arch / "package.json").items():
                local = Path(tmp) / "file"
                local.write_bytes(data)
                dev.put(local, dest.removeprefix("./"))
        yield dev
    finally:
        dev.close()
        if emu is not None:
            emu.stop()


@pytest.mark.parametrize("script", MODULE_SCRIPTS, ids=lambda p: p.stem)
def test_natmod_script(natmod_device: Device, script: Path) -> None:
    """The .mpy on stock firmware prints what CPython (or the script's .exp) prints."""
    skip_if_heavy(natmod_device, script)
    skip_unless_fits(natmod_device, list(declared_files(script).values()), script.name)
    out = _run_on_device(natmod_device, script)
    if out.strip() == "SKIP":
        pytest.skip(f"{script.name}: device lacks a feature")
    assert out == expected_output(script)


LABELS_SCRIPT = """\
import tinyml
m = tinyml.Model("labelled.tflite")
print(m.labels)
print(m.classify([1.0], k=1)[0][0])
print(tinyml.Model("labelled.tflite", labels=["explicit"]).labels)
print(m.metadata("tinyml_labels"))
"""


def _labelled_model(tmp_path: Path) -> dict[str, Path]:
    from tinyml import metadata

    model = (models_dir() / "tflite-micro" / "hello_world_int8.tflite").read_bytes()
    data = metadata.with_metadata(model, {metadata.LABELS: metadata.encode_labels(["sine"])})
    path = tmp_path / "labelled.tflite"
    path.write_bytes(data)
    return {"labelled.tflite": path}


def test_labels_from_metadata(device: Device, tmp_path: Path) -> None:
    """Labels stored by the host tools in the model (tinyml_labels) are read by the firmware
    module as by the CPython face."""
    files = _labelled_model(tmp_path)
    assert _run_on_device(device, LABELS_SCRIPT, files) == run_on_cpython(LABELS_SCRIPT, files)


def test_labels_from_metadata_natmod(natmod_device: Device, tmp_path: Path) -> None:
    """The same with the .mpy on stock firmware."""
    files = _labelled_model(tmp_path)
    out = _run_on_device(natmod_device, LABELS_SCRIPT, files)
    assert out == run_on_cpython(LABELS_SCRIPT, files)


def test_mpy_builds_for_every_arch(paths: Paths) -> None:
    """One Makefile builds _tinyml.mpy for x64, armv6m, armv7m, armv7emsp and armv7emdp, each
    marked with its architecture, with a package.json beside it."""
    build_mpy()
    for arch, number in MPY_ARCHS.items():
        mpy = (paths.build / "natmod" / arch / "_tinyml.mpy").read_bytes()
        assert mpy[0:1] == b"M" and mpy[2] >> 2 == number, arch
        assert (paths.build / "natmod" / arch / "package.json").exists(), arch


def test_package_json_lists_the_device_package(paths: Paths) -> None:
    """device/package.json installs every module of device/tinyml, and the per-arch
    package.json adds the .mpy: what mip copies is byte for byte what the repo holds."""
    device_dir = ROOT / "device"
    modules = {f"tinyml/{p.name}": p.read_bytes() for p in (device_dir / "tinyml").glob("*.py")}
    assert {
        k.removeprefix("./"): v for k, v in mip_files(device_dir / "package.json").items()
    } == (modules)
    assert json.loads((device_dir / "package.json").read_text())["version"] == "0.1.0"
    build_mpy("x64")
    arch_dir = paths.build / "natmod" / "x64"
    installed = {k.removeprefix("./"): v for k, v in mip_files(arch_dir / "package.json").items()}
    assert installed == {**modules, "_tinyml.mpy": (arch_dir / "_tinyml.mpy").read_bytes()}


SOFTDIV_TEST = r"""
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "softdiv.h"

static uint64_t s = 88172645463325252ull;
static uint64_t next(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
// Random bits, often with a small exponent or few mantissa bits (subnormals, exact quotients).
static uint64_t pick(int bits) {
    uint64_t x = next();
    switch (next() % 4) {
        case 0: x &= (1ull << (bits - 9)) - 1; break;
        case 1: x &= ~((1ull << (bits - 12)) - 1); break;
        default: break;
    }
    return bits == 32 ? x & 0xffffffffu : x;
}
int main(void) {
    long bad = 0;
    for (long i = 0; i < 2000000; i++) {
        uint32_t a = (uint32_t)pick(32), b = (uint32_t)pick(32), got, want;
        float fa, fb, fq, fg;
        memcpy(&fa, &a, 4); memcpy(&fb, &b, 4);
        fq = fa / fb; memcpy(&want, &fq, 4);
        got = (uint32_t)softdiv_bits(a, b, 23, 8); memcpy(&fg, &got, 4);
        if (got != want && !(isnan(fg) && isnan(fq))) bad++;
        uint64_t da = pick(64), db = pick(64), dgot, dwant;
        double xa, xb, xq, xg;
        memcpy(&xa, &da, 8); memcpy(&xb, &db, 8);
        xq = xa / xb; memcpy(&dwant, &xq, 8);
        dgot = softdiv_bits(da, db, 52, 11); memcpy(&xg, &dgot, 8);
        if (dgot != dwant && !(isnan(xg) && isnan(xq))) bad++;
    }
    printf("%ld\n", bad);
    return 0;
}
"""


def test_softdiv_matches_hardware_division(tmp_path: Path) -> None:
    """softdiv.h (the armv6m .mpy's float division) equals the host's IEEE division bit for
    bit on 2 million float and 2 million double quotients, subnormals and overflow included."""
    src = tmp_path / "softdiv_test.c"
    src.write_text(SOFTDIV_TEST)
    exe = tmp_path / "softdiv_test"
    cc = ["cc", "-std=c99", "-O2", "-ffp-contract=off", f"-I{NATMOD_DIR}", str(src), "-o"]
    subprocess.run([*cc, str(exe), "-lm"], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0"


def test_module_scripts_exist() -> None:
    """The module's device scripts are all collected (a renamed script would drop silently)."""
    names = {p.stem for p in MODULE_SCRIPTS}
    assert {"heapalloc_predict", "errors_load", "errors_predict", "inputs_types"} <= names
