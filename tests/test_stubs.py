"""The stub package (stubs/, `tinyml-micropython-stubs`): installed as README shows, the
examples' board scripts type-check against it, and wrong calls to the device API are errors."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = re.compile(r"^### Type stubs for device code\n(.*?)^##", re.DOTALL | re.MULTILINE)

WRONG = """\
import tinyml
from tinyml import pipeline, pipeline_anomaly, update

m = tinyml.Model("model.tflite", arena="big")
m.predict(1.5)
scorer = pipeline_anomaly.Mahalanobis("8")
active = update.load_active()
active.model.classify([0.0] * 8, k="3")
features = pipeline.load(m)
"""


def _mypy(cwd: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(cwd / "typings")}
    return subprocess.run([str(ROOT / ".venv" / "bin" / "mypy"), "--no-incremental", *files],
                          cwd=cwd, env=env, capture_output=True, text=True, check=False)  # fmt: skip


def test_stub_package_installs_and_checks_device_code(tmp_path: Path) -> None:
    block = re.search(r"```sh\n(.*?)```", SECTION.search((ROOT / "README.md").read_text())[1],
                      re.DOTALL)[1]  # fmt: skip
    for name in (".venv", "stubs", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    run = subprocess.run(["bash", "-e", "-c", block], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("Success: no issues found in 1 source file") == 3, run.stdout
    typings = tmp_path / "typings"
    assert {p.name for p in (typings / "tinyml").glob("*.pyi")} == {
        "__init__.pyi", "pipeline.pyi", "pipeline_anomaly.pyi", "update.pyi", "openmv.pyi"
    }  # fmt: skip
    assert (typings / "_tinyml" / "__init__.pyi").is_file()
    assert list(typings.glob("tinyml_micropython_stubs-*.dist-info"))

    (tmp_path / "wrong.py").write_text(WRONG)
    out = _mypy(tmp_path, "wrong.py").stdout
    for line, what in [(4, '"arena"'), (5, '"predict"'), (6, '"Mahalanobis"'), (8, '"classify"')]:
        assert re.search(rf"wrong\.py:{line}: error: .*{what}", out), out
    assert "wrong.py:9" not in out and "wrong.py:7" not in out
    assert out.strip().endswith("Found 4 errors in 1 file (checked 1 source file)"), out


def test_every_device_module_has_a_stub() -> None:
    """A module added to device/tinyml/ needs its stub (the issue: pipeline was missing)."""
    device = {p.stem for p in (ROOT / "device" / "tinyml").glob("*.py")}
    stubs = {p.stem for p in (ROOT / "stubs" / "tinyml").glob("*.pyi")}
    assert device == stubs
