"""Run MicroPython scripts on devices and under CPython, for device tests.

A device script lives in ``tests/device/``; it prints results and must print the same under
CPython (with ``tinyml`` importable), or have a ``<name>.exp`` file beside it holding the device
output. A device that lacks a capability prints ``SKIP``. Files a script needs are copied next
to it (the device's working directory) first; scripts name them by relative paths. A script can
declare them in header comments, with paths relative to the shared models directory:

    # tinyml-file: model.tflite = tflite-micro/hello_world_int8.tflite
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tinyml.device import Device
from tinyml.errors import DeviceError
from tinyml.paths import Paths

DEVICE_SCRIPTS = Path(__file__).parent / "device"
Files = Mapping[str, "str | os.PathLike[str]"]

_FILE_RE = re.compile(r"^#\s*tinyml-file:\s*(\S+)\s*=\s*(\S+)\s*$", re.MULTILINE)


def models_dir() -> Path:
    """Shared reference models: ``TINYML_MODELS`` or ``<repo>/../shared/models``."""
    return Paths.default().models


def _script_text(script: str | os.PathLike[str]) -> str:
    if isinstance(script, os.PathLike):
        return Path(script).read_text()
    return script


def declared_files(script: str | os.PathLike[str]) -> dict[str, Path]:
    """Files named by ``# tinyml-file: remote = models/relative/path`` header lines."""
    return {r: models_dir() / p for r, p in _FILE_RE.findall(_script_text(script))}


def run_on_device(
    device: Device,
    script: str | os.PathLike[str],
    files: Files | None = None,
    timeout: float = 300.0,
) -> str:
    """Copy ``files`` ({remote name: local path}) to ``device``, run ``script``, return output.

    ``script`` is source text or a path. A traceback raises ``tinyml.errors.DeviceError``.
    """
    files = {**declared_files(script), **(files or {})}
    try:
        for remote, local in files.items():
            device.put(local, remote)
        return device.exec(_script_text(script), timeout=timeout)
    finally:
        if files:
            _remove(device, list(files))


def _remove(device: Device, names: list[str]) -> None:
    """Deletes copied files again: the emulated board's filesystem is only a few MB, and a
    whole test run copies far more models than fit at once."""
    code = (
        f"import os\nfor _f in {names!r}:\n"
        "    try:\n        os.remove(_f)\n    except OSError:\n        pass\n"
    )
    # A broken link already failed the test; cleanup must not replace that error.
    with contextlib.suppress(DeviceError):
        device.exec(code, timeout=30)


# Scripts that need more of a Pico's heap (the emulated Cortex-M0's, firmware or stock) than
# their models and arenas, with why; they run on the targets with more RAM.
HEAVY_SCRIPTS = {
    "model_two_inputs": "two 128x128 inputs, their copies and a 64 KB float output",
    "labels_files": "the 54 KB KWS model loaded several times over; the heap fragments",
    "errors_two_inputs": "simple_add's two float32 128x128 inputs and output: 192 KB of arena",
}
# Scripts that fit the Pico-sized firmware's heap (240 KB) but not what the stock firmware
# leaves beside the .mpy (its machine code goes to the heap: about 120 KB left).
HEAVY_FOR_THE_MPY_ON_M0 = {
    "errors_buffers": "the 54 KB KWS model as a bytearray, copies of it and their arenas",
    "errors_predict": "three micro_speech models with their arenas at once",
}


def skip_if_heavy(device: Device, script: Path) -> None:
    import pytest

    if device.target.startswith("emulator:qemu-m0") and script.stem in HEAVY_SCRIPTS:
        pytest.skip(f"{script.name}: needs more than a Pico's heap: {HEAVY_SCRIPTS[script.stem]}")
    if device.target == "emulator:qemu-m0-stock" and script.stem in HEAVY_FOR_THE_MPY_ON_M0:
        why = HEAVY_FOR_THE_MPY_ON_M0[script.stem]
        pytest.skip(f"{script.name}: needs more than the .mpy leaves of a Pico's heap: {why}")


def ram_needed(models: list[Path]) -> int:
    """Bytes the models take in RAM when all are loaded from files at once: each file's bytes
    plus the arena the engine plans for it (the host face plans the same as the device)."""
    from tinyml import Model

    total = 0
    for path in models:
        total += path.stat().st_size
        try:
            total += Model(str(path)).arena_size
        except ValueError:  # a model the script expects to be refused: no arena
            pass
    return total


_heap_free: dict[str, int] = {}


def skip_unless_fits(device: Device, models: list[Path], what: str) -> None:
    """Skips (naming both sizes) when ``models`` read from files cannot sit in the device's
    free heap together, as on the emulated Cortex-M0 with a Pico's RAM."""
    import pytest

    if device.target not in _heap_free:
        free = device.exec("import gc, tinyml\ngc.collect()\nprint(gc.mem_free())")
        _heap_free[device.target] = int(free)
    needed = ram_needed([m for m in models if m.suffix == ".tflite"])
    if needed > _heap_free[device.target]:
        pytest.skip(
            f"{what}: its models need {needed:,} bytes of RAM, "
            f"{device.target} has a {_heap_free[device.target]:,}-byte heap"
        )


def run_on_cpython(
    script: str | os.PathLike[str], files: Files | None = None, timeout: float = 300.0
) -> str:
    """Run ``script`` under this Python in a scratch directory holding ``files``."""
    files = {**declared_files(script), **(files or {})}
    with tempfile.TemporaryDirectory(prefix="tinyml-cpython-") as tmp:
        for remote, local in files.items():
            dest = Path(tmp) / remote.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(local, dest)
        main = Path(tmp) / "_tinyml_script.py"
        main.write_text(_script_text(script))
        proc = subprocess.run(
            [sys.executable, main.name],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    if proc.returncode != 0:
        raise AssertionError(f"script failed under CPython:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def expected_output(script_path: Path, files: Files | None = None) -> str:
    """The ``.exp`` file beside the script, else what CPython prints."""
    exp = script_path.with_suffix(".exp")
    if exp.exists():
        return exp.read_text()
    return run_on_cpython(script_path, files)


def device_scripts() -> list[Path]:
    """Every MicroPython script in tests/device/."""
    return sorted(
        p for p in DEVICE_SCRIPTS.glob("*.py") if not p.name.startswith(("test_", "conftest"))
    )
