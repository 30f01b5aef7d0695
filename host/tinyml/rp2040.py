"""The RP2040 (Raspberry Pi Pico) firmware: its build from Debian's pieces, and its UF2 image.

``tinyml firmware build --board rp2040`` builds MicroPython's ``rp2`` port (board ``RPI_PICO``)
with CMake. The Pico SDK, TinyUSB and mbedtls come from ``build/rp2040-sdk/``, which the set-up
fills from Debian (``scripts/setup.sh rp2040``); nothing is downloaded here. ``PICO_SDK_PATH``
names another Pico SDK, and then TinyUSB and mbedtls come from MicroPython's own submodules
(``MICROPY_DIR`` with ``lib/tinyusb`` and ``lib/mbedtls`` checked out).

The rp2 port finds TinyUSB and mbedtls only under its own tree (``lib/``), which the Debian
source package ships empty; the build therefore runs in a tree of symbolic links to the
MicroPython source with those directories pointing at ours. ``picotool``, which the SDK uses to
write UF2 files, is not packaged (and the SDK would fetch it from the network), so the build
sets ``PICO_NO_PICOTOOL`` and :func:`elf_to_uf2` writes the UF2 from the ELF.

UF2 (https://github.com/microsoft/uf2): 512-byte blocks, each carrying 256 bytes for one flash
address, with magic numbers at both ends and the RP2040's family id.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from .errors import ToolchainError
from .paths import Paths

FLASH_BASE = 0x10000000  # XIP flash window
FLASH_SIZE = 2 * 1024 * 1024  # a Pico's W25Q16JV
RAM_SIZE = 264 * 1024
UF2_MAGIC_START0 = 0x0A324655  # "UF2\n"
UF2_MAGIC_START1 = 0x9E5D5157
UF2_MAGIC_END = 0x0AB16F30
UF2_FLAG_FAMILY_ID = 0x00002000
RP2040_FAMILY_ID = 0xE48BFF56
UF2_BLOCK = 512
UF2_PAYLOAD = 256
_UF2_HEADER = struct.Struct("<8I")  # magic0, magic1, flags, addr, size, block, count, family

# lib/ entries the rp2 build needs that the Debian MicroPython source lacks.
_SDK_LIBS = ("pico-sdk", "tinyusb", "mbedtls", "micropython-lib")


@dataclass(frozen=True)
class Segment:
    addr: int  # load (flash) address
    data: bytes


def sdk_dir(paths: Paths) -> Path:
    return paths.build / "rp2040-sdk"


def _lib_sources(paths: Paths) -> dict[str, Path]:
    """Where each of _SDK_LIBS comes from for this build."""
    mp_lib = paths.micropython / "lib"
    sdk = sdk_dir(paths)
    env_sdk = paths.env.get("PICO_SDK_PATH")
    if env_sdk:
        libs = {
            "pico-sdk": Path(env_sdk).expanduser().resolve(),
            "tinyusb": mp_lib / "tinyusb",
            "mbedtls": mp_lib / "mbedtls",
            "micropython-lib": mp_lib / "micropython-lib",
        }
        if not (libs["micropython-lib"] / "README.md").is_file():
            libs["micropython-lib"] = sdk / "micropython-lib"
    else:
        libs = {name: sdk / name for name in _SDK_LIBS}
    checks = {
        "pico-sdk": "pico_sdk_init.cmake",
        "tinyusb": "src/tusb.h",
        "mbedtls": "include/mbedtls/version.h",
        "micropython-lib": "README.md",
    }
    for name, path in libs.items():
        if not (path / checks[name]).is_file():
            how = (
                "check out MicroPython's submodules in MICROPY_DIR"
                if env_sdk and name != "pico-sdk"
                else "run `make setup` (scripts/setup.sh rp2040)"
            )
            raise ToolchainError(f"cannot build rp2040: no {name} at {path}; {how}")
    return libs


def source_tree(paths: Paths, out: Path) -> Path:
    """The MicroPython tree the rp2 build runs in: symbolic links to MICROPY_DIR's files with
    lib/pico-sdk, lib/tinyusb, lib/mbedtls and lib/micropython-lib pointing at ours. ports/rp2
    is a directory of its own because CMake places the tree from its real path."""
    libs = _lib_sources(paths)
    mp = paths.micropython
    tree = out / "micropython"
    _link_dir(mp, tree, {"lib", "ports"})
    _link_dir(mp / "lib", tree / "lib", set(_SDK_LIBS))
    for name, target in libs.items():
        _symlink(target, tree / "lib" / name)
    _link_dir(mp / "ports", tree / "ports", {"rp2"})
    _link_tree(mp / "ports" / "rp2", tree / "ports" / "rp2")
    return tree


def _symlink(target: Path, link: Path) -> None:
    if link.is_symlink() and os.readlink(link) == str(target):
        return
    if link.is_symlink() or link.is_file():
        link.unlink()
    link.symlink_to(target)


def _link_dir(src: Path, dest: Path, own: set[str]) -> None:
    """dest/ holds a link to each entry of src/, except the names in ``own``."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in src.iterdir():
        if entry.name not in own:
            _symlink(entry, dest / entry.name)


def _link_tree(src: Path, dest: Path) -> None:
    """dest/ mirrors src/ with real directories and a link per file."""
    for root, _dirs, files in os.walk(src):
        rel = Path(root).relative_to(src)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for f in files:
            _symlink(Path(root) / f, dest / rel / f)


def build_commands(
    paths: Paths, out: Path, manifest: Path, user_c_modules: Path, jobs: int
) -> list[list[str]]:
    """CMake configure and build of ports/rp2 (board RPI_PICO) into ``out``/obj."""
    tree = source_tree(paths, out)
    port = tree / "ports" / "rp2"
    obj = out / "obj"
    configure = [
        "cmake", "-S", str(port), "-B", str(obj),
        "-DPICO_BUILD_DOCS=0",
        "-DMICROPY_BOARD=RPI_PICO",
        f"-DMICROPY_BOARD_DIR={port / 'boards' / 'RPI_PICO'}",
        f"-DPICO_SDK_PATH_OVERRIDE={tree / 'lib' / 'pico-sdk'}",
        f"-DMICROPY_LIB_DIR={tree / 'lib' / 'micropython-lib'}",
        f"-DUSER_C_MODULES={user_c_modules}",
        f"-DMICROPY_FROZEN_MANIFEST={manifest}",
        # picotool is not packaged; the SDK would download it. Our UF2 comes from elf_to_uf2.
        "-DPICO_NO_PICOTOOL=1",
    ]  # fmt: skip
    return [configure, ["cmake", "--build", str(obj), f"-j{jobs}"]]


# ---- ELF and UF2 ---------------------------------------------------------------------------


def load_segments(elf: bytes) -> list[Segment]:
    """The bytes a loader puts in memory: each PT_LOAD program header's file contents at its
    physical (load) address, in address order. ELF32 little-endian only (Arm)."""
    if elf[:4] != b"\x7fELF" or elf[4] != 1 or elf[5] != 1:
        raise ToolchainError("not a 32-bit little-endian ELF file")
    (phoff,) = struct.unpack_from("<I", elf, 0x1C)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x2A)
    segments = []
    for i in range(phnum):
        p_type, offset, _vaddr, paddr, filesz, _memsz = struct.unpack_from(
            "<6I", elf, phoff + i * phentsize
        )
        if p_type == 1 and filesz:  # PT_LOAD
            segments.append(Segment(paddr, elf[offset : offset + filesz]))
    return sorted(segments, key=lambda s: s.addr)


def elf_to_uf2(elf: bytes, family_id: int = RP2040_FAMILY_ID) -> bytes:
    """A UF2 image of the ELF's loadable contents, in 256-byte blocks at 256-aligned flash
    addresses (what the RP2040 boot ROM programs); bytes of a block no segment covers are 0."""
    pages: dict[int, bytearray] = {}
    for seg in load_segments(elf):
        if seg.addr < FLASH_BASE or seg.addr + len(seg.data) > FLASH_BASE + FLASH_SIZE:
            raise ToolchainError(
                f"ELF segment at {seg.addr:#x} (+{len(seg.data)} bytes) is outside the "
                f"RP2040's flash ({FLASH_BASE:#x}..{FLASH_BASE + FLASH_SIZE:#x})"
            )
        for i, byte_ in enumerate(seg.data):
            a = seg.addr + i
            page = pages.setdefault(a & ~(UF2_PAYLOAD - 1), bytearray(UF2_PAYLOAD))
            page[a & (UF2_PAYLOAD - 1)] = byte_
    out = bytearray()
    count = len(pages)
    for n, addr in enumerate(sorted(pages)):
        header = _UF2_HEADER.pack(
            UF2_MAGIC_START0, UF2_MAGIC_START1, UF2_FLAG_FAMILY_ID, addr, UF2_PAYLOAD, n,
            count, family_id,
        )  # fmt: skip
        body = pages[addr] + bytes(UF2_BLOCK - _UF2_HEADER.size - UF2_PAYLOAD - 4)
        out += header + body + struct.pack("<I", UF2_MAGIC_END)
    return bytes(out)


def uf2_family(uf2: bytes) -> int | None:
    """The family id of a UF2 image's first block, or None if it is not a UF2 image or names
    no family."""
    if len(uf2) < UF2_BLOCK:
        return None
    m0, m1, flags, _addr, _size, _n, _count, family = _UF2_HEADER.unpack_from(uf2)
    if (m0, m1) != (UF2_MAGIC_START0, UF2_MAGIC_START1):
        return None
    return family if flags & UF2_FLAG_FAMILY_ID else None
