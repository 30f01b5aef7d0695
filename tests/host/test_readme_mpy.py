"""README's "On stock firmware (.mpy)" blocks, run as written: `mpremote mip install` on the
emulated Cortex-M7 running stock MicroPython, and the unix port's library folder."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tinyml import __version__, firmware
from tinyml.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
SECTION = re.compile(r"^### On stock firmware \(\.mpy\)\n(.*?)^### ", re.DOTALL | re.MULTILINE)


def _blocks() -> list[str]:
    section = SECTION.search((ROOT / "README.md").read_text())
    assert section, "README.md has no 'On stock firmware (.mpy)' section"
    return re.findall(r"^```sh\n(.*?)^```\n", section.group(1), re.DOTALL | re.MULTILINE)


def _run(commands: str, env: dict[str, str]) -> str:
    run = subprocess.run(["bash", "-e", "-c", commands], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=1200, check=False)  # fmt: skip
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "Traceback" not in out, out[-3000:]
    return run.stdout


def test_mip_install_on_stock_emulated_board(paths, tmp_path: Path) -> None:
    """mpremote's own mip installs the .mpy and the package into /lib of a stock board (it
    failed with "Unable to find lib dir in sys.path" before _boot.py added /lib)."""
    block = _blocks()[0]
    assert "mpremote connect $PORT mip install build/natmod/armv7emdp/package.json" in block
    if not firmware.firmware_path("qemu-m7-stock", paths).exists():
        firmware.build("qemu-m7-stock", paths)
    env = {**os.environ, "TINYML_EMULATOR_DIR": str(tmp_path)}
    try:
        out = _run(block, env)
    finally:
        Emulator("qemu-m7-stock", state_dir=tmp_path).stop()
    assert "Installing: /lib/_tinyml.mpy" in out and "Installing: /lib/tinyml/__init__.py" in out
    assert f"{__version__} <class 'Model'>" in out, out


def test_unix_library_folder(paths, tmp_path: Path) -> None:
    """The stock unix port imports the .mpy and the package from ~/.micropython/lib."""
    block = _blocks()[1]
    stock = firmware.firmware_path("unix-stock", paths)
    if not stock.exists():
        stock = firmware.build("unix-stock", paths)
    env = {**os.environ, "HOME": str(tmp_path), "PATH": f"{stock.parent}:{os.environ['PATH']}"}
    before = subprocess.run([str(stock), "-c", "import tinyml"], env=env, capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert before.returncode != 0 and "ImportError" in before.stderr  # stock: no tinyml yet
    out = _run(block, env)
    assert (tmp_path / ".micropython" / "lib" / "_tinyml.mpy").is_file()
    assert f"{__version__} <class 'Model'>" in out, out
