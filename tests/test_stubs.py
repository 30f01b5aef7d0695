"""The stub package (stubs/, `tinyml-micropython-stubs`): installed as README shows, the
examples' board scripts type-check against it, and wrong calls to the device API are errors.

The stubs name exactly the API that runs: stubs/_tinyml/__init__.pyi is what stubs/gen_stubs.py
makes from the MicroPython face's //| lines and matches the CPython face's attributes;
stubs/tinyml/*.pyi match device/tinyml's modules, a loaded Model's attributes included. A name
added to or dropped from either face without its stub fails here."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUBS = ROOT / "stubs"
SECTION = re.compile(r"^### Type stubs for device code\n(.*?)^##", re.DOTALL | re.MULTILINE)

WRONG = """\
import tinyml
from tinyml import pipeline, pipeline_anomaly, update

m = tinyml.Model("model.tflite", arena="big")
m.predict(1.5)
scorer = pipeline_anomaly.Mahalanobis("8")
active = update.load_active()
active.model.classify([0.0] * 8, k="3")
features = pipeline.load(m)
"""


def _mypy(cwd: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(cwd / "typings")}
    return subprocess.run([str(ROOT / ".venv" / "bin" / "mypy"), "--no-incremental", *files],
                          cwd=cwd, env=env, capture_output=True, text=True, check=False)  # fmt: skip


def test_stub_package_installs_and_checks_device_code(tmp_path: Path) -> None:
    block = re.search(r"```sh\n(.*?)```", SECTION.search((ROOT / "README.md").read_text())[1],
                      re.DOTALL)[1]  # fmt: skip
    for name in (".venv", "stubs", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    run = subprocess.run(["bash", "-e", "-c", block], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("Success: no issues found in 1 source file") == 3, run.stdout
    typings = tmp_path / "typings"
    assert {p.name for p in (typings / "tinyml").glob("*.pyi")} == {
        "__init__.pyi", "model.pyi", "pipeline.pyi", "pipeline_anomaly.pyi", "update.pyi", "openmv.pyi"
    }  # fmt: skip
    assert (typings / "_tinyml" / "__init__.pyi").is_file()
    assert list(typings.glob("tinyml_micropython_stubs-*.dist-info"))

    (tmp_path / "wrong.py").write_text(WRONG)
    out = _mypy(tmp_path, "wrong.py").stdout
    for line, what in [(4, '"arena"'), (5, '"predict"'), (6, '"Mahalanobis"'), (8, '"classify"')]:
        assert re.search(rf"wrong\.py:{line}: error: .*{what}", out), out
    assert "wrong.py:9" not in out and "wrong.py:7" not in out
    assert out.strip().endswith("Found 4 errors in 1 file (checked 1 source file)"), out


def test_every_device_module_has_a_stub() -> None:
    """A module added to device/tinyml/ needs its stub (the issue: pipeline was missing)."""
    device = {p.stem for p in (ROOT / "device" / "tinyml").glob("*.py")}
    stubs = {p.stem for p in (ROOT / "stubs" / "tinyml").glob("*.pyi")}
    assert device == stubs


_tinyml = pytest.importorskip("tinyml._tinyml")


def _stub(path: Path) -> ast.Module:
    return ast.parse(path.read_text())


def _class_members(tree: ast.Module, name: str) -> set[str]:
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
    members = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    members |= {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)}
    return members - {"__init__"}


def _module_names(tree: ast.Module) -> set[str]:
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    names |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    return {n for n in names if not n.startswith("_")}


def _public(obj: object) -> set[str]:
    return {n for n in dir(obj) if not n.startswith("_")}


def test_engine_stub_is_generated_from_the_face() -> None:
    check = subprocess.run([sys.executable, str(STUBS / "gen_stubs.py"), "--check"], check=False)
    assert check.returncode == 0


def test_engine_stub_names_the_cpython_face() -> None:
    tree = _stub(STUBS / "_tinyml" / "__init__.pyi")
    assert _class_members(tree, "Model") == _public(_tinyml.Model)
    # Functions of the module (the CPython face also carries the dsp submodule, which is
    # _tinyml_dsp on MicroPython, plan(), which inspect calls to size a board's arena, and
    # quantize(), with which the host writes a board's input as predict() would, and the
    # dispatchers' rules, with which firmware build --ops-from picks the kernel variants).
    functions = {n for n in dir(_tinyml) if callable(getattr(_tinyml, n)) and n[0].islower()}
    functions -= {"plan", "quantize", "conv_2d_variant", "depthwise_variant"}
    assert {n.name for n in tree.body if isinstance(n, ast.FunctionDef)} == functions


def test_model_stub_names_the_model(models: Path) -> None:
    """Model's stub members are a loaded model's public attributes (methods, properties and
    the attributes __init__ sets), and the module's stub names are the module's."""
    import tinyml
    from tinyml import model

    tree = _stub(STUBS / "tinyml" / "model.pyi")
    hello = tinyml.Model(models / "tflite-micro" / "hello_world_int8.tflite")
    assert _class_members(tree, "Model") == _public(hello)
    assert _module_names(tree) == _public(model)
    package = _stub(STUBS / "tinyml" / "__init__.pyi")
    exported = {a.asname for n in package.body if isinstance(n, ast.ImportFrom) for a in n.names}
    device_init = ast.parse((ROOT / "device" / "tinyml" / "__init__.py").read_text())
    imported = {
        a.asname or a.name
        for n in device_init.body
        if isinstance(n, ast.ImportFrom)
        for a in n.names
    }
    assert exported == imported
