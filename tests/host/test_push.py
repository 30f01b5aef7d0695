"""tinyml push to the unix and emulated boards: hash-checked, never half-written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tinyml import cli, push
from tinyml.errors import DeviceError


def _file(tmp_path: Path, name: str, size: int, seed: int) -> Path:
    p = tmp_path / name
    p.write_bytes(bytes((i * 31 + seed) & 0xFF for i in range(size)))
    return p


def test_push_cli_to_emulator_lists_device(emulator, _devices, tmp_path: Path, capsys) -> None:
    """push copies models and a main.py, then prints what the device holds."""
    if "emulator" in _devices:  # the CLI opens its own connection: free the serial port
        _devices.pop("emulator").close()
    model = _file(tmp_path, "m.tflite", 20_000, 1)
    labels = _file(tmp_path, "m.txt", 100, 2)
    main = tmp_path / "main.py"
    main.write_text("print('hello')\n")
    rc = cli.main(["push", str(model), str(labels), "--device", "emulator", "--dest", "/t1",
                   "--main", str(main)])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0
    assert "pushed" in out and "/t1/m.tflite" in out and "/main.py" in out
    assert "/t1 on emulator:" in out and "20,000  m.tflite" in out and "main.py" in out
    assert ".part" not in out


def test_push_checks_hash_and_replaces(device, tmp_path: Path) -> None:
    """A second push replaces the file; the device's SHA-256 equals the host's."""
    old = _file(tmp_path, "a.bin", 5000, 3)
    push.push(device, [old], "/t2")
    new = _file(tmp_path, "b.bin", 7000, 4)
    done = push.push_file(device, new, "/t2/a.bin")
    assert (
        device.sha256("/t2/a.bin") == done.sha256 == hashlib.sha256(new.read_bytes()).hexdigest()
    )
    names = {e.name: e.size for e in push.listing(device, "/t2")}
    assert names == {"a.bin": 7000}


class _Interrupted(Exception):
    pass


class _CutCable:
    """Wraps a device so that the transfer stops halfway, as a pulled cable would."""

    def __init__(self, device, tmp_path: Path) -> None:
        self.device = device
        self.target = device.target
        self.tmp = tmp_path

    def put(self, local: Path, remote: str) -> None:
        half = self.tmp / "half"
        data = Path(local).read_bytes()
        half.write_bytes(data[: len(data) // 2])
        self.device.put(half, remote)
        raise _Interrupted

    def __getattr__(self, name: str):
        return getattr(self.device, name)


def test_interrupted_push_leaves_old_file(device, tmp_path: Path) -> None:
    """A push cut off mid-transfer leaves the old file whole; the next push succeeds."""
    old = _file(tmp_path, "model.tflite", 8000, 5)
    push.push(device, [old], "/t3")
    old_hash = hashlib.sha256(old.read_bytes()).hexdigest()
    new_dir = tmp_path / "new"
    new_dir.mkdir()
    new = _file(new_dir, "model.tflite", 12000, 6)
    with pytest.raises(_Interrupted):
        push.push(_CutCable(device, tmp_path), [new], "/t3")
    assert device.sha256("/t3/model.tflite") == old_hash
    sizes = {e.name: e.size for e in push.listing(device, "/t3")}
    assert sizes["model.tflite"] == 8000
    assert sizes.get(".model.tflite.part") == 6000  # the half-written temporary
    push.push(device, [new], "/t3")
    assert device.sha256("/t3/model.tflite") == hashlib.sha256(new.read_bytes()).hexdigest()
    assert ".model.tflite.part" not in {e.name for e in push.listing(device, "/t3")}


def test_corrupt_copy_keeps_old_file(device, tmp_path: Path) -> None:
    """A copy whose hash does not match is deleted and reported; the old file stays."""
    old = _file(tmp_path, "c.bin", 3000, 7)
    push.push(device, [old], "/t4")

    class Corrupting(_CutCable):
        def put(self, local: Path, remote: str) -> None:
            bad = self.tmp / "bad"
            bad.write_bytes(b"x" + Path(local).read_bytes()[1:])
            self.device.put(bad, remote)

    new_dir = tmp_path / "n"
    new_dir.mkdir()
    new = _file(new_dir, "c.bin", 3000, 8)
    with pytest.raises(DeviceError, match="corrupt"):
        push.push(Corrupting(device, tmp_path), [new], "/t4")
    assert device.sha256("/t4/c.bin") == hashlib.sha256(old.read_bytes()).hexdigest()
    assert {e.name for e in push.listing(device, "/t4")} == {"c.bin"}


def test_push_missing_file_and_port(tmp_path: Path, capsys) -> None:
    """A missing local file or serial port is one error line, exit 2."""
    assert cli.main(["push", str(tmp_path / "nope.tflite"), "--device", "unix"]) == 2
    assert "nope.tflite: no such file" in capsys.readouterr().err
    f = _file(tmp_path, "x.bin", 10, 9)
    assert cli.main(["push", str(f), "--device", "/dev/ttyNOPE0"]) == 2
    assert "no such serial port" in capsys.readouterr().err


def test_unix_device_keeps_files_between_commands(tmp_path: Path, capsys) -> None:
    """Files pushed to --device unix are there for the next command, as on a board's flash;
    a script opening a missing file says to push it."""
    from tinyml import cli

    (tmp_path / "note.txt").write_text("kept\n")
    (tmp_path / "read.py").write_text("print(open('models/note.txt').read().strip())\n")
    (tmp_path / "missing.py").write_text("open('models/absent.txt')\n")
    assert cli.main(["push", str(tmp_path / "note.txt"), "--device", "unix"]) == 0
    capsys.readouterr()
    assert cli.main(["exec", str(tmp_path / "read.py"), "--device", "unix"]) == 0
    assert capsys.readouterr().out == "kept\n"
    assert cli.main(["exec", str(tmp_path / "missing.py"), "--device", "unix"]) == 1
    assert "ENOENT (a file the script opened is not on the device" in capsys.readouterr().err


def test_push_over_serial_reports_bytes(emulator, _devices, tmp_path: Path, capsys) -> None:
    """Over a plain serial link (the emulated board's pty, no semihosting shortcut) a push
    reports the bytes written as they go, up to the whole file."""
    if "emulator" in _devices:  # the CLI opens its own connection: free the serial port
        _devices.pop("emulator").close()
    model = _file(tmp_path, "big.tflite", 12_000, 3)
    rc = cli.main(["push", str(model), "--device", emulator.pty, "--dest", "/t3"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "big.tflite bytes: 2048/12000 (17%)" in captured.err, captured.err
    assert "big.tflite bytes: 12000/12000 (100%)" in captured.err
    assert "12,000  big.tflite" in captured.out
