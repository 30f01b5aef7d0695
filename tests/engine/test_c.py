"""Builds and runs the engine's C tests (tml_test.h harness).

Each runs as its own executable built with -std=c99 -Wall -Wextra -Werror, under
AddressSanitizer and UndefinedBehaviorSanitizer when the compiler has them, so an
out-of-bounds read in the engine fails the test even when the output looks right.
"""

import functools
import os
import shutil
import subprocess

import pytest
from engine_sources import engine_sources

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ENGINE = os.path.join(ROOT, "native_module", "engine")
HERE = os.path.dirname(os.path.abspath(__file__))
CC = os.environ.get("CC", "cc")
CFLAGS = ["-std=c99", "-O1", "-g", "-Wall", "-Wextra", "-Werror"]
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]


def planner_sources():
    return [os.path.join(ENGINE, "tml_plan.c")]


# The fast paths with every variant --ops-from can leave out switched off.
VARIANTS_OFF = (
    "-DTML_KERNELS_OPT=1",
    "-DTML_KERNEL_DW_BROADCAST=0",
    "-DTML_KERNEL_DW_TAIL=0",
    "-DTML_KERNEL_CONV_IM2COL=0",
)
# test name -> (test file, the engine sources it links, extra compiler flags).
TESTS = {
    "test_plan.c": ("test_plan.c", planner_sources, ()),
    "test_model.c": ("test_model.c", engine_sources, ()),
    "test_flexbuf.c": ("test_flexbuf.c", lambda: [os.path.join(ENGINE, "tml_flexbuf.c")], ()),
    # The fast paths against the reference kernels, and the dispatchers with none.
    "test_kernels_opt.c": ("test_kernels_opt.c", engine_sources, ("-DTML_KERNELS_OPT=1",)),
    "test_kernels_opt.c[ref]": ("test_kernels_opt.c", engine_sources, ("-DTML_KERNELS_OPT=0",)),
    # Without the fast-path variants --ops-from can leave out: those layers take the reference.
    "test_kernels_opt.c[variants-off]": (
        "test_kernels_opt.c",
        engine_sources,
        VARIANTS_OFF,
    ),
    # And without the reference kernels, as a firmware whose layers all take fast paths.
    "test_kernels_opt.c[reference-off]": (
        "test_kernels_opt.c",
        engine_sources,
        (*VARIANTS_OFF, "-DTML_KERNEL_REFERENCE_CONV=0"),
    ),
    # TFLite Micro's golden bytes (data/kernel_cases.h), through the fast paths and without.
    "test_kernel_cases.c": ("test_kernel_cases.c", engine_sources, ("-DTML_KERNELS_OPT=1",)),
    "test_kernel_cases.c[ref]": ("test_kernel_cases.c", engine_sources, ("-DTML_KERNELS_OPT=0",)),
    # Outputs lying over their inputs as the planner places them, against separate buffers.
    "test_overlap.c": ("test_overlap.c", engine_sources, ("-DTML_KERNELS_OPT=1",)),
    "test_overlap.c[ref]": ("test_overlap.c", engine_sources, ("-DTML_KERNELS_OPT=0",)),
}

# Builds that must fail: the output one byte closer to its input than the planner's gap.
MUST_FAIL = {
    "test_overlap.c[gap-1]": (
        "test_overlap.c",
        engine_sources,
        ("-DTML_KERNELS_OPT=1", "-DGAP_SLACK=-1"),
        "conv 1x1 odd channels, odd pixel count: output 76 bytes before its input differs",
    ),
}


@functools.cache
def sanitizer_flags(tmp):
    """SANITIZE if CC can build and run a program with it, else nothing."""
    src = os.path.join(tmp, "probe.c")
    exe = os.path.join(tmp, "probe")
    with open(src, "w") as f:
        f.write("int main(void) { return 0; }\n")
    try:
        subprocess.run([CC, *SANITIZE, src, "-o", exe], check=True, capture_output=True)
        subprocess.run([exe], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return ()
    return tuple(SANITIZE)


def build_and_run(tmp_path_factory, source, sources, flags):
    """Builds one C test (which must build without warnings) and returns its run."""
    tmp = str(tmp_path_factory.mktemp("ctest"))
    exe = os.path.join(tmp, "test")
    cmd = [
        CC,
        *CFLAGS,
        *flags,
        *sanitizer_flags(str(tmp_path_factory.getbasetemp())),
        "-I",
        ENGINE,
        "-I",
        HERE,
        os.path.join(HERE, source),
        *sources(),
        "-o",
        exe,
    ]
    build = subprocess.run(cmd, check=False, capture_output=True, text=True)
    assert build.returncode == 0, f"build failed:\n{' '.join(cmd)}\n{build.stderr}"
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0", UBSAN_OPTIONS="print_stacktrace=1")
    run = subprocess.run([exe], check=False, capture_output=True, text=True, env=env, timeout=300)
    print(run.stdout)
    return run


@pytest.mark.skipif(shutil.which(CC) is None, reason=f"needs a C compiler ({CC})")
@pytest.mark.parametrize("name", sorted(TESTS))
def test_c(name, tmp_path_factory):
    """The C test builds without warnings and every check in it passes."""
    run = build_and_run(tmp_path_factory, *TESTS[name])
    assert run.returncode == 0, f"{name} failed:\n{run.stdout}\n{run.stderr}"


@pytest.mark.skipif(shutil.which(CC) is None, reason=f"needs a C compiler ({CC})")
@pytest.mark.parametrize("name", sorted(MUST_FAIL))
def test_c_fails_where_it_must(name, tmp_path_factory):
    """The C test catches the defect its build plants, with the message naming it."""
    *build, message = MUST_FAIL[name]
    run = build_and_run(tmp_path_factory, *build)
    assert run.returncode != 0 and message in run.stdout, run.stdout
