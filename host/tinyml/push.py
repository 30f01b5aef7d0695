"""Copies models, label files and scripts to a device without ever half-writing a file.

Each file goes to ``<dest>/.<name>.part`` first; the device then hashes it, and only a matching
SHA-256 lets it be renamed over the real name. An interruption (cable pulled, Ctrl-C, reset)
leaves at worst a stale ``.part`` file, which the next push overwrites.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import DeviceError, TinymlError

Progress = Callable[[str, int, int], None]

DEFAULT_DEST = "/models"


@dataclass
class Pushed:
    local: Path
    remote: str
    bytes: int
    sha256: str


@dataclass
class Entry:
    name: str
    size: int  # -1 for a directory


def _path(device, remote: str) -> str:
    """How a script on ``device`` names ``remote``: the unix target runs in its own folder."""
    return remote.lstrip("/") or "." if getattr(device, "target", "") == "unix" else remote


def _rename(device, src: str, dst: str) -> None:
    rename = getattr(device, "rename", None)
    if rename is not None:
        rename(src, dst)
        return
    # littlefs replaces an existing file on rename; FAT refuses, so remove it first there.
    device.exec(
        "import os\n"
        f"s, d = {_path(device, src)!r}, {_path(device, dst)!r}\n"
        "try:\n os.rename(s, d)\n"
        "except OSError:\n os.remove(d)\n os.rename(s, d)\n",
        timeout=30,
    )


def _remove(device, path: str) -> None:
    device.exec(
        f"import os\ntry:\n os.remove({_path(device, path)!r})\nexcept OSError:\n pass\n",
        timeout=30,
    )


def temp_name(remote: str) -> str:
    head, name = posixpath.split(remote)
    return posixpath.join(head, f".{name}.part")


def push_file(
    device, local: str | Path, remote: str, progress: Callable[[int, int], None] | None = None
) -> Pushed:
    """Copies one file to ``remote`` through a temporary name and a hash check;
    ``progress(bytes written, total)`` follows a copy over a serial link."""
    local = Path(local)
    try:
        data = local.read_bytes()
    except OSError as e:
        raise TinymlError(f"{local}: {e.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    part = temp_name(remote)
    device.put(local, part, progress) if progress else device.put(local, part)
    got = device.sha256(part)
    if got != digest:
        _remove(device, part)
        raise DeviceError(
            f"{remote}: device copy is corrupt (sha256 {got[:12]}..., expected {digest[:12]}...);"
            " the old file is unchanged"
        )
    _rename(device, part, remote)
    return Pushed(local, remote, len(data), digest)


def push(
    device,
    files: Sequence[str | Path],
    dest: str = DEFAULT_DEST,
    main: str | Path | None = None,
    progress: Progress | None = None,
) -> list[Pushed]:
    """Pushes ``files`` into ``dest`` and ``main`` as ``/main.py``; returns what was written."""
    plan = [(Path(f), posixpath.join(dest, Path(f).name)) for f in files]
    if main is not None:
        plan.append((Path(main), "/main.py"))
    for local, _ in plan:
        if not local.is_file():
            raise TinymlError(f"{local}: no such file")
    done = []
    for i, (local, remote) in enumerate(plan):
        if progress:
            progress(f"{local.name} -> {remote}", i, len(plan))

        def sent(written: int, total: int, what: str = f"{local.name} bytes") -> None:
            if progress:
                progress(what, written, total)

        done.append(push_file(device, local, remote, sent if progress else None))
    if progress:
        progress("done", len(plan), len(plan))
    return done


_LIST = """\
import os
p = {path!r}
try:
    for e in sorted(os.ilistdir(p)):
        print(e[0], -1 if e[1] == 0x4000 else (e[3] if len(e) > 3 else os.stat(p + '/' + e[0])[6]))
except OSError:
    print('-missing-')
"""


def listing(device, path: str = DEFAULT_DEST) -> list[Entry] | None:
    """Files in ``path`` on the device with their sizes, or None when it does not exist."""
    out = device.exec(_LIST.format(path=_path(device, path)), timeout=30)
    entries = []
    for line in out.splitlines():
        line = line.strip()
        if line == "-missing-":
            return None
        name, _, size = line.rpartition(" ")
        if name:
            entries.append(Entry(name, int(size)))
    return entries


@dataclass
class Installed:
    slot: str
    version: str
    pushed: list[Pushed]


_SPARE = """\
import tinyml.update as u
s = u.spare_slot()
print(s, u.clear_slot(s))
"""

_INSTALL = """\
import tinyml.update as u
try:
    a = u.install({slot!r})
except u.UpdateError as e:
    print('refused', e.step, e.reason)
else:
    print('installed', a.slot, a.version)
"""


def push_update(device, folder: str | Path, progress: Progress | None = None) -> Installed:
    """Installs a ``tinyml publish`` folder into the device's spare slot over the cable.

    The files go through ``push_file`` into the slot ``tinyml.update`` on the device names;
    then the device verifies them against the manifest, runs the self-test and switches, with
    the same code (and the same guarantees) as an update over HTTP. Raises DeviceError with the
    device's reason when it refuses; its active model is then unchanged.
    """
    from . import publish

    folder = Path(folder)
    manifest = publish.read_manifest(folder)
    names = [f["name"] for f in manifest["files"].values()] + [publish.MANIFEST]
    for name in names:
        if not (folder / name).is_file():
            raise TinymlError(f"{folder / name}: no such file (the manifest lists it)")
    slot, _, directory = device.exec(_SPARE, timeout=30).strip().splitlines()[-1].partition(" ")
    done = []
    for i, name in enumerate(names):
        if progress:
            progress(f"{name} -> slot {slot}", i, len(names))
        done.append(push_file(device, folder / name, posixpath.join(directory, name)))
    if progress:
        progress("done", len(names), len(names))
    result = device.exec(_INSTALL.format(slot=slot), timeout=300).strip().splitlines()[-1]
    word, _, rest = result.partition(" ")
    if word != "installed":
        step, _, reason = rest.partition(" ")
        raise DeviceError(f"the device refused the update at {step}: {reason}; its active "
                          "model is unchanged", exit_code=1)  # fmt: skip
    new_slot, _, version = rest.partition(" ")
    return Installed(new_slot, version, done)
