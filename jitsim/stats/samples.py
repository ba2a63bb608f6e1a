"""What every statistic of :mod:`jitsim.stats` shares: samples as float arrays, levels, records.

A sample is a 1-D array of per-replication values in which ``NaN`` (and ``None``/``pd.NA``)
marks a missing value; a level is a probability strictly between 0 and 1; a result is a frozen
dataclass that can be turned into a plain ``dict``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FloatArray = NDArray[np.float64]


def check_level(level: float, name: str) -> None:
    """Raise ``ValueError`` unless ``0 < level < 1`` (NaN is refused too)."""
    if not 0.0 < level < 1.0:  # also rejects NaN
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {level!r}")


def as_1d_float(values: ArrayLike, name: str = "values") -> FloatArray:
    """Convert *values* to a 1-D float64 array (``None``/``pd.NA`` become NaN)."""
    if isinstance(values, pd.Series | pd.Index):
        arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


class Record:
    """Base of the frozen result dataclasses: their fields as a plain ``dict``."""

    __slots__ = ()

    def as_dict(self: DataclassInstance) -> dict[str, Any]:
        """Return the fields as a plain ``dict``, in the order they are declared."""
        return asdict(self)
