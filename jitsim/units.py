"""Annotated number types shared by the scenario and policy models.

All are finite (NaN and ±inf rejected). Models using them set ``strict=True`` so that ``true``
or ``"3"`` in YAML is a type error rather than silently becoming 1 or 3.
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
