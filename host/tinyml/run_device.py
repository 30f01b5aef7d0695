"""Runs a user's samples on a device and compares each output with the host engine's.

The model goes to ``/models/<name>`` (hash-checked, as ``tinyml push`` does). The samples travel
in chunks of at most ``CHUNK_BYTES``, raw in the input tensor's type; for each chunk the board
reads one sample at a time into the model's input tensor, invokes, and prints output 0's raw
bytes in hex with the time the invoke took. The board never holds more than one chunk.
"""

from __future__ import annotations

import posixpath
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import push
from .errors import DeviceError, TinymlError

CHUNK_BYTES = 32 * 1024
CHUNK_REMOTE = "/tinyml-run/samples.bin"

Progress = Callable[[str, int, int], None]

# Paths are relative so they name the same file on a board (cwd "/") and the unix device.
_SCRIPT = """\
import os, time, tinyml
m = tinyml.Model({model!r})
size = {size}
buf = bytearray(size)
inp = m.input(0)
with open({samples!r}, "rb") as f:
    for i in range({count}):
        if f.readinto(buf) != size:
            raise OSError("short read at sample %d" % i)
        inp[:] = buf
        t0 = time.ticks_us()
        m.invoke()
        us = time.ticks_diff(time.ticks_us(), t0)
        print("tinyml-out", i, us, "".join("%02x" % b for b in bytes(m.output(0))))
os.remove({samples!r})
"""


@dataclass
class Sample:
    index: int
    raw: bytes  # output 0 as the board computed it
    micros: int  # the board's invoke time


def run_on_device(
    device,
    model: str | Path,
    raw_inputs,
    progress: Progress | None = None,
) -> list[Sample]:
    """Runs each sample of ``raw_inputs`` (N, ...) (already in the input tensor's type)."""
    import numpy as np

    model = Path(model)
    remote_model = posixpath.join(push.DEFAULT_DEST, model.name)
    push.push_file(device, model, remote_model)
    batch = np.ascontiguousarray(raw_inputs)
    n = len(batch)
    size = batch[0].nbytes if n else 0
    per_chunk = max(1, CHUNK_BYTES // max(size, 1))
    out: list[Sample] = []
    with tempfile.TemporaryDirectory() as tmp:
        chunk_file = Path(tmp) / "samples.bin"
        for start in range(0, n, per_chunk):
            part = batch[start : start + per_chunk]
            chunk_file.write_bytes(part.tobytes())
            if progress:
                progress("board", start, n)
            push.push_file(device, chunk_file, CHUNK_REMOTE)
            script = _SCRIPT.format(
                model=remote_model.lstrip("/"),
                samples=CHUNK_REMOTE.lstrip("/"),
                size=size,
                count=len(part),
            )
            text = device.exec(script, timeout=600)
            got = [line.split() for line in text.splitlines() if line.startswith("tinyml-out ")]
            if len(got) != len(part):
                raise DeviceError(
                    f"board: expected {len(part)} outputs, got {len(got)}: {text.strip()[-200:]}"
                )
            for _, i, us, hexed in got:
                out.append(Sample(start + int(i), bytes.fromhex(hexed), int(us)))
    if progress:
        progress("board", n, n)
    return out


def raw_inputs(m, x):
    """``x`` as a batch in input 0's own type, quantized as the host engine quantizes it."""
    import numpy as np

    from . import run as host_run

    if m.num_inputs != 1:
        raise TinymlError("--device runs models with one input")
    batch = host_run.as_batch(x, tuple(m.input_shape))
    own = np.dtype(host_run._NP_TYPES.get(m.input_dtype, "float32"))
    if batch.dtype == own:
        return batch
    return np.asarray(host_run.quantize(m, batch.astype(np.float32)), dtype=own)
