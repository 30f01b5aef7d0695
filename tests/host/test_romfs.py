"""tinyml push --romfs: ROMFS images whose file data is 16-byte aligned (host/tinyml/romfs.py).
OpenMV's firmware mounting such images and using models in place is tests/openmv/."""

from __future__ import annotations

from pathlib import Path

from tinyml import cli, romfs


def _tree(root: Path) -> dict[str, bytes]:
    files = {
        "a.bin": bytes(range(7)),
        "model.tflite": bytes(1000) + b"TFL3",
        "lib/_tinyml.mpy": b"M" * 333,
        "lib/tinyml/__init__.py": b"from _tinyml import Model\n",
        "lib/tinyml/empty.py": b"",
        "z" * 150: b"long name",  # a name longer than one varint byte
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def test_every_file_is_aligned_and_intact(tmp_path: Path) -> None:
    """Each file's data starts on a 16-byte boundary of the image and holds its bytes; the
    image has an even length, as the ROMFS format requires."""
    files = _tree(tmp_path / "rom")
    image = romfs.build(tmp_path / "rom")
    assert image[:3] == b"\xd2\xcd\x31" and len(image) % 2 == 0
    found = romfs.files(image)
    assert sorted(found) == sorted(files)
    for name, (offset, size) in found.items():
        assert offset % romfs.ALIGN == 0, name
        assert image[offset : offset + size] == files[name]


def test_cli_writes_the_image(tmp_path: Path, capsys) -> None:
    """tinyml push --romfs IMAGE FOLDER writes the image and lists where each file lies."""
    _tree(tmp_path / "rom")
    out = tmp_path / "romfs.img"
    assert cli.main(["push", "--romfs", str(out), str(tmp_path / "rom")]) == 0
    assert out.read_bytes() == romfs.build(tmp_path / "rom")
    assert "16-byte aligned" in capsys.readouterr().out


def test_cli_wants_one_folder(tmp_path: Path, capsys) -> None:
    """A file instead of a folder, or two folders, is an error that says what to give."""
    _tree(tmp_path / "rom")
    out = str(tmp_path / "romfs.img")
    assert cli.main(["push", "--romfs", out, str(tmp_path / "rom" / "a.bin")]) != 0
    assert "not a directory" in capsys.readouterr().err
    assert cli.main(["push", "--romfs", out, str(tmp_path), str(tmp_path)]) != 0
    assert "--romfs takes one folder" in capsys.readouterr().err
