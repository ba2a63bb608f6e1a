"""Annotated number types shared by the scenario and policy models, and the wording of counts.

All the types are finite (NaN and ±inf rejected). Models using them set ``strict=True`` so that
``true`` or ``"3"`` in YAML is a type error rather than silently becoming 1 or 3.
:func:`plural` words a count of something (``1 node``, ``2 nodes``) wherever one is printed.
"""

from typing import Annotated

from pydantic import Field

Real = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
OpenFraction = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
#: Names of nodes, items and alternatives: they prefix KPI names (``store.fill_rate``).
Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$", max_length=64)]


def plural(count: float, word: str, many: str | None = None) -> str:
    """A count and its word, in the singular for exactly 1: ``plural(1, "node")`` → ``1 node``.

    Parameters
    ----------
    count : int or float
        How many (written with ``:,`` for integers, ``:g`` for other numbers).
    word : str
        The singular (``"day"``, ``"alternative"``).
    many : str, optional
        The plural when it is not ``word + "s"`` (``plural(n, "replication run", ...)``,
        ``plural(n, "analysis", "analyses")``).

    Returns
    -------
    str
        ``"1 day"``, ``"0 days"``, ``"2.5 days"``, ``"1,000 replications"``.
    """
    number = f"{count:,}" if isinstance(count, int) else f"{count:g}"
    return f"{number} {word if count == 1 else (many or word + 's')}"
