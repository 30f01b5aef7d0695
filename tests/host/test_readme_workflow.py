"""The commands of README.md's "From a Keras model to a board" section, run as written.

They run in a folder holding what the section names (gesture.keras, calib.npy, labels.txt,
x.npy, x_test.npy, y_test.npy: the trained gesture model of tests/host/trained.py), with the
venv's ``tinyml`` first on PATH. The host commands must succeed; no board is attached here,
so the board commands must end in the error a user without one gets: exit status 2, one
line naming the port, no traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tinyml.paths import repo_root

pytest.importorskip("tensorflow")

SECTION = "## From a Keras model to a board"
NO_BOARD = "/dev/ttyACM0"

# command -> (exit status, a line its output must contain)
EXPECTED = {
    "tinyml convert gesture.keras -o gesture.tflite --calib calib.npy --labels labels.txt": (
        0, "wrote gesture.tflite"),
    "tinyml inspect gesture.tflite --board esp32s3": (0, "fits"),
    "tinyml run gesture.tflite --input x.npy": (0, "[0]"),
    "tinyml run gesture.tflite --input x.npy --device unix": (
        0, "unix: 3/3 samples bit-exact with the host engine"),
    "tinyml verify gesture.tflite --data x_test.npy --labels y_test.npy --reference gesture.keras":
        (0, "agreement"),
    "tinyml verify gesture.tflite --data x_test.npy --tflm": (
        0, "TFLite Micro:       300/300 outputs bit-exact"),
    "tinyml push gesture.tflite --device /dev/ttyACM0 --dest /models --main app.py": (
        2, NO_BOARD),
    "tinyml repl --device /dev/ttyACM0": (2, NO_BOARD),
    "tinyml flash --board esp32s3 --port /dev/ttyACM0": (2, NO_BOARD),
}  # fmt: skip


def readme_commands() -> list[str]:
    text = (repo_root() / "README.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    lines = [ln.split("#", 1)[0].strip() for b in blocks for ln in b.splitlines()]
    return [ln for ln in lines if ln]


def test_section_shows_exactly_these_commands() -> None:
    assert readme_commands() == list(EXPECTED)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from trained import cache_dir

    data = cache_dir()
    work = tmp_path_factory.mktemp("workflow")
    for name in ("gesture.keras", "calib.npy", "labels.txt", "x_test.npy", "y_test.npy"):
        shutil.copy(data / name, work / name)
    np.save(work / "x.npy", np.load(data / "x_test.npy")[:3])
    return work


def test_readme_commands_run_as_written(workdir: Path) -> None:
    assert not os.path.exists(NO_BOARD), "a board is attached: these tests assume none"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command, (status, line) in EXPECTED.items():
        run = subprocess.run(command, shell=True, cwd=workdir, env=env, capture_output=True,
                             text=True, timeout=900, check=False)  # fmt: skip
        out = run.stdout + run.stderr
        assert run.returncode == status and "Traceback" not in out, f"{command}\n{out}"
        assert line in out, f"{command}: expected {line!r} in\n{out}"
