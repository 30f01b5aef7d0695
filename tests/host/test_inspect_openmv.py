"""tinyml inspect --board openmv-m7 / openmv-h7: the OpenMV Cams' real budgets, and a verdict
for the model in flash (ROMFS, in place) apart from the model read into RAM."""

from __future__ import annotations

import json
from pathlib import Path

from tinyml import cli


def _inspect(capsys, model: Path, board: str) -> tuple[int, str, dict]:
    rc = cli.main(["inspect", str(model), "--board", board])
    text = capsys.readouterr().out
    assert cli.main(["inspect", str(model), "--board", board, "--json"]) == rc
    return rc, text, json.loads(capsys.readouterr().out)["fit"]


def test_openmv_board_facts(paths) -> None:
    """OpenMV Cam M7 is an STM32F765 (512 KB SRAM, 2 MB flash, double-precision FPU) whose
    scripts get a 52 KB heap; the H7 (STM32H743) heap is 264 + 64 KB in two blocks."""
    m7 = json.loads((paths.boards / "openmv-m7" / "board.json").read_text())
    h7 = json.loads((paths.boards / "openmv-h7" / "board.json").read_text())
    assert m7["mcu"].startswith("STM32F765") and h7["mcu"].startswith("STM32H743")
    assert (m7["sram_bytes"], m7["flash_bytes"]) == (512 << 10, 2 << 20)
    assert m7["fpu"] == h7["fpu"] == "fpv5-d16"  # double precision: the armv7emdp .mpy
    assert m7["mpy_arch"] == h7["mpy_arch"] == "armv7emdp"
    assert (m7["ram_budget"], m7["flash_budget"]) == (52 << 10, 256 << 10)
    assert h7["heap_blocks"] == [264 << 10, 64 << 10] and h7["flash_budget"] == 128 << 10


def test_kws_fits_in_flash_but_not_read_into_ram(models: Path, capsys) -> None:
    """MLPerf Tiny KWS (54 KB model, 23 KB arena) fits the M7 from ROMFS; read into the 52 KB
    heap with its arena it does not, and the report says how to load it in place."""
    rc, text, fit = _inspect(
        capsys, models / "mlcommons-tiny" / "kws_ref_model.tflite", "openmv-m7"
    )
    assert rc == 0 and fit["fits"]
    in_flash, in_ram = fit["placements"]
    assert in_flash["fits"] and not in_ram["fits"]
    assert in_ram["ram_needed"] == in_flash["ram_needed"] + 53936
    assert "model in flash (ROMFS, used in place): fits" in text
    assert "model read into RAM: does NOT fit" in text
    assert "hint: load it in place" in text and "tinyml push --romfs" in text


def test_person_detect_fits_no_openmv_cam(models: Path, capsys) -> None:
    """person_detect (300 KB model) is larger than either camera's ROMFS partition, and its
    arena is larger than the M7's whole heap: no verdict says it fits, and each says why."""
    model = models / "tflite-micro" / "person_detect.tflite"
    rc, text, fit = _inspect(capsys, model, "openmv-m7")
    assert rc == 1 and not any(p["fits"] for p in fit["placements"])
    assert "bytes of RAM (arena)" in text and "262,144 bytes of flash" in text
    rc, text, fit = _inspect(capsys, model, "openmv-h7")
    assert rc == 1 and not any(p["fits"] for p in fit["placements"])
    assert "bytes of RAM (arena)" not in text  # the arena alone fits the H7's heap
    assert "131,072 bytes of flash" in text and "270,336 + 65,536-byte heap" in text


def test_heap_blocks_hold_one_allocation_each(models: Path, capsys) -> None:
    """On the H7, KWS read into RAM fits: model and arena each fit a heap block."""
    rc, _, fit = _inspect(capsys, models / "mlcommons-tiny" / "kws_ref_model.tflite", "openmv-h7")
    assert rc == 0 and all(p["fits"] for p in fit["placements"])
