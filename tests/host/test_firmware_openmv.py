"""`tinyml firmware build --board openmv-m7|openmv-h7`: OpenMV's firmware stays OpenMV's, so
the build is the board's armv7emdp `_tinyml.mpy` (native_module/micropython/Makefile), with
`--ops-from`, `--no-op-names` and `--no-fast-kernels` read by the same make variables as a
firmware's. The build itself, and the module on OpenMV's firmware, are tested in
tests/openmv/test_openmv.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tinyml import cli, firmware
from tinyml.paths import Paths

PATHS = Paths.default()
ROOT = PATHS.root


def test_make_command_builds_the_boards_mpy_arch_into_its_folder() -> None:
    for board in ("openmv-m7", "openmv-h7"):
        assert firmware.make_command(board, PATHS, jobs=2) == [
            "make", "-C", str(PATHS.native_module / "micropython"), "-j2", "ARCH=armv7emdp",
            f"OUT={PATHS.firmware / board}", f"MICROPY_DIR={PATHS.micropython}",
        ]  # fmt: skip
        assert firmware.firmware_path(board, PATHS) == PATHS.firmware / board / "_tinyml.mpy"


def test_ops_from_gives_the_same_inputs_as_a_firmware(models: Path) -> None:
    """--ops-from and --no-op-names pass the .mpy's Makefile the TINYML_* variables a qemu-m7
    firmware's make gets, and the output goes to <board>-ops, beside the full module."""
    kws = [models / "mlcommons-tiny" / "kws_ref_model.tflite"]
    mpy = firmware.make_command("openmv-m7", PATHS, ops_from=kws, op_names=False)
    elf = firmware.make_command("qemu-m7", PATHS, ops_from=kws, op_names=False)
    tinyml_args = [a for a in mpy if a.startswith("TINYML_")]
    assert f"TINYML_OPS={PATHS.firmware / 'openmv-m7-ops' / firmware.OPS_HEADER}" in tinyml_args
    assert "TINYML_OP_NAMES=0" in tinyml_args and "TINYML_KERNELS_F32=0" in tinyml_args
    assert [a.replace("openmv-m7", "B") for a in tinyml_args] == [
        a.replace("qemu-m7", "B") for a in elf if a.startswith("TINYML_")
    ]
    assert f"OUT={PATHS.firmware / 'openmv-m7-ops'}" in mpy
    small = firmware.make_command("openmv-m7", PATHS, ops_from=kws, fast_kernels=False)
    assert "TINYML_KERNELS_OPT=0" in small
    assert f"OUT={PATHS.firmware / 'openmv-m7-ops-reference'}" in small


def test_makefile_compiles_with_micropython_mk_switches(tmp_path: Path) -> None:
    """The .mpy's Makefile takes its -DTML_* switches from micropython.mk (one list), builds
    with function and data sections and pre-links with ld -r --gc-sections (make -n)."""
    header = tmp_path / "ops.h"
    header.write_text("TML_OP_ENTRY(softmax, SOFTMAX)\n")
    proc = subprocess.run(
        ["make", "-n", "-C", str(PATHS.native_module / "micropython"), "ARCH=armv7emdp",
         f"OUT={tmp_path}", f"TINYML_OPS={header}", "TINYML_KERNEL_DW_TAIL=0",
         "TINYML_OP_NAMES=0", "TINYML_KERNELS_OPT=0"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    compiles = [line for line in proc.stdout.splitlines() if "arm-none-eabi-gcc" in line]
    compiles = [line for line in compiles if " -c " in line]
    assert compiles
    for line in compiles:
        assert f"-DTML_OPS_LIST='\"{header}\"'" in line
        assert "-DTML_KERNEL_DW_TAIL=0" in line and "-DTML_BUILTIN_NAMES=0" in line
        assert "-DTML_KERNELS_OPT=0" in line
        assert "-ffunction-sections" in line and "-fdata-sections" in line
    assert "arm-none-eabi-ld -r --gc-sections -u mpy_init" in proc.stdout


def test_makefile_keeps_the_full_module_apart() -> None:
    """Given any TINYML_* input and no OUT, the Makefile builds into build/natmod/<arch>-ops;
    other TINYML_ variables (the test suite's) leave the full module's folder in place."""
    natmod = PATHS.build / "natmod"
    for args, env, folder in (
        (["TINYML_OP_NAMES=0"], {}, "armv7emdp-ops"),
        ([], {"TINYML_DEVICES": "unix"}, "armv7emdp"),
    ):
        proc = subprocess.run(
            ["make", "-n", "-C", str(PATHS.native_module / "micropython"), "ARCH=armv7emdp",
             *args],
            capture_output=True, text=True, check=False, env={**PATHS.env, **env},
        )  # fmt: skip
        # make -n prints the mkdir without running it, so the build there stops at once.
        assert f"mkdir -p {natmod / folder}\n" in proc.stdout, proc.stdout + proc.stderr
        assert f"OUT={natmod / folder} natmod\n" in proc.stdout


def test_missing_toolchain_is_a_cli_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert cli.main(["firmware", "build", "--board", "openmv-m7"]) == 2
    err = capsys.readouterr().err
    assert "tinyml: error: cannot build openmv-m7: arm-none-eabi-gcc, arm-none-eabi-ld" in err
    assert "not found" in err


@pytest.mark.parametrize("content", [None, b"", b"not a model at all"])
def test_bad_model_is_a_cli_error(tmp_path: Path, capsys, content: bytes | None) -> None:
    """A missing, empty or non-model file: the error names it, before make runs."""
    model = tmp_path / "bad.tflite"
    if content is not None:
        model.write_bytes(content)
    log = tmp_path / "build.log"
    with pytest.raises(firmware.ToolchainError) as e:
        firmware.build("openmv-h7", PATHS, ops_from=[model], log=log)
    assert str(e.value).startswith(f"--ops-from {model}: ")
    assert not log.exists()
    args = ["firmware", "build", "--board", "openmv-h7", "--ops-from", str(model)]
    assert cli.main(args) == 2
    assert capsys.readouterr().err.startswith(f"tinyml: error: --ops-from {model}: ")
