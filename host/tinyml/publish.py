"""Publishes a model for field updates: the files plus a ``manifest.json`` in one folder.

Any static web server can serve the folder; a device's ``tinyml.update.update(URL)`` (see
``device/tinyml/update.py``) downloads what the manifest lists into its spare slot, checks each
file's size and SHA-256, runs the self-test and only then switches. ``tinyml push --update DIR``
installs the same folder over the cable.

The self-test is one input per model input (seeded random values, or one real sample the
caller gives) with the raw outputs the host engine computes for it. The engine is bit-exact with the device's, so a
device whose copy of the model, or whose firmware, computes anything else refuses the update.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import schema
from .errors import ModelError, TinymlError

FORMAT = 1  # device/tinyml/update.py: FORMAT
MANIFEST = "manifest.json"


@dataclass
class Published:
    out: Path
    manifest: dict
    files: list[Path]  # everything written, manifest last

    @property
    def version(self) -> str:
        return self.manifest["version"]


def _entry(path: Path, data: bytes) -> dict:
    return {"name": path.name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise TinymlError(f"{path}: cannot read the {what}: {e.strerror}") from None


def self_test_inputs(info: schema.Model, seed: int) -> list[bytes]:
    """One seeded random input per model input, in the tensor's own type."""
    import numpy as np

    rng = np.random.default_rng(seed)
    inputs = []
    for t in info.tensor_inputs():
        n = max(t.elements, 0)
        if t.dtype == "float32":
            inputs.append(rng.uniform(-1.0, 1.0, n).astype("<f4").tobytes())
        elif t.dtype in ("int8", "uint8", "int16", "int32"):
            dt = np.dtype(t.dtype).newbyteorder("<")
            lo, hi = np.iinfo(dt).min, np.iinfo(dt).max
            inputs.append(rng.integers(lo, hi, n, endpoint=True).astype(dt).tobytes())
        else:
            raise ModelError(f"input {t.name!r} is {t.dtype}: publish cannot build a self-test")
    return inputs


def sample_input(model: str | Path, x) -> list[bytes]:
    """One real sample ``x`` as the model's input bytes: values in the tensor's own type are
    kept, others are quantized as ``tinyml run`` does."""
    import numpy as np

    from . import run as host_run

    m = host_run.load_model(model)
    if m.num_inputs != 1:
        raise TinymlError(f"a self-test sample fits one input; {model} has {m.num_inputs}")
    batch = host_run.as_batch(x, tuple(m.input_shape), "self-test sample")
    if len(batch) != 1:
        raise TinymlError(f"the self-test takes one sample, not {len(batch)}")
    # Not the engine's input tensor after a predict(): the arena reuses it during invoke.
    in_type = np.dtype(host_run._NP_TYPES.get(m.input_dtype, "float32")).newbyteorder("<")
    sample = batch[0]
    if sample.dtype != in_type:
        sample = host_run.quantize(m, sample.astype(np.float32))
    return [np.ascontiguousarray(sample, dtype=in_type).tobytes()]


def check_pipeline(path: str | Path, text: bytes, model_data: bytes) -> None:
    """The device builds the pipeline with ``tinyml.pipeline.load(config, model)``: the same
    code runs here, so a config the board would refuse is refused before it ships."""
    from . import pipeline
    from .inspect import engine

    try:
        config = json.loads(text)
    except ValueError as e:
        raise TinymlError(f"{path}: not valid JSON: {e}") from None
    try:
        model = engine().Model(model_data)
    except (ValueError, NotImplementedError) as e:
        raise ModelError(f"the engine cannot load the model: {e}") from None
    try:
        pipeline.load(config, model)
    except ValueError as e:
        raise TinymlError(f"{path}: {e}") from None


def expected_outputs(data: bytes, inputs: list[bytes]) -> list[bytes]:
    """The raw outputs the host engine (bit-exact with the device's) gives for ``inputs``."""
    from .inspect import engine

    try:
        m = engine().Model(data)
    except (ValueError, NotImplementedError) as e:
        raise ModelError(f"the engine cannot load it: {e}") from None
    for i, x in enumerate(inputs):
        view = m.input(i)
        if len(view) != len(x):
            raise TinymlError(f"self-test input {i} has {len(x)} bytes, the model takes "
                              f"{len(view)}")  # fmt: skip
        view[:] = x
    m.invoke()
    return [bytes(m.output(i)) for i in range(m.num_outputs)]


def _copy(src: Path, dest: Path) -> None:
    if src.resolve() == dest.resolve():
        return
    tmp = dest.with_name(f".{dest.name}.part")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def publish(
    model: str | Path,
    out: str | Path,
    *,
    labels: str | Path | None = None,
    pipeline: str | Path | None = None,
    version: str | None = None,
    self_test_sample=None,
) -> Published:
    """Copies ``model`` (and ``labels``, ``pipeline``) into ``out`` and writes the manifest.

    ``version`` defaults to the first 12 hex digits of the model's SHA-256. The self-test runs
    ``self_test_sample`` (one sample, an array) or else seeded random input. Raises ModelError
    if the engine cannot run the model, TinymlError for unreadable files.
    """
    model, out = Path(model), Path(out)
    data = _read(model, "model")
    try:
        info = schema.parse(data)
    except ModelError as e:
        raise ModelError(f"{model}: {e}") from None
    files = {"model": (model, data)}
    if labels is not None:
        files["labels"] = (Path(labels), _read(Path(labels), "labels"))
    if pipeline is not None:
        text = _read(Path(pipeline), "pipeline")
        check_pipeline(pipeline, text, data)
        files["pipeline"] = (Path(pipeline), text)
    names = [p.name for p, _ in files.values()]
    if len(set(names)) != len(names) or MANIFEST in names or any(n.startswith(".") for n in names):
        raise TinymlError(f"file names must differ, not start with '.' and not be {MANIFEST}: "
                          f"{', '.join(names)}")  # fmt: skip
    digest = hashlib.sha256(data).hexdigest()
    if self_test_sample is not None:
        inputs = sample_input(model, self_test_sample)
    else:
        inputs = self_test_inputs(info, int(digest[:8], 16))
    try:
        outputs = expected_outputs(data, inputs)
    except ModelError as e:
        raise ModelError(f"{model}: {e}") from None
    manifest = {
        "format": FORMAT,
        "version": version or digest[:12],
        "files": {role: _entry(p, d) for role, (p, d) in files.items()},
        "self_test": {
            "inputs": [base64.b64encode(x).decode() for x in inputs],
            "outputs": [base64.b64encode(y).decode() for y in outputs],
        },
    }
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for path, _ in files.values():
            _copy(path, out / path.name)
            written.append(out / path.name)
        # The manifest last: a server never lists files that are not there yet.
        tmp = out / f".{MANIFEST}.part"
        tmp.write_text(json.dumps(manifest, indent=1) + "\n")
        os.replace(tmp, out / MANIFEST)
    except OSError as e:
        raise TinymlError(f"{out}: cannot write: {e.strerror or e}") from None
    written.append(out / MANIFEST)
    return Published(out, manifest, written)


def read_manifest(folder: str | Path) -> dict:
    """The manifest in a published folder (for ``tinyml push --update``)."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except OSError as e:
        raise TinymlError(f"{path}: {e.strerror} (write it with tinyml publish --out "
                          f"{folder})") from None  # fmt: skip
    except ValueError as e:
        raise TinymlError(f"{path}: not valid JSON: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise TinymlError(f"{path}: not a tinyml manifest of format {FORMAT}")
    return manifest
