"""Builds the CPython face of the engine, tinyml._tinyml; the rest lives in pyproject.toml.

Sources are globbed at build time: native_module/cpython/*.c plus every .c in the C libraries
beside it (native_module/engine/, native_module/dsp/, ...; not the MicroPython face), so a new
engine or kernel file needs no edit here. A wheel also gets the device's pure-Python modules
(device/tinyml/*.py but __init__.py) and boards/*/board.json inside the tinyml package; an
editable install finds them in the checkout instead.
"""

from glob import glob
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py as _build_py

FACES = ("cpython", "micropython")
libraries = sorted(
    str(d) for d in Path("native_module").iterdir() if d.is_dir() and d.name not in FACES
)
sources = sorted(glob("native_module/cpython/*.c"))
for lib in libraries:
    sources += sorted(glob(f"{lib}/**/*.c", recursive=True))
depends = sorted(glob("native_module/**/*.h", recursive=True))


class build_py(_build_py):
    """Copies device/tinyml/pipeline*.py (and any other device module) into tinyml/."""

    def run(self):
        super().run()
        if self.editable_mode:
            return
        for src in sorted(Path("device/tinyml").glob("*.py")):
            if src.name != "__init__.py":
                self.copy_file(str(src), str(Path(self.build_lib, "tinyml", src.name)))
        # The board registry (tinyml.boards), for the commands that take --board.
        for src in sorted(Path("boards").glob("*/board.json")):
            dest = Path(self.build_lib, "tinyml", "boards", src.parent.name, src.name)
            self.mkpath(str(dest.parent))
            self.copy_file(str(src), str(dest))


setup(
    cmdclass={"build_py": build_py},
    ext_modules=[
        Extension(
            "tinyml._tinyml",
            sources=sources,
            depends=depends,
            include_dirs=libraries,
            # No fused multiply-add, so float32 rounds the same on every host and board.
            extra_compile_args=["-std=c99", "-O3", "-ffp-contract=off"],
        )
    ],
)
