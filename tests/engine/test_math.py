"""tml_math.c and dsp/dsp_math.c agree with the host libm (see test_math.c for the claims)."""

import os
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ENGINE = os.path.join(ROOT, "native_module", "engine")


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_math_matches_libm(tmp_path):
    """frexp/ldexp/floor/round/sqrtf are exact; exp/log/tanh within 1 float ulp."""
    exe = str(tmp_path / "test_math")
    subprocess.run(
        [
            "cc",
            "-std=c99",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-I",
            ENGINE,
            "-I",
            os.path.join(ROOT, "native_module", "dsp"),
            os.path.join(ROOT, "tests", "engine", "test_math.c"),
            os.path.join(ENGINE, "tml_math.c"),
            os.path.join(ROOT, "native_module", "dsp", "dsp_math.c"),
            "-lm",
            "-o",
            exe,
        ],
        check=True,
    )
    run = subprocess.run([exe], capture_output=True, text=True, check=False)
    print(run.stdout)
    assert run.returncode == 0, run.stdout
