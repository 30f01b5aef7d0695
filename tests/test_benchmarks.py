"""benchmarks/README.md's commands, run as written: the device benchmark counts instructions on
every emulated Cortex-M board and prints one row per model with the per-op breakdown; the
code-size script prints the linked engine's bytes and their breakdown per op and per file; the
load benchmark times loading in place and from a file; the memory table gives flash and arenas."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[list[str]]:
    text = (ROOT / "benchmarks" / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    return [shlex.split(line) for block in blocks for line in block.splitlines() if line.strip()]


def readme_command(script: str, *, switches: bool = False) -> list[str]:
    """The README's one command running ``script`` (with ``switches``: the one setting -D)."""
    (argv,) = [
        argv
        for argv in readme_commands()
        if script in " ".join(argv) and ("-D" in argv) == switches
    ]
    return argv


def test_device_benchmark_prints_instructions_for_every_model_and_board() -> None:
    """Each model gets a positive instruction count on the M7 and M4 (on the M0 where it fits),
    and the per-op table names the convolution ops."""
    argv = readme_command("device_bench.py")
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


def test_device_benchmark_has_the_m7_without_fast_kernels() -> None:
    """The qemu-m7-reference column (benchmarks/README.md) boots the M7 firmware built with
    --no-fast-kernels, beside the M7's own: AD runs on both, in more instructions on the
    reference kernels (-icount counts are exact, so this is the build, not a timing)."""
    argv = [
        sys.executable,
        "benchmarks/device_bench.py",
        "--boards",
        "qemu-m7,qemu-m7-reference",
        "AD",
    ]
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stderr
    assert "qemu-m7-reference M instr" in run.stdout
    rows = _rows(run.stdout, 6)
    _macs, fast, _, reference, _ = (float(c) for c in rows["AD"])
    assert 0 < fast < reference


def test_compress_benchmark_prints_sizes_agreement_and_instructions() -> None:
    """The README's "Compressed models" benchmark command, run as written: every model gets a
    smaller compressed file, an agreement figure and instruction counts on the M7."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Compressed models\n", 1)[1].split("\n## ", 1)[0]
    (block,) = [
        b for b in re.findall(r"```sh\n(.*?)```", section, re.DOTALL) if "benchmarks/" in b
    ]
    (argv,) = [shlex.split(line) for line in block.splitlines() if line.strip()]
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stderr
    rows = {
        cells[0]: cells[1:]
        for line in run.stdout.split("real samples", 1)[0].splitlines()
        if line.startswith("| ")
        and len(cells := [c.strip() for c in line.strip("|").split("|")]) == 10
    }
    for model in ("KWS", "VWW", "IC", "AD", "person_detect"):
        int8, small, ratio, _, _, agree, m7, m7_small, _ = rows[model]
        assert float(small) < float(int8) and float(ratio) < 1, rows[model]
        assert 0 <= float(agree.rstrip("%")) <= 100
        assert float(m7) > 0 and float(m7_small) > 0
    assert "person_detect" in run.stdout.split("real samples", 1)[1]


def test_compress_benchmark_holds_each_clip_out_of_its_calibration() -> None:
    """benchmarks/README.md's compress.py command, run as written (KWS and VWW, widths chosen
    for 0.5x the int8 flash): the held-out agreement is the sum of the per-clip (per-photo)
    rows, which cover every sample once; each clip's palettes are fit without that clip's
    calibration windows (the per-clip calibration counts fall short of the whole set's by
    exactly its size, each window once), and every fold's file is at most 0.5x the int8 one."""
    run = subprocess.run(
        readme_command("compress.py"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    real, held = run.stdout.split("real samples", 1)[1].split("held out: palettes", 1)
    rows = [[c.strip() for c in line.strip("|").split("|")]
            for line in real.splitlines() if line.startswith("| KWS")]  # fmt: skip
    (row,) = rows
    assert len(row) == 10, row
    samples, calib = int(row[4]), int(row[6])
    same, total = map(int, re.fullmatch(r"[\d.]+% \((\d+)/(\d+)\)", row[9]).groups())
    assert total == samples and 0 <= same <= samples
    groups = [[c.strip() for c in line.strip("|").split("|")]
              for line in held.splitlines() if line.startswith("| KWS")]  # fmt: skip
    counts = [re.fullmatch(r"[\d.]+% \((\d+)/(\d+)\)", g[5]).groups() for g in groups]
    assert sum(int(n) for _, n in counts) == samples
    assert sum(int(s) for s, _ in counts) == same
    assert len(groups) > 1 and all(int(g[2]) <= calib for g in groups)
    assert sum(calib - int(g[2]) for g in groups) == calib
    assert all(0 < float(g[3]) <= 0.5 for g in groups)
    assert any(re.fullmatch(r"\d+ at [2-4] bits, .*", g[4]) for g in groups), groups
    assert "| VWW" in held


def test_code_size_prints_the_engine_per_op_and_per_file() -> None:
    """The linked size, then tables whose per-op and per-file bytes both add up to the sum of
    the objects, with every engine source listed once."""
    argv = readme_command("code_size.py")
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    linked = re.match(r"engine for ARMv7E-M \(Cortex-M7\), O2, linked: ([\d,]+) bytes", lines[0])
    objects = re.match(
        r"sum of the (\d+) files' objects \(strings not merged\): ([\d,]+) bytes", lines[1]
    )
    assert linked and objects, lines[:2]
    total = int(objects[2].replace(",", ""))
    assert 0 < int(linked[1].replace(",", "")) <= total
    rows = [
        [c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("| ")
    ]
    per_op = {r[0]: int(r[1].replace(",", "")) for r in rows if len(r) == 2 and r[1][0].isdigit()}
    per_file = {r[0]: int(r[2]) + int(r[3]) for r in rows if len(r) == 4 and r[2].isdigit()}
    sources = sorted(p.relative_to(ROOT / "native_module" / "engine").as_posix()
                     for p in (ROOT / "native_module" / "engine").rglob("*.c"))  # fmt: skip
    assert sorted(per_file) == sources and len(sources) == int(objects[1])
    assert sum(per_file.values()) == total
    assert "conv_2d" in per_op and "fully_connected" in per_op
    slices = ("float32 kernels", "signal ops", "LSTM and SVDF", "prepare and eval", "kernels (")
    assert sum(v for k, v in per_op.items() if not k.startswith(slices)) == total


def _linked(argv: list[str]) -> tuple[str, int]:
    """(the build code_size.py names, the bytes it links)."""
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stderr
    m = re.match(r"engine for ARMv7E-M \(Cortex-M7\), (.*), linked: ([\d,]+) bytes", run.stdout)
    assert m, run.stdout[:200]
    return m[1], int(m[2].replace(",", ""))


def test_code_size_without_float32_kernels_is_smaller() -> None:
    """The README's -D TML_KERNELS_F32=0 line names the switch and links less code than every
    op with the float32 kernels: their files compile to almost nothing."""
    argv = readme_command("code_size.py", switches=True)
    assert argv[argv.index("-D") + 1] == "TML_KERNELS_F32=0"
    name, without = _linked(argv)
    assert name == "O2 TML_KERNELS_F32=0"
    _, every = _linked([a for a in argv if a not in ("-D", "TML_KERNELS_F32=0")])
    assert 0 < without < every - 4000


def test_code_size_without_fast_kernels_is_smaller() -> None:
    """benchmarks/README.md's `code_size.py --opt O2 -D TML_KERNELS_OPT=0` (the engine of a
    --no-fast-kernels build) links less than the engine with them: the kernels/opt/ files compile
    to almost nothing, and the reference kernels were there already."""
    argv = [sys.executable, "benchmarks/code_size.py", "--opt", "O2"]
    name, without = _linked([*argv, "-D", "TML_KERNELS_OPT=0"])
    assert name == "O2 TML_KERNELS_OPT=0"
    _, every = _linked(argv)
    assert 0 < without < every - 4000


def _run(script: str) -> str:
    argv = readme_command(script)
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
