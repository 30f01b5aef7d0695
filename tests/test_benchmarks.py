"""benchmarks/README.md's commands, run as written: the device benchmark counts instructions on
every emulated Cortex-M board and prints one row per model with the per-op breakdown; the load
benchmark times loading in place and from a file; the memory table gives flash and arenas."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[list[str]]:
    text = (ROOT / "benchmarks" / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    return [shlex.split(line) for block in blocks for line in block.splitlines() if line.strip()]


def test_device_benchmark_prints_instructions_for_every_model_and_board() -> None:
    """Each model gets a positive instruction count on the M7 and M4 (on the M0 where it fits),
    and the per-op table names the convolution ops."""
    (argv,) = [a for a in readme_commands() if "benchmarks/device_bench.py" in a]
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stderr
    rows = {
        cells[0]: cells[1:]
        for line in run.stdout.splitlines()
        if line.startswith("| ")
        and len(cells := [c.strip() for c in line.strip("|").split("|")]) == 8
    }
    for model in ("KWS", "VWW", "IC", "AD", "person_detect"):
        macs, m7, m7_per_mac, m4, m4_per_mac, _, _ = rows[model]
        assert float(macs) > 0 and float(m7) > 0 and float(m4) > 0, rows[model]
        assert float(m7_per_mac) > 0 and float(m4_per_mac) > 0
    assert float(rows["KWS"][5]) > 0  # KWS fits the M0's heap
    assert "DEPTHWISE_CONV_2D" in run.stdout and "FULLY_CONNECTED" in run.stdout


def _run(script: str) -> str:
    (argv,) = [a for a in readme_commands() if script in a]
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _rows(out: str, columns: int) -> dict[str, list[str]]:
    return {
        cells[0]: cells[1:]
        for line in out.splitlines()
        if line.startswith("| ")
        and len(cells := [c.strip() for c in line.strip("|").split("|")]) == columns
    }


def test_load_benchmark_times_in_place_and_from_a_file() -> None:
    """person_detect loads in place in fewer instructions than from a file, on the M7."""
    rows = _rows(_run("benchmarks/load_bench.py"), 5)
    board, in_place, from_file, _ = rows["qemu-m7"]
    assert board == "person_detect" and 0 < float(in_place) < float(from_file)


def test_memory_table_has_flash_and_every_arena() -> None:
    """Each model's arena for each target, beside TFLite Micro's; the Cortex-M0's is smaller
    than the 64-bit host's (the same kernels, 4-byte pointers in its tables)."""
    out = _run("benchmarks/memory.py")
    assert "Engine flash" in out
    rows = _rows(out, 6)
    for model in ("KWS", "VWW", "IC", "AD", "person_detect"):
        m7, m0, host, tflm, ratio = (float(c.replace(",", "")) for c in rows[model])
        assert 0 < m0 < host and m7 > 0 and tflm > 0
        assert abs(ratio - host / tflm) < 0.01
