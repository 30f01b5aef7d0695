# Stubs for device/tinyml/pipeline_anomaly.py (anomaly scorers fitted on the device).
from array import array
from collections.abc import Sequence

class Mahalanobis:
    """Distance of a feature vector from the normal ones, in standard deviations."""

    dim: int
    ridge: float
    n: int
    mean: array | None
    def __init__(self, dim: int, ridge: float = 1e-3) -> None: ...
    def add(self, x: Sequence[float] | array | memoryview) -> None: ...
    def fit(self) -> None: ...
    def score(self, x: Sequence[float] | array | memoryview) -> float: ...
