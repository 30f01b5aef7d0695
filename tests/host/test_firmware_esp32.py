"""ESP32-S3 firmware builds: the command `tinyml firmware build --board esp32s3[-psram]` runs.

ESP-IDF is not installed here, so the build itself never runs in this suite (the release
workflow runs it). What can be checked is checked against MicroPython 1.25's own files: the
esp32 port's Makefile turns our command into the idf.py invocation we mean, and our board
manifest, read by MicroPython's manifest reader, freezes everything the port's own manifest
does plus the tinyml package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tinyml import cli, firmware
from tinyml.paths import Paths

PATHS = Paths.default()
VARIANTS = {"esp32s3": "", "esp32s3-psram": "SPIRAM_OCT"}


def test_make_command_is_the_port_build_with_our_module_and_manifest() -> None:
    """BOARD (and BOARD_VARIANT for the octal-PSRAM board), BUILD under build/firmware/,
    USER_C_MODULES naming micropython.cmake, FROZEN_MANIFEST naming our board manifest."""
    mp = PATHS.micropython
    out = PATHS.firmware
    cmake = PATHS.native_module / "micropython" / "micropython.cmake"
    assert firmware.make_command("esp32s3", PATHS, jobs=2) == [
        "make", "-C", str(mp / "ports" / "esp32"), "-j2",
        "BOARD=ESP32_GENERIC_S3",
        f"BUILD={out / 'esp32s3' / 'obj'}",
        f"USER_C_MODULES={cmake}",
        f"FROZEN_MANIFEST={PATHS.boards / 'esp32s3' / 'manifest.py'}",
    ]  # fmt: skip
    assert firmware.make_command("esp32s3-psram", PATHS, jobs=2) == [
        "make", "-C", str(mp / "ports" / "esp32"), "-j2",
        "BOARD=ESP32_GENERIC_S3",
        "BOARD_VARIANT=SPIRAM_OCT",
        f"BUILD={out / 'esp32s3-psram' / 'obj'}",
        f"USER_C_MODULES={cmake}",
        f"FROZEN_MANIFEST={PATHS.boards / 'esp32s3-psram' / 'manifest.py'}",
    ]  # fmt: skip
    for name in VARIANTS:
        assert cmake.is_file()
        assert Path(firmware.make_command(name, PATHS)[-1].split("=", 1)[1]).is_file()


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_port_makefile_passes_our_arguments_to_idf(name: str) -> None:
    """`make -n` on MicroPython 1.25's ports/esp32/Makefile (nothing runs): idf.py gets our
    board, variant, module and manifest, and makeimg.py writes the firmware.bin we copy."""
    firmware.check_micropython(PATHS)
    cmd = firmware.make_command(name, PATHS, jobs=1)
    dry = subprocess.run(
        [cmd[0], "-n", *cmd[1:]], capture_output=True, text=True, check=False, timeout=60
    )
    assert dry.returncode == 0, dry.stderr
    idf = next(line for line in dry.stdout.splitlines() if line.startswith("idf.py "))
    b = firmware.board(name)
    obj = PATHS.firmware / b.out_dir / "obj"
    assert "-D MICROPY_BOARD=ESP32_GENERIC_S3 " in idf
    assert f"-DUSER_C_MODULES={PATHS.native_module / 'micropython' / 'micropython.cmake'} " in idf
    assert f"-D MICROPY_FROZEN_MANIFEST={PATHS.boards / b.board_dir / 'manifest.py'} " in idf
    assert ("-D MICROPY_BOARD_VARIANT=SPIRAM_OCT " in idf) == bool(VARIANTS[name])
    assert f"-B {obj} build" in idf
    assert str(obj / b.output) in dry.stdout  # makeimg.py's output, which build() copies
    variant = PATHS.micropython / "ports/esp32/boards/ESP32_GENERIC_S3"
    if VARIANTS[name]:
        assert (variant / f"mpconfigvariant_{VARIANTS[name]}.cmake").is_file()


def frozen(manifest: Path) -> tuple[set[str], set[str]]:
    """(files frozen, micropython-lib packages required) by a manifest, read by MicroPython's
    own tools/manifestfile.py with the variables the esp32 port's CMake sets. Debian's source
    of MicroPython strips micropython-lib, so packages are recorded by name, not resolved."""
    mp = PATHS.micropython.resolve()
    sys.path.insert(0, str(mp / "tools"))
    try:
        import manifestfile
    finally:
        sys.path.pop(0)

    required: set[str] = set()

    class Recording(manifestfile.ManifestFile):
        def require(self, name, *args, **kwargs):
            required.add(name)

    m = Recording(
        manifestfile.MODE_FREEZE,
        {
            "MPY_DIR": str(mp),
            "MPY_LIB_DIR": str(mp / "lib" / "micropython-lib"),
            "PORT_DIR": str(mp / "ports" / "esp32"),
            "BOARD_DIR": str(mp / "ports" / "esp32" / "boards" / "ESP32_GENERIC_S3"),
        },
    )
    m.execute(str(manifest))
    return {f.target_path for f in m.files()}, required


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_board_manifest_keeps_port_modules_and_adds_tinyml(name: str) -> None:
    """Our manifest freezes every file and package the port's boards/manifest.py does, and
    the device-side tinyml package."""
    firmware.check_micropython(PATHS)
    ours, ours_required = frozen(PATHS.boards / firmware.board(name).board_dir / "manifest.py")
    port, port_required = frozen(PATHS.micropython / "ports" / "esp32" / "boards" / "manifest.py")
    assert {"_boot.py", "inisetup.py", "asyncio/core.py"} <= port
    assert port_required >= {"bundle-networking", "neopixel"}
    assert ours >= port and ours_required == port_required
    tinyml = {f"tinyml/{p.name}" for p in (PATHS.root / "device" / "tinyml").glob("*.py")}
    assert "tinyml/__init__.py" in tinyml
    assert ours - port == tinyml


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_build_without_esp_idf_names_it(name: str, monkeypatch, capsys) -> None:
    """Without IDF_PATH the build stops at once with exit 2, naming ESP-IDF and its version."""
    monkeypatch.delenv("IDF_PATH", raising=False)
    assert cli.main(["firmware", "build", "--board", name]) == 2
    err = capsys.readouterr().err
    assert f"cannot build {name}: set IDF_PATH" in err
    assert f"ESP-IDF {firmware.ESP_IDF_VERSION}" in err
