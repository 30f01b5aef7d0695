"""Prebuilt firmware: download from a release, SHA256SUMS, the cache, and `tinyml flash` on it.

Every download here is from an HTTP server this test runs on 127.0.0.1 (TINYML_RELEASE_URL
points at it); no other address is contacted. Each way a download goes wrong gives one clear
error and leaves nothing in the cache.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import tinyml
from tinyml import cli, flash, release
from tinyml.errors import DeviceError, TinymlError
from tinyml.paths import Paths

VERSION = "9.8.7"
IMAGE = bytes([0xE9]) + bytes(range(256)) * 300  # an ESP32 image header, then anything
ASSET = f"tinyml-{VERSION}-esp32s3.bin"


class Server:
    """routes: path -> (status, body, declared Content-Length or None for len(body))."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, int | None]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                status, body, length = server.routes.get(self.path, (404, b"not found", None))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/releases"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, files: dict[str, bytes], sums: str | None = None) -> None:
        """Files of release VERSION, with a SHA256SUMS over them unless given."""
        base = f"/releases/v{VERSION}"
        for name, data in files.items():
            self.routes[f"{base}/{name}"] = (200, data, None)
        if sums is None:
            sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in files.items())
        self.routes[f"{base}/{release.SUMS}"] = (200, sums.encode(), None)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture
def env(server: Server, tmp_path: Path, monkeypatch) -> dict[str, str]:
    monkeypatch.setenv(release.RELEASE_URL_ENV, server.url)
    monkeypatch.setenv(release.CACHE_ENV, str(tmp_path / "cache"))
    return {release.RELEASE_URL_ENV: server.url, release.CACHE_ENV: str(tmp_path / "cache")}


def cached_files(env: dict[str, str]) -> list[Path]:
    root = Path(env[release.CACHE_ENV])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_release_downloaded_once_and_checked(server: Server, env: dict[str, str]) -> None:
    """The board's asset is fetched with SHA256SUMS, kept, and not fetched again."""
    server.publish({ASSET: IMAGE, f"tinyml-{VERSION}-rp2040.uf2": b"UF2\n"})
    got = release.download_firmware("esp32s3", version=VERSION, env=env)
    assert got.read_bytes() == IMAGE and got.name == ASSET
    assert sorted(p.name for p in cached_files(env)) == [release.SUMS, ASSET]
    n = len(server.requests)
    assert release.download_firmware("esp32s3", version="v" + VERSION, env=env) == got
    assert len(server.requests) == n, "a cached, verified file was downloaded again"


def test_tampered_cache_is_fetched_again(server: Server, env: dict[str, str]) -> None:
    server.publish({ASSET: IMAGE})
    got = release.download_firmware("esp32s3", version=VERSION, env=env)
    got.write_bytes(b"\xe9broken")
    assert release.download_firmware("esp32s3", version=VERSION, env=env).read_bytes() == IMAGE


def expect_error(env: dict[str, str], match: str) -> None:
    with pytest.raises(release.DownloadError, match=match) as e:
        release.download_firmware("esp32s3", version=VERSION, env=env)
    assert e.value.exit_code == 2
    assert cached_files(env) == [], "a failed download left files in the cache"


def test_corrupt_file_is_refused(server: Server, env: dict[str, str]) -> None:
    server.publish({ASSET: IMAGE})
    server.routes[f"/releases/v{VERSION}/{ASSET}"] = (200, IMAGE[:-1] + b"\0", None)
    expect_error(env, r"does not match SHA256SUMS .*corrupt or was replaced; nothing was kept")


def test_missing_file(server: Server, env: dict[str, str]) -> None:
    server.publish({ASSET: IMAGE})
    del server.routes[f"/releases/v{VERSION}/{ASSET}"]
    expect_error(env, rf"/v{VERSION}/{ASSET}: HTTP 404")


def test_file_not_in_sums(server: Server, env: dict[str, str]) -> None:
    server.publish({ASSET: IMAGE}, sums="")
    expect_error(env, rf"SHA256SUMS lists no {ASSET}")


def test_missing_sums(server: Server, env: dict[str, str]) -> None:
    server.publish({ASSET: IMAGE})
    del server.routes[f"/releases/v{VERSION}/{release.SUMS}"]
    expect_error(env, r"HTTP 404 .*without SHA256SUMS the firmware cannot be checked")


def test_wrong_hash_line(server: Server, env: dict[str, str]) -> None:
    """A SHA256SUMS line whose hash is not 64 hex digits."""
    server.publish({ASSET: IMAGE}, sums=f"{hashlib.sha256(IMAGE).hexdigest()[:-1]}  {ASSET}\n")
    expect_error(env, r"SHA256SUMS: line 1 is not '<sha256>  <file>'")


def test_interrupted_download(server: Server, env: dict[str, str]) -> None:
    """The server promises the whole file and closes after half of it."""
    server.publish({ASSET: IMAGE})
    server.routes[f"/releases/v{VERSION}/{ASSET}"] = (200, IMAGE[: len(IMAGE) // 2], len(IMAGE))
    expect_error(env, r"download interrupted after .* run the command again")


def test_unreachable_server(tmp_path: Path) -> None:
    """Nothing listens on the port: a quick error naming the URL."""
    with socket_closed_port() as port:
        env = {
            release.RELEASE_URL_ENV: f"http://127.0.0.1:{port}/releases",
            release.CACHE_ENV: str(tmp_path / "cache"),
        }
        expect_error(env, rf"cannot reach http://127.0.0.1:{port}/releases/v{VERSION}/SHA256SUMS")


class socket_closed_port:
    """A 127.0.0.1 port that was just free (bound, then closed)."""

    def __enter__(self) -> int:
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port

    def __exit__(self, *exc: object) -> None:
        pass


def test_url_needs_sums_beside_it(server: Server, env: dict[str, str]) -> None:
    """--firmware URL: checked against the SHA256SUMS in the URL's directory."""
    server.routes["/custom/fw.bin"] = (200, IMAGE, None)
    url = server.url.replace("/releases", "/custom/fw.bin")
    with pytest.raises(release.DownloadError, match="without SHA256SUMS"):
        release.resolve_firmware("esp32s3", url, Paths.default())
    sums = f"{hashlib.sha256(IMAGE).hexdigest()}  fw.bin\n".encode()
    server.routes["/custom/SHA256SUMS"] = (200, sums, None)
    assert release.resolve_firmware("esp32s3", url, Paths.default()).read_bytes() == IMAGE


def test_firmware_spec_kinds(server: Server, env: dict[str, str], tmp_path: Path) -> None:
    """A file is used as is, a version is a release, anything else is an error."""
    server.publish({ASSET: IMAGE})
    image = tmp_path / "mine.bin"
    image.write_bytes(IMAGE)
    paths = Paths.default()
    assert release.resolve_firmware("esp32s3", str(image), paths) == image
    assert release.resolve_firmware("esp32s3", VERSION, paths).name == ASSET
    with pytest.raises(TinymlError, match="no such file, and not a URL or a release version"):
        release.resolve_firmware("esp32s3", "nonsense.bin", paths)


def test_without_firmware_uses_local_build_else_release(
    server: Server, env: dict[str, str], tmp_path: Path, monkeypatch
) -> None:
    """No --firmware: the local build when there is one, else the installed version's
    release; when neither works the error names both."""
    root = tmp_path / "checkout"
    paths = Paths(root, env)
    with pytest.raises(release.DownloadError) as e:
        release.resolve_firmware("esp32s3", None, paths)
    assert "tinyml firmware build --board esp32s3" in str(e.value)
    assert f"release could not be used: {server.url}/v{tinyml.__version__}" in str(e.value)
    monkeypatch.setattr(release, "installed_version", lambda: VERSION)
    server.publish({ASSET: IMAGE})
    assert release.resolve_firmware("esp32s3", None, paths).name == ASSET
    local = root / "build" / "firmware" / "esp32s3" / "firmware.bin"
    local.parent.mkdir(parents=True)
    local.write_bytes(IMAGE)
    assert release.resolve_firmware("esp32s3", None, paths) == local


def test_cli_flash_release_with_progress(
    server: Server, env: dict[str, str], tmp_path: Path, monkeypatch, capsys
) -> None:
    """`tinyml flash --board esp32s3-psram --firmware VERSION --port P`: the psram asset is
    downloaded with a progress bar, written at board.json's offset, and the board's answer
    is printed. esptool and the board are stand-ins here (no board is attached)."""
    psram = f"tinyml-{VERSION}-esp32s3-psram.bin"
    server.publish({ASSET: IMAGE, psram: IMAGE})
    written = []
    monkeypatch.setattr(
        flash,
        "flash_esp32s3",
        lambda port, image, *, offset, quiet: (
            written.append((port, image.name, offset))
            or flash.Flashed("esp32s3", image, port, image.stat().st_size, "stand-in")
        ),
    )
    monkeypatch.setattr(flash, "wait_for_repl", lambda port: "(name='micropython')\n9.8.7")
    port = tmp_path / "ttyACM0"
    port.touch()
    rc = cli.main(
        ["flash", "--board", "esp32s3-psram", "--firmware", VERSION, "--port", str(port)]
    )
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert written == [(str(port), psram, 0)]
    assert f"downloading {psram} [{'#' * 30}] 100%" in err
    assert out.rstrip().endswith("(name='micropython')\n9.8.7")


class FakeESP:
    CHIP_NAME = "ESP32-S3"

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_esptool_erase_write_verify_at_offset(tmp_path: Path, monkeypatch) -> None:
    """esptool's API is called in order: connect, stub, erase, write and verify at the offset,
    hard reset."""
    from esptool import cmds

    calls = []
    esp = FakeESP()
    monkeypatch.setattr(cmds, "detect_chip", lambda port, **kw: calls.append("detect") or esp)
    monkeypatch.setattr(cmds, "run_stub", lambda e: calls.append("stub") or e)
    monkeypatch.setattr(cmds, "attach_flash", lambda e: calls.append("attach"))
    monkeypatch.setattr(cmds, "erase_flash", lambda e: calls.append("erase"))
    monkeypatch.setattr(cmds, "write_flash", lambda e, a: calls.append(("write", a)))
    monkeypatch.setattr(cmds, "verify_flash", lambda e, a: calls.append(("verify", a)))
    monkeypatch.setattr(cmds, "reset_chip", lambda e, mode: calls.append(mode))
    image = tmp_path / "fw.bin"
    image.write_bytes(IMAGE)
    r = flash.flash_esp32s3("/dev/null", image, offset=0x1000)
    at = [(0x1000, str(image))]
    assert calls == ["detect", "stub", "attach", "erase", ("write", at), ("verify", at),
                     "hard-reset"]  # fmt: skip
    assert r.detail == "erased, written at 0x1000 and verified"


def test_offsets_come_from_board_json() -> None:
    paths = Paths.default()
    assert flash.board_flash_offset("esp32s3", paths) == 0
    assert flash.board_flash_offset("esp32s3-psram", paths) == 0


def test_board_answers_after_flash(tmp_path) -> None:
    """What `tinyml flash` prints once the REPL is back, read from an emulated board of this
    test's own (so no other connection holds its port): sys.implementation (MicroPython 1.25)
    and the device's tinyml version."""
    from tinyml.device_setup import build_if_missing
    from tinyml.emulator import Emulator

    emu = Emulator("qemu-m7", state_dir=tmp_path)
    build_if_missing("qemu-m7", emu.paths)
    state, _ = emu.start(die_with_parent=True)
    try:
        info = flash.wait_for_repl(state.pty, timeout=30).splitlines()
    finally:
        emu.stop()
    assert info[0].startswith("(name='micropython', version=(1, 25, 0")
    assert info[1] == tinyml.__version__


def test_silent_port_after_flash_is_an_error() -> None:
    """No REPL coming back: a DeviceError once the wait is over, never a hang."""
    with pytest.raises(DeviceError, match="flashed, but no MicroPython REPL"):
        flash.wait_for_repl("/dev/ttyNOPE0", timeout=0)


def test_release_names_and_places() -> None:
    """Tag v<version>; one file per board named after it; the project's release page unless
    TINYML_RELEASE_URL says otherwise (nothing is fetched here)."""
    assert release.firmware_asset("esp32s3", "0.1.0") == "tinyml-0.1.0-esp32s3.bin"
    assert release.firmware_asset("esp32s3-psram", "v0.1.0") == "tinyml-0.1.0-esp32s3-psram.bin"
    assert release.firmware_asset("rp2040", "0.1.0") == "tinyml-0.1.0-rp2040.uf2"
    assert release.firmware_asset("qemu-m7", "0.1.0") == "tinyml-0.1.0-qemu-m7.elf"
    assert release.mpy_asset("xtensawin", "0.1.0") == "tinyml-0.1.0-xtensawin.mpy"
    assert release.release_url("0.1.0", {}) == release.DEFAULT_RELEASE_URL + "/v0.1.0"
    assert release.release_url("v0.1.0", {release.RELEASE_URL_ENV: "http://h/r/"}) == (
        "http://h/r/v0.1.0"
    )
