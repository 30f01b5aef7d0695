"""The stubs (stubs/) name exactly the API that runs: stubs/_tinyml.pyi is what
stubs/gen_stubs.py makes from the MicroPython face's //| lines and matches the CPython face's
attributes; stubs/tinyml/*.pyi match device/tinyml's modules, a loaded Model's attributes
included. A name added to or dropped from either face without its stub fails here."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUBS = ROOT / "stubs"
MODELS = ROOT.parent / "shared" / "models"

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
    tree = _stub(STUBS / "_tinyml.pyi")
    assert _class_members(tree, "Model") == _public(_tinyml.Model)
    # Functions of the module (the CPython face also carries the dsp submodule, which is
    # _tinyml_dsp on MicroPython).
    functions = {n for n in dir(_tinyml) if callable(getattr(_tinyml, n)) and n[0].islower()}
    assert {n.name for n in tree.body if isinstance(n, ast.FunctionDef)} == functions


def test_model_stub_names_the_model() -> None:
    """Model's stub members are a loaded model's public attributes (methods, properties and
    the attributes __init__ sets), and the module's stub names are the module's."""
    import tinyml
    from tinyml import model

    tree = _stub(STUBS / "tinyml" / "model.pyi")
    hello = tinyml.Model(MODELS / "tflite-micro" / "hello_world_int8.tflite")
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
