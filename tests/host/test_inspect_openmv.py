"""tinyml inspect --board openmv-m7 / openmv-h7: the OpenMV Cams' real budgets, and a verdict
for the model in flash (ROMFS, in place) apart from the model read into RAM."""

from __future__ import annotations

import json
from pathlib import Path

from tinyml import _tinyml, cli


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
    # the .mpy's heap once imported, measured on OpenMV's firmware by tests/openmv/: more than
    # the M7's whole heap, which the verdicts below rest on
    assert m7["tinyml_heap_bytes"] == h7["tinyml_heap_bytes"] > m7["ram_budget"]


def test_tinyml_does_not_import_on_the_m7(models: Path, capsys, paths) -> None:
    """On OpenMV's firmware the .mpy's machine code goes to the heap (about 100 KB, measured
    in tests/openmv/), twice the M7's 52 KB heap: even MLPerf Tiny KWS (23 KB arena) does not
    fit, and the report says why and what the camera offers instead."""
    rc, text, fit = _inspect(
        capsys, models / "mlcommons-tiny" / "kws_ref_model.tflite", "openmv-m7"
    )
    assert rc == 1 and not any(p["fits"] for p in fit["placements"])
    in_flash, in_ram = fit["placements"]
    arena = _tinyml.plan(
        (models / "mlcommons-tiny" / "kws_ref_model.tflite").read_bytes(), 4, "armv7em"
    )["arena"]  # the Cortex-M7's plan: 4-byte pointers, the DSP kernels' scratch
    module = json.loads((paths.boards / "openmv-m7" / "board.json").read_text())
    module = module["tinyml_heap_bytes"]  # measured on OpenMV's firmware by tests/openmv/
    assert in_flash["ram_needed"] == module + arena
    assert in_ram["ram_needed"] == in_flash["ram_needed"] + 53936  # + the model
    assert f"tinyml's module alone takes {module:,} bytes of heap once imported" in text
    assert "hint: on OpenMV's firmware a .mpy's machine code is loaded into the heap" in text
    assert "alloc_extra_fb" in text and "OpenMV's ml" in text


def test_person_detect_fits_no_openmv_cam(models: Path, capsys) -> None:
    """person_detect (300 KB model) is larger than either camera's ROMFS partition, and the
    module and its arena are larger than the M7's whole heap: no verdict says it fits, and each
    says why."""
    model = models / "tflite-micro" / "person_detect.tflite"
    rc, text, fit = _inspect(capsys, model, "openmv-m7")
    assert rc == 1 and not any(p["fits"] for p in fit["placements"])
    assert "tinyml's module alone" in text and "262,144 bytes of flash" in text
    rc, text, fit = _inspect(capsys, model, "openmv-h7")
    assert rc == 1 and not any(p["fits"] for p in fit["placements"])
    assert "(tinyml module + arena)" not in text  # module and arena fit the H7's heap
    assert "131,072 bytes of flash" in text and "270,336 + 65,536-byte heap" in text
    assert "(tinyml module + arena + model)" in text


def test_in_place_hint_where_only_the_ram_copy_fails(models: Path, tmp_path: Path, paths) -> None:
    """On a board whose tinyml runs from flash (no module on the heap) with the M7's 52 KB
    heap, KWS fits from ROMFS but not read into RAM, and the hint says how to load it in
    place."""
    from tinyml import inspect
    from tinyml.paths import Paths

    board = tmp_path / "boards" / "flash-code"
    board.mkdir(parents=True)
    info = json.loads((paths.boards / "openmv-m7" / "board.json").read_text())
    for key in ("aliases", "tinyml_heap_bytes", "ram_hint"):
        del info[key]
    (board / "board.json").write_text(json.dumps({**info, "name": "flash-code"}))
    kws = models / "mlcommons-tiny" / "kws_ref_model.tflite"
    report = inspect.analyze(kws)
    fit = inspect.fit(report, "flash-code", Paths(tmp_path, {}))
    in_flash, in_ram = fit.placements
    assert fit.fits and in_flash.fits and not in_ram.fits
    # In place, the RAM is the arena alone (the engine's plan, not a number written here).
    assert in_flash.ram_needed == report.arena_bytes > 0 and "(arena + model)" in in_ram.reasons[0]
    assert fit.hint.startswith("load it in place") and "tinyml push --romfs" in fit.hint


def test_heap_blocks_hold_one_allocation_each(models: Path, capsys) -> None:
    """On the H7, KWS read into RAM fits: model and arena each fit a heap block."""
    rc, _, fit = _inspect(capsys, models / "mlcommons-tiny" / "kws_ref_model.tflite", "openmv-h7")
    assert rc == 0 and all(p["fits"] for p in fit["placements"])
