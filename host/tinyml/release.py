"""Prebuilt firmware from the project's releases: asset names, download, cache, SHA256SUMS.

A release is tagged ``v<version>`` and carries, built by .github/workflows/release.yml with
the same ``tinyml firmware build`` and ``make -C native_module/micropython`` commands a user
runs: ``tinyml-<version>-<board>.<bin|uf2|elf>`` for each board whose board.json says
``"released": true`` (release_boards()),
``tinyml-<version>-<arch>.mpy`` for each arch in MPY_ARCHS, and ``SHA256SUMS`` (the format of
``sha256sum``) over all of them.

Releases are fetched from ``$TINYML_RELEASE_URL/v<version>/`` (default DEFAULT_RELEASE_URL;
tests point it at a server on 127.0.0.1) into ``$TINYML_CACHE`` (default
``~/.cache/tinyml``), once: a cached file whose SHA-256 matches the cached SHA256SUMS is used
as is. A download goes to a ``.part`` file that is checked (length, SHA-256) before it takes
its name; on any failure nothing is left in the cache.

    python -m tinyml.release stage --out dist --board esp32s3   # built files, release names
    python -m tinyml.release sums --out dist                      # complete? then SHA256SUMS
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

from . import boards as board_registry
from . import firmware as fw
from .errors import TinymlError
from .paths import Paths

RELEASE_URL_ENV = "TINYML_RELEASE_URL"
# Where the release workflow publishes (GitHub's download path for a tag's assets).
DEFAULT_RELEASE_URL = "https://github.com/tinyml-micropython/tinyml/releases/download"
CACHE_ENV = "TINYML_CACHE"
SUMS = "SHA256SUMS"
MPY_ARCHS = ("x64", "armv6m", "armv7m", "armv7emsp", "armv7emdp", "xtensawin")
TIMEOUT = 30.0  # seconds without a byte before a download is given up
CHUNK = 64 * 1024

Progress = Callable[[str, int, "int | None"], None]  # (file name, bytes so far, total or None)

_VERSION = re.compile(r"v?\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.+-]+)?")
_SUMS_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](\S.*)")


class DownloadError(TinymlError):
    """A release file could not be fetched or did not match SHA256SUMS."""


def installed_version() -> str:
    from . import __version__

    return __version__


def tag(version: str) -> str:
    return "v" + version.removeprefix("v")


def firmware_asset(board: str, version: str) -> str:
    """tinyml-0.1.0-esp32s3.bin: the release file of a board's firmware."""
    suffix = Path(fw.board(board).output).suffix
    return f"tinyml-{version.removeprefix('v')}-{board}{suffix}"


def mpy_asset(arch: str, version: str) -> str:
    return f"tinyml-{version.removeprefix('v')}-{arch}.mpy"


def release_url(version: str, env: Mapping[str, str]) -> str:
    base = env.get(RELEASE_URL_ENV) or DEFAULT_RELEASE_URL
    return f"{base.rstrip('/')}/{tag(version)}"


def cache_dir(env: Mapping[str, str]) -> Path:
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV]).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "tinyml"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def parse_sums(text: str, source: str) -> dict[str, str]:
    """{file name: lowercase hex SHA-256} from sha256sum output."""
    sums = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _SUMS_LINE.fullmatch(line.rstrip())
        if not m:
            raise DownloadError(f"{source}: line {n} is not '<sha256>  <file>': {line[:80]!r}")
        sums[m.group(2)] = m.group(1).lower()
    return sums


def _open(url: str):
    try:
        return urllib.request.urlopen(url, timeout=TIMEOUT)
    except urllib.error.HTTPError as e:
        raise DownloadError(f"{url}: HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise DownloadError(f"cannot reach {url}: {e.reason}") from None
    except TimeoutError:
        raise DownloadError(f"{url}: no answer within {TIMEOUT:.0f} s") from None


def _read_text(url: str) -> str:
    with _open(url) as r:
        try:
            return r.read(1 << 20).decode()
        except (OSError, TimeoutError, http.client.HTTPException) as e:
            raise DownloadError(f"{url}: download interrupted ({type(e).__name__})") from None
        except UnicodeDecodeError:
            raise DownloadError(f"{url}: not a text file") from None


def fetch(url: str, dest: Path, sha256: str, progress: Progress | None = None) -> None:
    """Downloads url to dest through dest.part; dest appears only with the right SHA-256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    done = 0
    try:
        with _open(url) as r, part.open("wb") as f:
            length = r.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            h = hashlib.sha256()
            while True:
                try:
                    block = r.read(CHUNK)
                except (OSError, TimeoutError, http.client.HTTPException) as e:
                    raise DownloadError(
                        f"{url}: download interrupted after {done:,} bytes ({type(e).__name__}); "
                        "run the command again"
                    ) from None
                if not block:
                    break
                f.write(block)
                h.update(block)
                done += len(block)
                if progress:
                    progress(dest.name, done, total)
        if total is not None and done != total:
            raise DownloadError(
                f"{url}: download interrupted after {done:,} of {total:,} bytes; "
                "run the command again"
            )
        if h.hexdigest() != sha256:
            raise DownloadError(
                f"{url}: SHA-256 {h.hexdigest()} does not match {SUMS} ({sha256}): the file "
                "is corrupt or was replaced; nothing was kept"
            )
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)


def download(
    name: str,
    base_url: str,
    cache: Path,
    progress: Progress | None = None,
) -> Path:
    """base_url/name, checked against base_url/SHA256SUMS, in cache (fetched only once)."""
    dest = cache / name
    sums_file = cache / SUMS
    if dest.is_file() and sums_file.is_file():
        cached = parse_sums(sums_file.read_text(), str(sums_file))
        if cached.get(name) == sha256_file(dest):
            return dest
    sums_url = f"{base_url}/{SUMS}"
    try:
        sums_text = _read_text(sums_url)
    except DownloadError as e:
        raise DownloadError(f"{e} (without {SUMS} the firmware cannot be checked)") from None
    sums = parse_sums(sums_text, sums_url)
    if name not in sums:
        raise DownloadError(f"{sums_url} lists no {name}: the release has no such file")
    fetch(f"{base_url}/{name}", dest, sums[name], progress)
    tmp = sums_file.with_name(SUMS + ".part")
    tmp.write_text(sums_text)
    os.replace(tmp, sums_file)
    return dest


def download_firmware(
    board: str,
    *,
    version: str | None = None,
    url: str | None = None,
    env: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> Path:
    """The firmware of ``board`` from the release ``version`` (default: the installed one),
    or from ``url`` (whose directory must hold a SHA256SUMS)."""
    env = os.environ if env is None else env
    if url:
        base, _, name = url.rpartition("/")
        if not name:
            raise DownloadError(f"{url}: the URL names no file")
        key = "url-" + hashlib.sha256(base.encode()).hexdigest()[:16]
    else:
        version = version or installed_version()
        base, name, key = release_url(version, env), firmware_asset(board, version), tag(version)
    return download(name, base, cache_dir(env) / "firmware" / key, progress)


def resolve_firmware(
    board: str,
    spec: str | Path | None,
    paths: Paths,
    progress: Progress | None = None,
) -> Path:
    """The image to flash: a file, a URL, a release version, or (None) the local build, else
    the release of the installed version."""
    if spec is None:
        local = fw.firmware_path(board, paths)
        if local.is_file():
            return local
        version = installed_version()
        try:
            return download_firmware(board, version=version, env=paths.env, progress=progress)
        except DownloadError as e:
            raise DownloadError(
                f"no firmware built at {local} (`tinyml firmware build --board {board}`), "
                f"and the tinyml {version} release could not be used: {e}"
            ) from None
    text = str(spec)
    if text.startswith(("http://", "https://")):
        return download_firmware(board, url=text, env=paths.env, progress=progress)
    if Path(text).is_file():
        return Path(text)
    if _VERSION.fullmatch(text):
        return download_firmware(board, version=text, env=paths.env, progress=progress)
    raise TinymlError(
        f"--firmware {text}: no such file, and not a URL or a release version "
        f"(e.g. {installed_version()})"
    )


# ---- the release workflow's side ------------------------------------------------------------


def release_boards(paths: Paths | None = None) -> list[str]:
    """The boards a release carries firmware for: ``"released": true`` in their board.json."""
    return board_registry.names(paths, what="release")


def release_assets(version: str) -> list[str]:
    """Every file a release carries but SHA256SUMS."""
    return sorted(
        [firmware_asset(b, version) for b in release_boards()]
        + [mpy_asset(a, version) for a in MPY_ARCHS]
    )


def stage(
    out: Path,
    paths: Paths,
    boards: list[str],
    archs: list[str],
    version: str | None = None,
) -> list[Path]:
    """Copies the firmware of ``boards`` and the .mpy of ``archs``, built in this checkout,
    into out under their release names."""
    version = version or installed_version()
    unknown = sorted(set(boards) - set(release_boards())) + sorted(set(archs) - set(MPY_ARCHS))
    if unknown:
        raise TinymlError(f"not part of a release: {', '.join(unknown)}")
    wanted = {firmware_asset(b, version): fw.firmware_path(b, paths) for b in boards}
    natmod = paths.build / "natmod"
    wanted.update({mpy_asset(a, version): natmod / a / "_tinyml.mpy" for a in archs})
    missing = [str(src) for src in wanted.values() if not src.is_file()]
    if missing:
        raise TinymlError(f"not built: {', '.join(missing)}")
    out.mkdir(parents=True, exist_ok=True)
    for name, src in wanted.items():
        shutil.copyfile(src, out / name)
    return [out / name for name in sorted(wanted)]


def write_sums(out: Path, version: str | None = None) -> Path:
    """SHA256SUMS over a complete release in out (every board and arch, nothing else)."""
    version = version or installed_version()
    want = release_assets(version)
    have = sorted(p.name for p in out.iterdir() if p.name != SUMS)
    if have != want:
        missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
        raise TinymlError(
            f"{out} is not the tinyml {version} release: missing {missing or 'nothing'}, "
            f"unexpected {extra or 'nothing'}"
        )
    sums = out / SUMS
    sums.write_text("".join(f"{sha256_file(out / n)}  {n}\n" for n in want))
    return sums


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tinyml.release", description=__doc__)
    sub = p.add_subparsers(dest="action", required=True)
    s = sub.add_parser("stage", help="copy built firmware and .mpy files under release names")
    s.add_argument("--out", type=Path, required=True, help="directory for the release files")
    s.add_argument(
        "--board", action="append", default=[], choices=board_registry.choices("release")
    )
    s.add_argument("--arch", action="append", default=[], choices=MPY_ARCHS)
    s.add_argument("--version", help="default: the installed tinyml version")
    w = sub.add_parser("sums", help="check a complete release and write its SHA256SUMS")
    w.add_argument("--out", type=Path, required=True, help="directory of the release files")
    w.add_argument("--version", help="default: the installed tinyml version")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.action == "stage":
            done = stage(args.out, Paths.default(), args.board, args.arch, args.version)
        else:
            done = [write_sums(args.out, args.version)]
    except TinymlError as e:
        print(f"tinyml.release: error: {e}", file=sys.stderr)
        return e.exit_code
    for path in done:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
