"""The engine's C sources, as every build of it takes them (firmware, .mpy, extension): every
.c file below native_module/engine, so a new kernel file is built without editing a list."""

import glob
import os

ENGINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "native_module", "engine")


def engine_sources(under: str = "") -> list[str]:
    """Every .c below ENGINE/under (the whole engine by default)."""
    return sorted(glob.glob(os.path.join(ENGINE, under, "**", "*.c"), recursive=True))
