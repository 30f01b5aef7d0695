"""Where things are: the repository, its build directory and the MicroPython source tree."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def repo_root() -> Path:
    """The checkout this package runs from (``TINYML_ROOT`` overrides)."""
    env = os.environ.get("TINYML_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Paths:
    """Locations derived from the repository root and the environment."""

    root: Path
    env: Mapping[str, str]

    @classmethod
    def default(cls) -> Paths:
        return cls(repo_root(), dict(os.environ))

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def boards(self) -> Path:
        return self.root / "boards"

    @property
    def native_module(self) -> Path:
        return self.root / "native_module"

    @property
    def firmware(self) -> Path:
        """Firmware outputs: ``build/firmware/<board>/``."""
        return self.build / "firmware"

    @property
    def emulator_state(self) -> Path:
        """Emulator state files: ``TINYML_EMULATOR_DIR`` or ``build/emulator``."""
        env = self.env.get("TINYML_EMULATOR_DIR")
        if env:
            return Path(env).expanduser().resolve()
        return self.build / "emulator"

    @property
    def unix_fs(self) -> Path:
        """The unix device's filesystem, kept between runs like a board's flash:
        ``TINYML_UNIX_FS`` or ``build/unix-fs``."""
        env = self.env.get("TINYML_UNIX_FS")
        if env:
            return Path(env).expanduser().resolve()
        return self.build / "unix-fs"

    @property
    def micropython(self) -> Path:
        """MicroPython source tree: ``MICROPY_DIR`` or the one set-up unpacks."""
        env = self.env.get("MICROPY_DIR")
        if env:
            return Path(env).expanduser().resolve()
        return self.build / "micropython"

    @property
    def models(self) -> Path:
        """Shared reference models: ``TINYML_MODELS`` or ``<root>/../shared/models``."""
        env = self.env.get("TINYML_MODELS")
        if env:
            return Path(env).expanduser().resolve()
        return (self.root.parent / "shared" / "models").resolve()
