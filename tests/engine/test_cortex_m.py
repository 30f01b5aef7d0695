"""The engine's kernel tests on emulated Cortex-M cores, built for each core's instruction set.

test_kernels_opt.c (every fast path against the reference kernel, random shapes and
misaligned buffers) and test_kernel_cases.c (TFLite Micro's golden bytes for one-layer models
that reach every fast path) are cross-compiled with arm-none-eabi-gcc and run bare-metal under
QEMU with semihosting (cortex_m/: start-up and linker script, no MicroPython), so the ARMv7E-M
kernels run on the M4 and M7 they are written for and the portable set runs as Cortex-M0+
code. ARMv6-M code runs on QEMU's Cortex-M3 board (mps2-an385): ARMv7-M executes every
ARMv6-M instruction, and QEMU's Cortex-M0 board (microbit) has 16 KB of RAM.
"""

import os
import shutil
import subprocess

import pytest
from engine_sources import engine_sources

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
ENGINE = os.path.join(ROOT, "native_module", "engine")
CC = "arm-none-eabi-gcc"
QEMU = "qemu-system-arm"

# core -> (QEMU machine, compiler flags, whether the build has the ARMv7E-M SIMD kernels)
CORES = {
    "cortex-m7": ("mps2-an500", ["-mcpu=cortex-m7", "-mfloat-abi=soft"], True),
    "cortex-m4": ("mps2-an386", ["-mcpu=cortex-m4", "-mfloat-abi=soft"], True),
    "cortex-m0plus": ("mps2-an385", ["-mcpu=cortex-m0plus"], False),
}

needs_tools = pytest.mark.skipif(
    shutil.which(CC) is None or shutil.which(QEMU) is None,
    reason=f"needs {CC} and {QEMU} (make setup)",
)


def build(core, test, tmp, under="", flags=()):
    """Builds test with the engine sources under ENGINE/under (all of them by default)."""
    _, cpu, _ = CORES[core]
    exe = os.path.join(tmp, f"{core}.elf")
    sources = engine_sources(under)
    cmd = [
        CC, "-mthumb", *cpu, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", *flags,
        "-ffunction-sections", "-fdata-sections", "-nostartfiles",
        "--specs=nano.specs", "--specs=rdimon.specs",
        "-T", os.path.join(HERE, "cortex_m", "mps2.ld"), "-Wl,--gc-sections",
        "-I", ENGINE, "-I", HERE,
        os.path.join(HERE, "cortex_m", "startup.c"), os.path.join(HERE, test), *sources,
        "-lm", "-o", exe,
    ]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert run.returncode == 0, f"build failed:\n{' '.join(cmd)}\n{run.stderr}"
    return exe


def run(core, exe):
    machine = CORES[core][0]
    cmd = [QEMU, "-machine", machine, "-display", "none", "-monitor", "none", "-serial", "none",
           "-semihosting", "-kernel", exe]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600).stdout


@needs_tools
@pytest.mark.parametrize("core", sorted(CORES))
def test_fast_paths_equal_reference_on_core(core, tmp_path):
    """Every dispatcher fast path gives the reference kernel's bytes on this core, and the
    build for an ARMv7E-M core really holds the SIMD kernels (SMLAD), the others do not."""
    exe = build(core, "test_kernels_opt.c", str(tmp_path), under="kernels")
    disasm = subprocess.run(
        ["arm-none-eabi-objdump", "-d", exe], capture_output=True, text=True, check=True
    ).stdout
    assert ("smlad" in disasm) == CORES[core][2]
    out = run(core, exe)
    # Semihosting cannot pass the exit status through QEMU: the report is the result.
    assert "FAIL" not in out and " 0 failed" in out, out


@needs_tools
def test_fast_paths_built_for_size_equal_reference_on_m7(tmp_path):
    """At -Os the one-row GEMM takes its C loop instead of the inline assembly (GCC cannot
    give that 14 registers at -Os): the same bytes as the reference kernel."""
    exe = build("cortex-m7", "test_kernels_opt.c", str(tmp_path), under="kernels", flags=("-Os",))
    out = run("cortex-m7", exe)
    assert "FAIL" not in out and " 0 failed" in out, out


# The fast-path variants tinyml firmware build --ops-from leaves out when no layer takes them
# (tml_config.h), with the source that holds each.
VARIANT_SWITCHES = {
    "TML_KERNEL_DW_BROADCAST": "kernels/opt/armv7em/depthwise_conv_2d_s8.c",
    "TML_KERNEL_DW_TAIL": "kernels/opt/armv7em/depthwise_conv_2d_s8.c",
    "TML_KERNEL_CONV_IM2COL": "kernels/conv_2d_s8.c",
}


@needs_tools
def test_fast_paths_without_variants_equal_reference_on_m7(tmp_path):
    """Built without those variants, their layers (depth multipliers of 4k, filters other than
    1x1) (and odd channel counts) fall back to the reference kernel: the same bytes; and each switch really takes code
    out of its source's ARMv7E-M object."""
    off = tuple(f"-D{switch}=0" for switch in VARIANT_SWITCHES)
    exe = build("cortex-m7", "test_kernels_opt.c", str(tmp_path), under="kernels", flags=off)
    out = run("cortex-m7", exe)
    assert "FAIL" not in out and " 0 failed" in out, out
    for switch, source in VARIANT_SWITCHES.items():
        with_it, without = (
            text_bytes("cortex-m7", source, tmp_path, f"-D{switch}={v}") for v in (1, 0)
        )
        assert without <= with_it - 64, (switch, with_it, without)


def text_bytes(core, source, tmp_path, flag):
    """.text bytes of one engine source compiled for core with flag."""
    obj = os.path.join(tmp_path, "part.o")
    cmd = [CC, "-mthumb", *CORES[core][1], "-std=c99", "-O2", "-ffunction-sections", "-I", ENGINE,
           flag, "-c", os.path.join(ENGINE, source), "-o", obj]  # fmt: skip
    subprocess.run(cmd, check=True)
    out = subprocess.run(["arm-none-eabi-size", obj], capture_output=True, text=True, check=True)
    return int(out.stdout.splitlines()[1].split()[0])


@needs_tools
@pytest.mark.parametrize("core", sorted(CORES))
def test_golden_cases_equal_tflite_micro_on_core(core, tmp_path):
    """The whole engine, built for this core, gives TFLite Micro's bytes on every golden case."""
    out = run(core, build(core, "test_kernel_cases.c", str(tmp_path)))
    assert "FAIL" not in out and " 0 failed" in out, out


@needs_tools
@pytest.mark.parametrize("core", sorted(CORES))
def test_outputs_over_their_inputs_on_core(core, tmp_path):
    """Convolutions writing their output over their input at the planner's gap give the bytes
    of separate buffers with this core's kernels. One byte closer, the portable GEMM (the
    M0+'s) overwrites an input byte that its next pixel pair reads; the ARMv7E-M GEMM writes
    its last channels after all its reads and does not."""
    out = run(core, build(core, "test_overlap.c", str(tmp_path)))
    assert "FAIL" not in out and " 0 failed" in out, out
    if core == "cortex-m0plus":
        (tmp_path / "closer").mkdir()
        closer = build(core, "test_overlap.c", str(tmp_path / "closer"), flags=("-DGAP_SLACK=-1",))
        out = run(core, closer)
        assert "conv 1x1 odd channels, odd pixel count: output 76 bytes" in out, out
