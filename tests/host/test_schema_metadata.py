"""The TFLite reader and the metadata writer against every shared model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tinyml
from tinyml import _tinyml, metadata, schema
from tinyml.errors import ModelError


def _all(models: Path) -> list[Path]:
    return sorted(models.glob("*/*.tflite"))


def test_engine_names_agree_with_tensorflow_schema() -> None:
    """The one table of op and type names (the engine's, which tinyml.schema reads through
    the CPython face) names every code as TensorFlow's generated schema does."""
    fb = pytest.importorskip("tensorflow.lite.python.schema_py_generated")
    ops = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
    assert len(_tinyml.BUILTIN_NAMES) >= 200
    for code, name in enumerate(_tinyml.BUILTIN_NAMES):
        assert name == ops[code], code
        assert schema.builtin_name(code) == name
    types = {v: k.lower() for k, v in vars(fb.TensorType).items() if not k.startswith("_")}
    for code, name in enumerate(_tinyml.TYPE_NAMES):
        assert name == types[code], code
        assert schema.type_name(code) == name
    assert schema.builtin_name(len(_tinyml.BUILTIN_NAMES)).startswith("BUILTIN_")


def test_reader_agrees_with_tensorflow_bindings(models: Path) -> None:
    """Ops, versions, shapes and I/O match TensorFlow's generated flatbuffer bindings."""
    fb = pytest.importorskip("tensorflow.lite.python.schema_py_generated")
    ops = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
    for path in _all(models):
        ours = schema.load(path)
        ref = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(path.read_bytes(), 0))
        g = ref.subgraphs[0]
        assert list(ours.inputs) == list(g.inputs), path
        assert len(ours.operators) == len(g.operators), path
        for op, rop in zip(ours.operators, g.operators):
            code = ref.operatorCodes[rop.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            if builtin == fb.BuiltinOperator.CUSTOM:
                assert op.custom and op.name == code.customCode.decode(), path
            else:
                assert not op.custom and op.name == ops[builtin], path
            assert op.version == code.version
            assert list(op.inputs) == list(rop.inputs)
        for t, rt in zip(ours.tensors, g.tensors):
            assert list(t.shape) == (list(rt.shape) if rt.shape is not None else [])


def test_labels_round_trip_and_model_unchanged(models: Path) -> None:
    """Adding, replacing and removing entries keeps the graph: TFLM gives identical outputs."""
    runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")
    src = (models / "tflite-micro" / "person_detect.tflite").read_bytes()
    a = metadata.with_metadata(src, {metadata.LABELS: b"no_person\nperson\n"})
    b = metadata.with_metadata(a, {metadata.LABELS: b"x\ny\n", metadata.PIPELINE: b"{}"})
    c = metadata.with_metadata(b, {metadata.PIPELINE: None})
    assert metadata.labels(a) == ["no_person", "person"]
    assert metadata.labels(b) == ["x", "y"] and metadata.pipeline(b) == {}
    assert metadata.pipeline(c) is None and metadata.labels(c) == ["x", "y"]
    assert len(b) % 16 == len(src) % 16
    x = np.arange(96 * 96, dtype=np.int64).astype(np.int8).reshape(1, 96, 96, 1)
    outs = []
    for data in (src, c):
        ip = runtime.Interpreter.from_bytes(data)
        ip.set_input(x, 0)
        ip.invoke()
        outs.append(ip.get_output(0))
    np.testing.assert_array_equal(outs[0], outs[1])
    assert tinyml.Model(c).labels == ["x", "y"]


def test_existing_metadata_is_kept(models: Path) -> None:
    """Entries the converter wrote (min_runtime_version, ...) survive."""
    src = (models / "tflite-micro" / "hello_world_int8.tflite").read_bytes()
    before = schema.parse(src).metadata
    after = schema.parse(metadata.with_metadata(src, {metadata.LABELS: b"a\n"})).metadata
    assert {k: after[k] for k in before} == before


def test_bad_inputs() -> None:
    """Garbage and multi-line labels are refused with a reason."""
    with pytest.raises(ModelError, match="not a TFLite model"):
        schema.parse(b"\0" * 64)
    with pytest.raises(ModelError, match="corrupt|not a TFLite"):
        schema.parse(b"\xff\xff\xff\x00TFL3" + b"\0" * 8)
    with pytest.raises(ModelError, match="invalid label"):
        metadata.encode_labels(["a\nb"])
