"""ROMFS images (MicroPython's ``vfs.VfsRom``) whose file data is aligned for in-place use.

A board maps a ROMFS image into memory, so ``tinyml.Model("/rom/model.tflite")`` can read the
model where it lies, with no copy in RAM, as OpenMV's ``ml`` does. The engine needs the model
4-byte aligned. ``mpremote romfs build`` places file data right after each record header,
at whatever offset that is (a model there is copied once to the heap instead). This writer
puts a padding record before each file's data so that the data starts on an ``ALIGN``-byte
boundary from the start of the image, as OpenMV's own ROMFS builder does for models; boards
map images at aligned addresses.

Every record length is written with a fixed width (a varint may carry leading 0x80 bytes),
so a record's size does not depend on where it lands and one pass places everything.
"""

from __future__ import annotations

from pathlib import Path

from .errors import TinymlError

ALIGN = 16
_HEADER = b"\xd2\xcd\x31"  # record kind 0x14a6b1: a ROMFS filesystem
_PADDING, _DATA, _DIRECTORY, _FILE = 1, 2, 4, 5
_LEN_BYTES = 5  # fixed-width lengths: up to 2**35 - 1


def _varint(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.insert(0, 0x80 | (value & 0x7F))
        value >>= 7
    return bytes(out)


def _fixed(value: int, width: int = _LEN_BYTES) -> bytes:
    """``value`` as a varint of exactly ``width`` bytes (leading 0x80 bytes add nothing)."""
    v = _varint(value)
    if len(v) > width:
        raise TinymlError(f"ROMFS record of {value:,} bytes is too large")
    return b"\x80" * (width - len(v)) + v


def _name(name: str) -> bytes:
    try:
        raw = name.encode("ascii")
    except UnicodeEncodeError:
        raise TinymlError(f"{name!r}: ROMFS names must be ASCII") from None
    return _varint(len(raw)) + raw


def _file(name: str, data: bytes, start: int) -> bytes:
    """A file record placed at image offset ``start``, its data aligned to ALIGN."""
    head = 1 + _LEN_BYTES  # kind, fixed-width length
    name_part = _name(name)
    data_head = 1 + _LEN_BYTES
    before = start + head + len(name_part)
    # A padding record is at least 2 bytes (kind, length 0); its payload fills the rest.
    pad = -(before + 2 + data_head) % ALIGN + 2
    padding = bytes([_PADDING]) + _varint(pad - 2) + bytes(pad - 2)
    if len(padding) != pad:  # pad - 2 < 128 always, so the length is one byte
        raise AssertionError("padding record size")
    payload = name_part + padding + bytes([_DATA]) + _fixed(len(data)) + data
    assert (start + head + len(name_part) + pad + data_head) % ALIGN == 0
    return bytes([_FILE]) + _fixed(len(payload)) + payload


def _directory(path: Path, start: int) -> bytes:
    """The records of ``path``'s entries, sorted by name, placed at image offset ``start``."""
    out = bytearray()
    for entry in sorted(path.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        at = start + len(out)
        if entry.is_dir():
            head = 1 + _LEN_BYTES
            name_part = _name(entry.name)
            body = _directory(entry, at + head + len(name_part))
            payload = name_part + body
            out += bytes([_DIRECTORY]) + _fixed(len(payload)) + payload
        else:
            out += _file(entry.name, entry.read_bytes(), at)
    return bytes(out)


def build(source: str | Path) -> bytes:
    """A ROMFS image of the directory ``source`` (its contents at the image root)."""
    source = Path(source)
    if not source.is_dir():
        raise TinymlError(f"{source}: not a directory (give the folder to put in the image)")
    body = _directory(source, len(_HEADER) + _LEN_BYTES)
    if (len(_HEADER) + _LEN_BYTES + len(body)) % 2:  # the image length must be even
        body += bytes([_PADDING, 1, 0])
    return _HEADER + _fixed(len(body)) + body


def files(image: bytes) -> dict[str, tuple[int, int]]:
    """``{path: (offset, size)}`` of every file in ``image``: where its data lies."""
    if not image.startswith(_HEADER):
        raise TinymlError("not a ROMFS image (bad header)")
    pos = len(_HEADER)
    length, pos = _read_varint(image, pos)
    found: dict[str, tuple[int, int]] = {}
    _walk(image, pos, pos + length, "", found)
    return found


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    while True:
        b = data[pos]
        pos += 1
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            return value, pos


def _walk(data: bytes, pos: int, end: int, prefix: str, found: dict) -> None:
    while pos < end:
        kind, pos = _read_varint(data, pos)
        length, pos = _read_varint(data, pos)
        nxt = pos + length
        if kind in (_DIRECTORY, _FILE):
            n, p = _read_varint(data, pos)
            name = prefix + data[p : p + n].decode("ascii")
            p += n
            if kind == _DIRECTORY:
                _walk(data, p, nxt, name + "/", found)
            else:
                while p < nxt:
                    k, p = _read_varint(data, p)
                    size, p = _read_varint(data, p)
                    if k == _DATA:
                        found[name] = (p, size)
                        break
                    p += size
        pos = nxt
