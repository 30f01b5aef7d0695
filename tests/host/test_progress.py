"""Long steps talk: the set-up's pip and apt steps and firmware builds report progress."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tinyml import firmware
from tinyml.paths import repo_root

SETUP = repo_root() / "scripts" / "setup.sh"


def _logged_progress(tmp_path: Path, command: str) -> subprocess.CompletedProcess[str]:
    script = (f"source {SETUP}; LOGS={tmp_path}; PROGRESS_EVERY=1; "
              f"logged_progress step '^(Collecting|Installing)' bash -c '{command}'")  # fmt: skip
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip


def test_setup_step_reports_its_log_as_it_goes(tmp_path: Path) -> None:
    """A long step prints its log's newest matching line, once per change, while it runs."""
    run = _logged_progress(
        tmp_path,
        "echo Collecting numpy; echo noise; sleep 2.5; "
        "echo Installing collected packages: numpy; sleep 2.5",
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("setup:   step (") and lines[0].endswith("s): Collecting numpy")
    assert lines[1].endswith("s): Installing collected packages: numpy")
    assert "noise" in (tmp_path / "step.log").read_text()


def test_setup_step_failure_shows_the_log(tmp_path: Path) -> None:
    run = _logged_progress(tmp_path, "echo Collecting nothing; echo the reason >&2; exit 3")
    assert run.returncode != 0
    assert "the reason" in run.stderr and f"step failed (full log: {tmp_path}/step.log)" in (
        run.stderr
    )


def test_firmware_build_progress_counts_compiles(paths, monkeypatch) -> None:
    """Fed a real build's make output, the counter reports files compiled as they go and
    remembers the total for the next build from clean."""
    logs = sorted((paths.build / "logs").glob("firmware-*.log"))
    log = next((f for f in logs if f.read_text(errors="replace").count("\nCC ") > 50), None)
    if log is None:
        pytest.fail(f"no firmware build log with compiles in {paths.build / 'logs'}")
    lines = log.read_text(errors="replace").splitlines(keepends=True)
    compiles = sum(line.startswith(("CC ", "CXX ", "AS ", "MPY ")) for line in lines)
    monkeypatch.setattr(firmware, "PROGRESS_EVERY", 0.0)
    heard: list[str] = []
    memory = paths.build / "test-cache" / "compiled"
    memory.parent.mkdir(parents=True, exist_ok=True)
    memory.unlink(missing_ok=True)
    counter = firmware._CompileCounter("qemu-m7", memory, heard.append)
    for line in lines:
        counter.line(line)
    counter.done(True)
    assert len(heard) == len(lines)
    assert heard[-1].startswith(f"building qemu-m7: {compiles} files compiled, ")
    assert int(memory.read_text()) == compiles
    again = firmware._CompileCounter("qemu-m7", memory, heard.append)
    again.line("CC py/obj.c\n")
    assert heard[-1].startswith(f"building qemu-m7: 1 files compiled of about {compiles}, ")
