# Stubs for device/tinyml/update.py (model updates over the air, two slots).
from collections.abc import Callable
from typing import Any, TypeAlias

from .model import Model

ROOT: str
_Hook: TypeAlias = Callable[[str], object]

class UpdateError(Exception):
    step: str
    reason: str
    def __init__(self, step: str, reason: str) -> None: ...

class NoModelError(Exception): ...

class Active:
    """The model in use."""

    slot: str
    directory: str
    manifest: dict[str, Any]
    version: str
    model: Model
    model_path: str
    labels_path: str | None
    pipeline: dict[str, Any] | None

def slot_dir(slot: str, root: str = ...) -> str: ...
def active_record(root: str = ...) -> dict[str, Any] | None: ...
def spare_slot(root: str = ...) -> str: ...
def parse_manifest(text: str | bytes) -> dict[str, Any]: ...
def self_test(model: Model, manifest: dict[str, Any]) -> None: ...
def load_active(root: str = ..., verify: bool = False) -> Active: ...
def clear_slot(slot: str, root: str = ...) -> None: ...
def install(slot: str, root: str = ..., hook: _Hook = ...) -> Active: ...
def update(url: str, root: str = ..., hook: _Hook = ...) -> Active: ...
def check(url: str, root: str = ...) -> tuple[str, Any]: ...
def agent(
    url: str,
    interval_s: float = 3600,
    root: str = ...,
    on_change: Callable[[Active], object] | None = None,
    checks: int | None = None,
) -> None: ...
