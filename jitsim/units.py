"""Annotated number types shared by the scenario and policy models, and the wording of counts.

All the types are finite (NaN and ±inf rejected). Models using them set ``strict=True`` so that
``true`` or ``"3"`` in YAML is a type error rather than silently becoming 1 or 3. An integer
type (:data:`PositiveInt`, :data:`NonNegativeInt`, or one with :data:`WHOLE_FLOATS`) takes a
float whose value is whole: YAML 1.2 reads ``1e3`` as the float 1000.0, which is the whole
number 1000; ``2.5`` is still refused.
:func:`plural` words a count of something (``1 node``, ``2 nodes``) wherever one is printed.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

#: Largest float taken as a whole number: beyond 2**53 a float no longer tells every integer
#: apart, so the number written may not be the number read.
_EXACT_FLOAT = 2.0**53


def _whole_float_as_int(value: Any) -> Any:
    """A float with a whole value (``1e3``, ``1000.0``) as that int; anything else unchanged,
    for the strict validation to accept (an int) or refuse (2.5, ``true``, ``"3"``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT_FLOAT:
        return int(value)
    return value


#: Put last in ``Annotated[int, Field(...), WHOLE_FLOATS]``: the int may also be written as a
#: float literal of a whole number (``1e3``, ``1000.0``). Last, so that it runs first and the
#: bounds stay those of an int (``minimum`` in the JSON Schema).
WHOLE_FLOATS = BeforeValidator(_whole_float_as_int)

Real = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
OpenFraction = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(ge=1), WHOLE_FLOATS]
NonNegativeInt = Annotated[int, Field(ge=0), WHOLE_FLOATS]
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
