"""The release workflow (.github/workflows/release.yml) as far as it can be checked here.

It cannot run here (no ESP-IDF, no Pico SDK, no GitHub), so these tests check that it parses,
that it builds every board and .mpy arch a release carries with the commands a user runs
(each accepted by our own argument parsers, each arch known to MicroPython's dynruntime.mk),
and that what `python -m tinyml.release stage`/`sums` produce is what `tinyml flash`
downloads and checks.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import shlex
import threading
from pathlib import Path

import pytest
import yaml
from tinyml import boards, cli, firmware, release
from tinyml.paths import Paths

PATHS = Paths.default()
WORKFLOW = PATHS.root / ".github" / "workflows" / "release.yml"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def commands() -> list[tuple[str, list[str]]]:
    """(job, argv) of every command line in every run step, matrix expanded."""
    out = []
    for name, job in workflow()["jobs"].items():
        matrix = job.get("strategy", {}).get("matrix", {})
        values = [{}] + [{k: v} for k, vs in matrix.items() for v in vs]
        for step in job["steps"]:
            script = step.get("run", "").replace("\\\n", " ")
            for vals in values[1:] if matrix else values:
                text = script
                for k, v in vals.items():
                    text = text.replace(f"${{{{ matrix.{k} }}}}", v)
                for line in text.splitlines():
                    for part in re.split(r"\s*(?:&&|\|\|)\s*", line.strip()):
                        if part:
                            argv = shlex.split(part)
                            while argv and re.fullmatch(r"[A-Z_]+=\S*", argv[0]):
                                argv.pop(0)  # VAR=value before a command
                            out.append((name, argv))
    return out


def test_workflow_parses_and_runs_on_tags() -> None:
    wf = workflow()
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    assert on == {"push": {"tags": ["v*"]}}
    jobs = wf["jobs"]
    assert set(jobs["release"]["needs"]) == set(jobs) - {"release"}
    for job in jobs.values():
        for step in job["steps"]:
            assert "uses" in step or "run" in step


def test_esp_idf_and_micropython_versions_are_ours() -> None:
    """The ESP32 jobs run in Espressif's container of the ESP-IDF release firmware.py names;
    MicroPython is the 1.25.0 the set-up unpacks from Debian's source package."""
    wf = workflow()
    for name in ("esp32s3", "mpy-xtensawin"):
        assert wf["jobs"][name]["container"] == f"espressif/idf:{firmware.ESP_IDF_VERSION}"
    assert wf["env"]["MICROPYTHON_TAG"] == "v1.25.0"
    setup = (PATHS.root / "scripts" / "setup.sh").read_text()
    assert 'MP_SOURCE_VERSION="1.25.0+' in setup
    assert wf["jobs"]["esp32s3"]["strategy"]["matrix"]["board"] == ["esp32s3", "esp32s3-psram"]


def test_every_command_exists_and_accepts_its_arguments() -> None:
    """tinyml commands parse with the CLI's parser, tinyml.release ones with its parser,
    make -C native_module/micropython gets an ARCH MicroPython knows; together they build
    and stage every board and arch of a release."""
    dynruntime = (PATHS.micropython / "py" / "dynruntime.mk").read_text()
    built_boards, built_archs, staged_boards, staged_archs = set(), set(), set(), set()
    for job, argv in commands():
        if argv[0].endswith("/tinyml"):
            args = cli.build_parser().parse_args(argv[1:])
            if args.command == "firmware":
                built_boards.add(args.board)
        elif argv[:3] == [argv[0], "-m", "tinyml.release"]:
            args = release.build_parser().parse_args(argv[3:])
            if args.action == "stage":
                staged_boards.update(args.board)
                staged_archs.update(args.arch)
            else:
                assert job == "release"
        elif argv[:3] == ["make", "-C", "native_module/micropython"]:
            (arch,) = [a.split("=", 1)[1] for a in argv[3:] if a.startswith("ARCH=")]
            assert f"ifeq ($(ARCH),{arch})" in dynruntime, f"MicroPython has no ARCH {arch}"
            built_archs.add(arch)
    assert built_boards == staged_boards == set(release.release_boards())
    assert built_archs == staged_archs == set(release.MPY_ARCHS)
    assert set(release.release_boards()) <= set(boards.names(what="build"))


def test_staged_release_is_what_flash_downloads(tmp_path: Path, monkeypatch) -> None:
    """stage + sums on stand-in build outputs, served on 127.0.0.1: `tinyml flash`'s
    download finds each board's file and its SHA-256 in SHA256SUMS."""
    checkout = Paths(tmp_path / "checkout", {})
    version = "1.2.3"
    contents = {}
    for b in release.release_boards():
        f = firmware.firmware_path(b, checkout)
        f.parent.mkdir(parents=True)
        contents[b] = hashlib.sha256(b.encode()).digest() * 100
        f.write_bytes(contents[b])
    for a in release.MPY_ARCHS:
        f = checkout.build / "natmod" / a / "_tinyml.mpy"
        f.parent.mkdir(parents=True)
        f.write_bytes(b"M" + a.encode())
    site = tmp_path / "site"
    dist = site / "releases" / f"v{version}"
    release.stage(dist, checkout, ["esp32s3"], [], version)
    with pytest.raises(release.TinymlError, match=r"missing \[.*'tinyml-1.2.3-esp32s3-psram.bin'"):
        release.write_sums(dist, version)
    release.stage(dist, checkout, list(release.release_boards()), list(release.MPY_ARCHS), version)
    sums = release.parse_sums(release.write_sums(dist, version).read_text(), "SHA256SUMS")
    assert sorted(sums) == release.release_assets(version)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(site), **kw)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        env = {
            release.RELEASE_URL_ENV: f"http://127.0.0.1:{httpd.server_port}/releases",
            release.CACHE_ENV: str(tmp_path / "cache"),
        }
        for b in release.release_boards():
            got = release.download_firmware(b, version=version, env=env)
            assert got.read_bytes() == contents[b]
    finally:
        httpd.shutdown()
        httpd.server_close()
