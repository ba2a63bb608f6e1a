"""Probability distributions for scenario inputs, tagged by ``kind``.

Every distribution describes a non-negative quantity and all its parameters
(except the dimensionless ``cv`` and ``weights``) are in the units of the
quantity it describes: units/day for demand, days for lead times, units for
order sizes.  In YAML a distribution is a mapping with a ``kind`` key plus that
kind's parameters, or a plain number, which means a constant::

    demand_per_day: {kind: poisson, mean: 8}
    lead_time: 3                      # == {kind: constant, value: 3}

Each model is frozen and offers

* ``sample(rng, size)`` -- ``size`` float64 draws in one vectorised numpy call;
* ``sample_scaled(rng, factors)`` -- one draw per factor, the factor multiplying
  the *mean* (seasonality).  Continuous kinds keep their coefficient of
  variation; discrete kinds keep integer output;
* ``mean`` and ``variance`` -- analytic moments of the distribution sampled;
* ``is_discrete`` -- True when every draw of ``sample`` is an integer;
* ``describe()`` -- a short string such as ``"poisson(mean=8)"``.

See Also
--------
Distribution : field type for scenario models (discriminated union on ``kind``).
DISTRIBUTION_KINDS : registry ``kind`` -> class.

Notes
-----
cv denotes the coefficient of variation sd/mean of the distribution itself.

The kinds live in :mod:`jitsim.distributions.continuous`, :mod:`~jitsim.distributions.discrete`
and :mod:`~jitsim.distributions.empirical` (constant and empirical); their common machinery in
:mod:`jitsim.distributions.base`.
"""

from __future__ import annotations

import numbers
from typing import Annotated, Any, get_args

from pydantic import BeforeValidator, Field

from jitsim.distributions.base import BaseDistribution
from jitsim.distributions.continuous import (
    MIN_NORMAL_Z,
    Exponential,
    Gamma,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
)
from jitsim.distributions.discrete import DiscreteUniform, NegativeBinomial, Poisson
from jitsim.distributions.empirical import Constant, Empirical

__all__ = [
    "DISTRIBUTION_KINDS",
    "MIN_NORMAL_Z",
    "BaseDistribution",
    "Constant",
    "DiscreteUniform",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "LogNormal",
    "NegativeBinomial",
    "Normal",
    "Poisson",
    "Triangular",
    "Uniform",
]

_Kinds = (
    Constant
    | Poisson
    | Normal
    | LogNormal
    | Gamma
    | Exponential
    | NegativeBinomial
    | Uniform
    | DiscreteUniform
    | Triangular
    | Empirical
)


def _number_to_constant(value: Any) -> Any:
    """A plain number ``x`` means ``{kind: constant, value: x}``; bools are refused."""
    if isinstance(value, bool):
        raise ValueError(f"a distribution must be a number or a mapping with 'kind', not {value}")
    if isinstance(value, numbers.Real):
        return {"kind": "constant", "value": value}
    return value


_Tagged = Annotated[_Kinds, Field(discriminator="kind")]
#: A plain number in a scenario file: a constant (the JSON Schema's second form of a
#: distribution).
_ConstantNumber = Annotated[
    float, Field(ge=0, description="A plain number: a constant, {kind: constant, value: x}.")
]

Distribution = Annotated[
    _Tagged,
    BeforeValidator(_number_to_constant, json_schema_input_type=_ConstantNumber | _Tagged),
]
"""Field type for scenario models: any distribution, selected by ``kind``, or a number."""

DISTRIBUTION_KINDS: dict[str, type[BaseDistribution]] = {
    cls.model_fields["kind"].default: cls for cls in get_args(_Kinds)
}
"""Registry ``kind`` -> distribution class, built from the members of :data:`Distribution`."""
