"""The board registry (host/tinyml/boards.py): every folder under boards/ is a board whose
board.json passes the schema, or a folder of shared files; the build, emulator and flash
commands take their boards from it; and adding a board is adding a folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tinyml import boards, cli, emulator, firmware, flash
from tinyml.errors import DeviceError, TinymlError, ToolchainError
from tinyml.paths import Paths

PATHS = Paths.default()


def test_every_folder_is_a_valid_board_or_shared() -> None:
    loaded = boards.load(PATHS)
    for folder in sorted(p for p in PATHS.boards.iterdir() if p.is_dir()):
        if folder.name in boards.SHARED:
            assert not (folder / "board.json").exists()
            continue
        info = json.loads((folder / "board.json").read_text())
        assert boards.check(info, folder.name) == [], folder.name
        assert loaded[folder.name].info == info


def test_one_spelling_old_ones_still_accepted() -> None:
    """Names are the folders' (qemu-m7); the underscore spellings the folders had are
    aliases, for commands users may have typed (tinyml inspect --board qemu_m7)."""
    for name, board in boards.load(PATHS).items():
        assert "_" not in name, name
        if board.stock:
            continue
        for alias in board.info.get("aliases", ()):
            assert boards.get(alias, PATHS) == board
    assert boards.get("qemu_m0-stock", PATHS).name == "qemu-m0-stock"
    with pytest.raises(TinymlError, match="unknown board 'qemu-m9'"):
        boards.get("qemu-m9", PATHS)


def test_commands_take_their_boards_from_the_registry() -> None:
    assert boards.names(PATHS, what="build") == [
        n for n in boards.names(PATHS) if boards.get(n, PATHS).build
    ]
    assert {"unix", "qemu-m7", "qemu-m0", "qemu-m0-stock", "rp2040", "esp32s3-psram"} <= set(
        boards.names(PATHS, what="build")
    )
    assert set(boards.names(PATHS, what="emulator")) == {
        "qemu-m7", "qemu-m4", "qemu-m0", "qemu-m7-stock", "qemu-m4-stock", "qemu-m0-stock"
    }  # fmt: skip
    assert boards.names(PATHS, what="flash") == ["esp32s3", "esp32s3-psram", "rp2040"]
    assert flash.board_flash_offset("rp2040", PATHS) == 0x10000000
    assert firmware.firmware_path("qemu-m7", PATHS) == PATHS.firmware / "qemu-m7" / "firmware.elf"
    with pytest.raises(ToolchainError, match="unknown board .qemu-m9."):
        firmware.board("qemu-m9", PATHS)
    # OpenMV's firmware is OpenMV's: the build there is the board's .mpy (test_firmware_openmv).
    assert firmware.board("openmv-m7", PATHS).natmod and firmware.board("openmv-h7", PATHS).natmod
    assert not firmware.board("qemu-m7", PATHS).natmod
    with pytest.raises(DeviceError, match="unknown emulated board 'unix'"):
        emulator.Emulator("unix", PATHS)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["firmware", "build", "--board", "openmv-m9"])


def test_the_schema_names_what_is_wrong() -> None:
    info = json.loads((PATHS.boards / "qemu-m0" / "board.json").read_text())
    assert boards.check(info, "qemu-m0") == []
    bad = {**info, "name": "m0", "ram_budgett": 1, "emulator": {"args": []}}
    del bad["mpy_arch"]
    assert boards.check(bad, "qemu-m0") == [
        "qemu-m0: missing 'mpy_arch'",
        "qemu-m0: unknown field 'ram_budgett'",
        "qemu-m0: 'name' must be the folder's name, 'qemu-m0'",
        "qemu-m0: emulator: missing 'machine'",
    ]
    assert boards.check({**info, "flash": {"method": "dfu", "offset": 0}}, "qemu-m0") == [
        "qemu-m0: flash 'method' must be one of esptool, uf2"
    ]


def test_adding_a_board_is_adding_a_folder(tmp_path: Path) -> None:
    """A copy of boards/ with one more folder: the new board builds, boots and inspects
    with no code changed; a folder without board.json is refused, naming it."""
    root = tmp_path / "repo"
    shutil.copytree(PATHS.boards, root / "boards")
    new = root / "boards" / "qemu-m33"
    shutil.copytree(PATHS.boards / "qemu-m7", new)
    info = json.loads((new / "board.json").read_text())
    info.update(name="qemu-m33", aliases=["qemu_m33"], emulator={"machine": "mps2-an505"})
    (new / "board.json").write_text(json.dumps(info))
    paths = Paths(root, {**PATHS.env, "MICROPY_DIR": str(PATHS.micropython)})
    assert "qemu-m33" in boards.names(paths, what="build")
    assert "qemu-m33-stock" in boards.names(paths, what="emulator")
    cmd = firmware.make_command("qemu_m33", paths)
    assert f"BOARD_DIR={new}" in cmd and "BOARD=QEMU_M33" in cmd
    assert emulator.Emulator("qemu-m33", paths).spec.machine == "mps2-an505"
    (root / "boards" / "stray").mkdir()
    with pytest.raises(TinymlError, match="stray: no board.json"):
        boards.load(paths)
