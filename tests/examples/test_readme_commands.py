"""Every command block of the examples' READMEs, run as written, on the emulated board.

Each ```sh block runs with bash from the root of a stand-in checkout: a temporary folder where
``examples/`` is a copy (so a retrain that rewrites a committed model leaves the repository
alone) and ``.venv``, ``host``, ``device``, ``build`` and ``../shared`` are links to the real
ones. ``--device emulator`` reaches this test session's emulated board. A block must exit 0
without a traceback, and every line of the plain ``` block that follows it (the output the
README promises) must appear in what it printed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READMES = sorted((ROOT / "examples").glob("*/README.md"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)


def command_blocks(readme: Path) -> list[tuple[str, list[str]]]:
    """(commands, promised output lines) for each sh block, in order."""
    text = readme.read_text()
    fences = list(FENCE.finditer(text))
    blocks = []
    for i, f in enumerate(fences):
        if f.group(1) != "sh":
            continue
        promised: list[str] = []
        after = fences[i + 1] if i + 1 < len(fences) else None
        between = text[f.end() : after.start()] if after else ""
        if after is not None and after.group(1) == "" and "\n#" not in between:
            promised = [ln for ln in after.group(2).splitlines() if ln.strip()]
        blocks.append((f.group(2), promised))
    return blocks


CASES = [
    pytest.param(readme, i, commands, promised, id=f"{readme.parent.name}-{i}")
    for readme in READMES
    for i, (commands, promised) in enumerate(command_blocks(readme))
]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for the repository root, with ../shared beside it."""
    base = tmp_path_factory.mktemp("readme")
    root = base / "repo"
    root.mkdir()
    shutil.copytree(ROOT / "examples", root / "examples")
    for name in (".venv", "host", "device", "build", "native_module", "boards"):
        (root / name).symlink_to(ROOT / name)
    (base / "shared").symlink_to((ROOT.parent / "shared").resolve())
    return root


def test_every_example_has_a_readme_with_commands() -> None:
    examples = sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())
    assert [p / "README.md" for p in examples] == READMES
    assert all(command_blocks(r) for r in READMES)


@pytest.mark.parametrize(("readme", "index", "commands", "promised"), CASES)
def test_readme_block_runs_as_written(
    readme: Path, index: int, commands: str, promised: list[str], checkout: Path, emulator
) -> None:
    run = subprocess.run(
        ["bash", "-e", "-c", commands], cwd=checkout, capture_output=True, text=True,
        timeout=1200, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, check=False,
    )  # fmt: skip
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "Traceback" not in out, f"{commands}\n{out[-3000:]}"
    missing = [line for line in promised if line not in out]
    assert not missing, f"{readme}: promised lines not printed: {missing}\n{out[-3000:]}"
