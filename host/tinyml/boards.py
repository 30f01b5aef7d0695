"""The board registry: ``boards/<name>/board.json``, one folder a board, is all the host tools
know of a board. Adding a board means adding a folder (boards/README.md, "Adding a board").

A board's name is its folder's name and its name on the command line (``qemu-m7``); the
spelling its folder had before (``qemu_m7``) is still accepted where users could have typed it
(``aliases``). ``board.json`` holds:

- facts: ``description``, ``mcu``, ``port`` (MicroPython's port, or who makes the firmware),
  ``mpy_arch``, ``fpu``, ``ram_budget`` and ``flash_budget`` (what ``tinyml inspect --board``
  judges a model against), ``notes`` and the optional figures in ``OPTIONAL``;
- ``build``: how ``tinyml firmware build`` makes the firmware (null where we do not): the file
  it makes (``output``), upstream ``mp_board`` / ``mp_variant``, the SDK variables it
  ``needs``, whether it is ``built_here`` (on this project's machines), whether a ``stock``
  build (MicroPython without tinyml, for the ``.mpy``) exists as ``<name>-stock``, and
  ``natmod``: the build is the ``mpy_arch`` ``.mpy`` alone, for a firmware made elsewhere
  (OpenMV's);
- ``flash``: how ``tinyml flash`` writes it (``method`` esptool or uf2, at ``offset``), or null;
- ``emulator``: the QEMU ``machine`` and extra ``args`` ``tinyml emulator`` boots it with, or
  null.

``load()`` reads and checks every folder; a folder without ``board.json`` must be one of
``SHARED`` (files several boards include).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import TinymlError
from .paths import Paths

SHARED = ("qemu_common",)  # folders of files boards share, not boards
STOCK = "-stock"

_STR, _INT, _BOOL, _LIST, _DICT, _NONE = str, int, bool, list, dict, type(None)
REQUIRED = {
    "name": (_STR,),
    "description": (_STR,),
    "mcu": (_STR,),
    "port": (_STR,),
    "mpy_arch": (_STR,),
    "fpu": (_STR, _NONE),
    "ram_budget": (_INT,),
    "flash_budget": (_INT, _NONE),
    "build": (_DICT, _NONE),
    "flash": (_DICT, _NONE),
    "emulator": (_DICT, _NONE),
}
OPTIONAL = {
    "aliases": (_LIST,),
    "notes": (_STR,),
    "sram_bytes": (_INT,),
    "flash_bytes": (_INT,),
    "heap_blocks": (_LIST,),
    "romfs_offset": (_INT,),
    "firmware_bytes": (_INT,),
    "firmware_region_bytes": (_INT,),
    "heap_bytes": (_INT,),
    "stack_bytes": (_INT,),
    "filesystem_bytes": (_INT,),
    "in_place_hint": (_STR,),
    "tinyml_heap_bytes": (_INT,),
    "ram_hint": (_STR,),
}
SECTIONS = {
    "build": (
        {"output": (_STR,), "built_here": (_BOOL,)},
        {
            "mp_board": (_STR,),
            "mp_variant": (_STR,),
            "needs": (_LIST,),
            "stock": (_BOOL,),
            "released": (_BOOL,),
            "natmod": (_BOOL,),
        },
    ),
    "flash": ({"method": (_STR,), "offset": (_INT,)}, {}),
    "emulator": ({"machine": (_STR,)}, {"args": (_LIST,)}),
}
FLASH_METHODS = ("esptool", "uf2")


@dataclass(frozen=True)
class Board:
    """One board, or its stock build (``stock``: MicroPython without tinyml)."""

    name: str  # the CLI name: the folder's, plus -stock for a stock build
    folder: Path  # boards/<folder>
    info: dict = field(repr=False, compare=False)  # board.json as read
    stock: bool = False

    @property
    def board_dir(self) -> str:
        return self.folder.name

    @property
    def out_dir(self) -> str:
        """Output directory under build/firmware/: the name."""
        return self.name

    @property
    def port(self) -> str:
        return self.info["port"]

    @property
    def build(self) -> dict | None:
        return self.info["build"]

    @property
    def output(self) -> str:
        return self.build["output"] if self.build else ""

    @property
    def mp_board(self) -> str:
        return self.build.get("mp_board", "") if self.build else ""

    @property
    def mp_variant(self) -> str:
        return self.build.get("mp_variant", "") if self.build else ""

    @property
    def needs(self) -> tuple[str, ...]:
        return tuple(self.build.get("needs", ())) if self.build else ()

    @property
    def natmod(self) -> bool:
        """Whether the build makes the board's ``_tinyml.mpy`` (mpy_arch), not a firmware."""
        return bool(self.build and self.build.get("natmod"))

    @property
    def released(self) -> bool:
        """Whether each release carries this board's firmware (not its stock build)."""
        return bool(self.build and self.build.get("released")) and not self.stock

    @property
    def machine(self) -> str | None:
        emulator = self.info["emulator"]
        return emulator["machine"] if emulator else None

    @property
    def machine_args(self) -> list[str]:
        emulator = self.info["emulator"]
        return list(emulator.get("args", ())) if emulator else []

    @property
    def flash(self) -> dict | None:
        return None if self.stock else self.info["flash"]


def check(info: object, folder: str) -> list[str]:
    """What is wrong with a board.json (empty when nothing is)."""
    if not isinstance(info, dict):
        return [f"{folder}: board.json must hold an object"]
    problems = []

    def fields(obj: dict, required: dict, optional: dict, where: str) -> None:
        for key, types in required.items():
            if key not in obj:
                problems.append(f"{where}: missing {key!r}")
            elif not isinstance(obj[key], types) or (_INT in types and obj[key] is True):
                problems.append(f"{where}: {key!r} has the wrong type")
        for key, value in obj.items():
            types = required.get(key) or optional.get(key)
            if types is None:
                problems.append(f"{where}: unknown field {key!r}")
            elif key not in required and not isinstance(value, types):
                problems.append(f"{where}: {key!r} has the wrong type")

    fields(info, REQUIRED, OPTIONAL, folder)
    if info.get("name") != folder:
        problems.append(f"{folder}: 'name' must be the folder's name, {folder!r}")
    for section, (required, optional) in SECTIONS.items():
        if isinstance(info.get(section), dict):
            fields(info[section], required, optional, f"{folder}: {section}")
    flash = info.get("flash")
    if isinstance(flash, dict) and flash.get("method") not in FLASH_METHODS:
        problems.append(f"{folder}: flash 'method' must be one of {', '.join(FLASH_METHODS)}")
    return problems


def boards_dir(paths: Paths | None = None) -> Path:
    """boards/ of the checkout ``paths`` names (TINYML_ROOT), else the board.json files a
    wheel carries (setup.py copies them into tinyml/boards/), else boards/ of the source
    checkout this package is (an editable install)."""
    here = Path(__file__).resolve()
    for root in ((paths or Paths.default()).boards, here.parent / "boards"):
        if root.is_dir():
            return root
    return here.parents[2] / "boards"


def load(paths: Paths | None = None) -> dict[str, Board]:
    """Every board (and stock build) by name, from the folders under boards/; TinymlError
    naming each problem when a board.json is missing, unreadable or off the schema."""
    root = boards_dir(paths)
    boards: dict[str, Board] = {}
    problems = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        path = folder / "board.json"
        if folder.name in SHARED or folder.name.startswith((".", "_")):
            continue
        try:
            info = json.loads(path.read_text())
        except OSError:
            problems.append(f"{folder.name}: no board.json (or list the folder in SHARED)")
            continue
        except ValueError as e:
            problems.append(f"{folder.name}: board.json is not valid JSON: {e}")
            continue
        found = check(info, folder.name)
        if found:
            problems += found
            continue
        boards[folder.name] = Board(folder.name, folder, info)
        if info["build"] and info["build"].get("stock"):
            stock = folder.name + STOCK
            boards[stock] = Board(stock, folder, info, stock=True)
    if problems:
        raise TinymlError(f"{root}: " + "; ".join(problems))
    return boards


def get(name: str, paths: Paths | None = None) -> Board:
    """The board called ``name`` or one of its aliases (its folder's old spelling)."""
    boards = load(paths)
    if name in boards:
        return boards[name]
    stock = name.endswith(STOCK)
    base = name.removesuffix(STOCK)
    for b in boards.values():
        if not b.stock and base in b.info.get("aliases", ()):
            return boards[b.name + STOCK] if stock else b
    raise TinymlError(f"unknown board {name!r} (choose from {', '.join(boards)})")


def names(paths: Paths | None = None, *, what: str = "") -> list[str]:
    """Board names: all, those with a ``build``, ``emulator`` or ``flash`` section, or those
    a release carries (``release``)."""
    boards = load(paths).values()
    if what == "build":
        return [b.name for b in boards if b.build]
    if what == "release":
        return [b.name for b in boards if b.released]
    if what == "emulator":
        return [b.name for b in boards if b.machine]
    if what == "flash":
        return [b.name for b in boards if b.flash]
    return [b.name for b in boards]


def choices(what: str) -> list[str] | None:
    """names(what=...) for an argparse ``choices``: None when boards/ does not load, so that
    every other command still parses and this one reports the registry's problem when run."""
    try:
        return names(what=what)
    except TinymlError:
        return None
