"""The commands of README.md's "Flash a prebuilt firmware" section, run as written.

No board is attached here, so each must end in the clear error a user without the board (or
the SDK, or a build) gets, with exit status 2 and no traceback.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from tinyml import cli
from tinyml.paths import repo_root

SECTION = "### Flash a prebuilt firmware"

# command -> what its one error line says here
EXPECTED = {
    "tinyml flash --board esp32s3 --port /dev/ttyACM0": (
        "/dev/ttyACM0: no such serial port (is the board plugged in?)"
    ),
    "tinyml flash --board esp32s3-psram --port /dev/ttyACM0": (
        "/dev/ttyACM0: no such serial port (is the board plugged in?)"
    ),
    "tinyml firmware build --board rp2040": "cannot build rp2040: set PICO_SDK_PATH",
    "tinyml flash --board rp2040": "tinyml firmware build --board rp2040",
}


def readme_commands() -> list[str]:
    text = (repo_root() / "README.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_section_shows_exactly_these_commands() -> None:
    assert readme_commands() == list(EXPECTED)


@pytest.mark.parametrize("command", list(EXPECTED))
def test_readme_command_without_a_board(command: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """Run as written (a checkout with no builds, releases served by nobody on 127.0.0.1)."""
    assert not os.path.exists("/dev/ttyACM0"), "a board is attached: these tests assume none"
    monkeypatch.setenv("TINYML_ROOT", str(tmp_path))
    monkeypatch.setenv("TINYML_RELEASE_URL", "http://127.0.0.1:1/releases")
    monkeypatch.setenv("TINYML_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("PICO_SDK_PATH", raising=False)
    argv = shlex.split(command)
    assert argv[0] == "tinyml"
    assert cli.main(argv[1:]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert EXPECTED[command] in err.strip().splitlines()[-1]
