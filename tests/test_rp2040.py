"""The RP2040 (Raspberry Pi Pico) firmware, built here from Debian's Pico SDK: its UF2 image
checked block by block against the UF2 format and the RP2040 boot ROM's rules, its payload
against the ELF as objcopy lays it out, and its contents and memory budgets.

The firmware is built once, by the set-up (``make test``) or here on first use; it cannot run
here (no emulator models an RP2040). Its Cortex-M0 code runs on the emulated Cortex-M0
(``emulator-m0`` in tests/conftest.py), which has the heap measured here.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from tinyml import cli, firmware, flash, rp2040
from tinyml.paths import Paths

ROOT = Path(__file__).resolve().parents[1]
# From the UF2 specification (github.com/microsoft/uf2) and the RP2040 datasheet, written out
# here rather than imported, so that the test does not share the writer's constants.
MAGIC_START0, MAGIC_START1, MAGIC_END = 0x0A324655, 0x9E5D5157, 0x0AB16F30
FLAG_FAMILY_ID_PRESENT = 0x2000
RP2040_FAMILY = 0xE48BFF56
XIP_BASE, PICO_FLASH = 0x10000000, 2 * 1024 * 1024


@pytest.fixture(scope="session")
def rp2040_build(paths: Paths) -> Path:
    """build/firmware/rp2040/: firmware.uf2, firmware.elf and obj/ (built if missing)."""
    uf2 = firmware.firmware_path("rp2040", paths)
    if not uf2.exists():
        firmware.build("rp2040", paths)
    return uf2.parent


def uf2_blocks(data: bytes) -> list[tuple[int, int, int, int, int, bytes]]:
    """(flags, address, block number, block count, family, payload) of each 512-byte block."""
    assert len(data) % 512 == 0, "a UF2 file is whole 512-byte blocks"
    blocks = []
    for off in range(0, len(data), 512):
        b = data[off : off + 512]
        m0, m1, flags, addr, size, n, count, family = struct.unpack_from("<8I", b)
        assert (m0, m1) == (MAGIC_START0, MAGIC_START1), f"block at {off}: start magic"
        assert struct.unpack_from("<I", b, 508)[0] == MAGIC_END, f"block at {off}: end magic"
        assert size == 256, f"block at {off}: payload {size} bytes, the boot ROM takes 256"
        assert b[32 + size : 508] == bytes(508 - 32 - size), f"block at {off}: padding"
        blocks.append((flags, addr, n, count, family, b[32 : 32 + size]))
    return blocks


def crc32_mpeg2(data: bytes) -> int:
    """CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection): the RP2040 boot ROM's check on
    the 252 bytes of the second-stage boot loader."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def test_uf2_blocks_are_valid_for_the_rp2040(rp2040_build: Path) -> None:
    """Every block has both magic numbers, the RP2040 family id, a 256-byte payload at a
    256-aligned address inside the Pico's 2 MB flash window, and numbers 0..n-1 of n."""
    blocks = uf2_blocks((rp2040_build / "firmware.uf2").read_bytes())
    assert blocks
    addrs = set()
    for i, (flags, addr, n, count, family, _) in enumerate(blocks):
        assert flags & FLAG_FAMILY_ID_PRESENT and family == RP2040_FAMILY, i
        assert (n, count) == (i, len(blocks))
        assert addr % 256 == 0 and XIP_BASE <= addr and addr + 256 <= XIP_BASE + PICO_FLASH
        addrs.add(addr)
    assert len(addrs) == len(blocks), "no address is written twice"


def test_uf2_payload_equals_the_elf_loadable_sections(rp2040_build: Path) -> None:
    """The UF2's bytes, laid out by address, are the ELF's loadable sections at their load
    addresses as arm-none-eabi-objcopy -O binary writes them (the SDK's firmware.bin, and again
    here), zero-padded to the last 256-byte page."""
    blocks = uf2_blocks((rp2040_build / "firmware.uf2").read_bytes())
    image = bytearray()
    for _, addr, _, _, _, payload in sorted(blocks, key=lambda b: b[1]):
        assert addr == XIP_BASE + len(image), f"gap before {addr:#x}"
        image += payload
    objcopy = rp2040_build / "objcopy.bin"
    subprocess.run(
        ["arm-none-eabi-objcopy", "-O", "binary", str(rp2040_build / "firmware.elf"), objcopy],
        check=True,
    )
    flat = objcopy.read_bytes()
    assert flat == (rp2040_build / "obj" / "firmware.bin").read_bytes()
    assert bytes(image) == flat + bytes(len(image) - len(flat))
    assert len(image) - len(flat) < 256


def test_boot2_checksum_passes_the_boot_rom_check(rp2040_build: Path) -> None:
    """The first flash page (the second-stage boot loader) ends with the CRC the boot ROM
    requires before it runs anything from flash."""
    blocks = uf2_blocks((rp2040_build / "firmware.uf2").read_bytes())
    boot2 = next(p for _, addr, _, _, _, p in blocks if addr == XIP_BASE)
    assert struct.unpack_from("<I", boot2, 252)[0] == crc32_mpeg2(boot2[:252])


def test_firmware_holds_the_module_and_the_frozen_packages(rp2040_build: Path) -> None:
    """The firmware is MicroPython as a Pico has it plus tinyml: the _tinyml module and the
    frozen tinyml, asyncio and rp2 port packages (minus micropython-lib's)."""
    data = (rp2040_build / "obj" / "firmware.bin").read_bytes()
    for name in (b"_tinyml", b"tinyml/__init__.py", b"asyncio/core.py", b"rp2.py", b"_boot.py"):
        assert name in data, name
    assert b"Raspberry Pi Pico with RP2040" in data
    for absent in (b"neopixel.py", b"dht.py"):
        assert absent not in data, absent


def _symbols(elf: Path) -> dict[str, int]:
    out = subprocess.run(
        ["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True
    )
    return {
        p[2]: int(p[0], 16) for p in (ln.split() for ln in out.stdout.splitlines()) if len(p) == 3
    }


def test_budgets_match_the_built_firmware(rp2040_build: Path, paths: Paths) -> None:
    """boards/rp2040/board.json states the firmware's flash size and GC heap as built, and the
    emulated Cortex-M0 has that same heap (boards/qemu-m0)."""
    import json

    info = json.loads((paths.boards / "rp2040" / "board.json").read_text())
    sym = _symbols(rp2040_build / "firmware.elf")
    heap = sym["__GcHeapEnd"] - sym["__GcHeapStart"]
    assert info["heap_bytes"] == heap
    assert info["stack_bytes"] == sym["__StackTop"] - sym["__StackBottom"]
    fw_bytes = sym["__flash_binary_end"] - XIP_BASE
    assert fw_bytes == (rp2040_build / "obj" / "firmware.bin").stat().st_size
    # board.json rounds up to the next 16 KB so that small changes to the module do not matter;
    # the budget for a model in flash (frozen) is what the firmware region leaves.
    assert 0 <= info["firmware_bytes"] - fw_bytes < 16 * 1024
    assert info["flash_budget"] == info["firmware_region_bytes"] - info["firmware_bytes"]
    mk = (paths.boards / "qemu-m0" / "mpconfigboard.mk").read_text()
    assert int(re.search(r"MICROPY_HEAP_SIZE \?= (\d+)", mk).group(1)) == heap


def test_flash_copies_the_uf2_to_a_found_boot_drive(
    rp2040_build: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    """With no --port, `tinyml flash --board rp2040` finds the mounted RPI-RP2 drive by its
    INFO_UF2.TXT and copies the built UF2 onto it unchanged."""
    drive = tmp_path / "media" / "RPI-RP2"
    drive.mkdir(parents=True)
    (drive / "INFO_UF2.TXT").write_text(
        "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n"
    )
    monkeypatch.setattr(flash, "_mounts", lambda: iter([tmp_path, drive]))
    monkeypatch.setattr(shutil, "which", lambda name, **kw: None)  # no picotool either
    assert cli.main(["flash", "--board", "rp2040"]) == 0
    assert (drive / "firmware.uf2").read_bytes() == (rp2040_build / "firmware.uf2").read_bytes()
    assert str(drive) in capsys.readouterr().out


def test_elf_to_uf2_refuses_code_outside_flash() -> None:
    """An ELF with a segment outside the XIP flash window (a RAM-only build) is refused with
    the address, not written into a UF2 the boot ROM would ignore."""
    ph = struct.pack("<8I", 1, 0x54, 0x20000000, 0x20000000, 4, 4, 5, 4)
    header = bytearray(0x34)
    header[:6] = b"\x7fELF\x01\x01"
    struct.pack_into("<I", header, 0x1C, 0x34)
    struct.pack_into("<HH", header, 0x2A, 32, 1)
    elf = bytes(header) + ph + b"\0\0\0\0"
    with pytest.raises(Exception, match="0x20000000.*outside the RP2040's flash"):
        rp2040.elf_to_uf2(elf)


def test_stated_script_heap_is_what_the_emulated_m0_gives(emulator_m0, _devices, paths: Paths):
    """board.json's ram_budget (the heap a Pico script finds free, after `import tinyml`) is
    what the emulated Cortex-M0, with the Pico's GC heap, gives a script, to within 1%."""
    import json

    from tinyml.device import Device

    target = "emulator:qemu-m0"
    if target not in _devices:
        _devices[target] = Device(target, paths=paths)
    free = int(_devices[target].exec("import gc, tinyml\ngc.collect()\nprint(gc.mem_free())"))
    budget = json.loads((paths.boards / "rp2040" / "board.json").read_text())["ram_budget"]
    assert abs(free - budget) <= budget // 100, (free, budget)


def test_flash_refuses_another_chips_uf2(rp2040_build: Path, tmp_path: Path, capsys) -> None:
    """A UF2 made for another family (here the RP2350's ARM id, 0xe48bff59) is refused with
    both ids before anything is copied."""
    data = bytearray((rp2040_build / "firmware.uf2").read_bytes())
    for off in range(0, len(data), 512):
        struct.pack_into("<I", data, off + 28, 0xE48BFF59)
    image = tmp_path / "other.uf2"
    image.write_bytes(bytes(data))
    drive = tmp_path / "RPI-RP2"
    drive.mkdir()
    (drive / "INFO_UF2.TXT").write_text("UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\n")
    assert cli.main(["flash", str(image), "--board", "rp2040", "--port", str(drive)]) == 2
    err = capsys.readouterr().err
    assert "family 0xe48bff59, not the RP2040's (0xe48bff56)" in err
    assert not (drive / "other.uf2").exists()
