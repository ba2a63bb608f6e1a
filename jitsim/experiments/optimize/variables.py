"""Decision variables of an optimisation: the numeric parameters of the chosen stock points'
policies, their bounds (given, or derived from demand and lead time) and the candidates they
make.

=============  ==============================  ==========  ======================================
policy         variables                       kind        default bounds (units of the field)
=============  ==============================  ==========  ======================================
``s_S``        ``s``, ``S`` (kept ``S > s``)   whole       s: [0, μP + 4σP]; S: [1, s_max + Qmax]
``base_stock`` ``S``                           whole       [0, μP + 5σP]
``r_Q``        ``r``, ``Q``                    whole       r: [0, μP + 4σP]; Q: [1, Qmax]
``kanban``     ``cards``                       whole       [1, (μP + 5σP) / c + 2]
``jit``        ``safety_days``                 continuous  [0, max(10, 4P)] days
=============  ==============================  ==========  ======================================

Here μ and σ² are the planning demand's mean and variance per day at the stock point (units,
units²), P = E[L] + R the protection period (lead time plus review period, days),
μP = μ·P the mean demand over it, σP² = P·σ² + μ²·Var(L) its variance, and
Qmax = max(4·EOQ, 2·μP, 10) with EOQ = √(2Kμ/h). A stock level is searched in whole units
because demand and orders come in units in every bundled scenario; JIT safety days are
continuous.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jitsim.errors import JitsimError, with_suggestion
from jitsim.model.planning import inbound_order_cost, planned_lead_time
from jitsim.scenario.models import Scenario
from jitsim.scenario.planning import planning_demand
from jitsim.scenario.resolve import resolve

#: Variables of each policy kind that can be optimised, and whether they are whole numbers.
POLICY_VARIABLES: dict[str, tuple[tuple[str, bool], ...]] = {
    "s_S": (("s", True), ("S", True)),
    "base_stock": (("S", True),),
    "r_Q": (("r", True), ("Q", True)),
    "kanban": (("cards", True),),
    "jit": (("safety_days", False),),
}

#: A candidate: one value per variable, in the order of the variables.
Candidate = tuple[float, ...]


@dataclass(frozen=True)
class Variable:
    """One decision variable: a numeric field of a stock point's policy.

    Attributes
    ----------
    point : str
        The stock point.
    name : str
        The policy field (``s``, ``S``, ``r``, ``Q``, ``cards``, ``safety_days``).
    low, high : float
        Bounds, inclusive (units of the field).
    integer : bool
        Whether the field is searched over whole numbers.
    start : float
        The value in the starting policy, clipped into the bounds.
    """

    point: str
    name: str
    low: float
    high: float
    integer: bool
    start: float

    @property
    def label(self) -> str:
        """``point.name``, as in ``--bound`` and the tables."""
        return f"{self.point}.{self.name}"

    def clip(self, value: float) -> float:
        """``value`` inside the bounds (rounded to a whole number for an integer variable)."""
        inside = min(max(value, self.low), self.high)
        return float(round(inside)) if self.integer else float(inside)


@dataclass(frozen=True)
class Planning:
    """The figures default bounds are derived from (see the module's table)."""

    demand_mean: float
    demand_var: float
    protection_days: float
    lead_time_var: float
    order_cost: float
    holding: float

    @property
    def mean(self) -> float:
        """μP: mean demand over the protection period (units)."""
        return self.demand_mean * self.protection_days

    @property
    def sd(self) -> float:
        """σP: standard deviation of the demand over the protection period (units)."""
        var = self.protection_days * self.demand_var + self.demand_mean**2 * self.lead_time_var
        return math.sqrt(max(var, 0.0))

    @property
    def largest_order(self) -> float:
        """Qmax = max(4·EOQ, 2·μP, 10) (units)."""
        eoq = 0.0
        if self.holding > 0 and self.demand_mean > 0:
            eoq = math.sqrt(2 * self.order_cost * self.demand_mean / self.holding)
        return max(4 * eoq, 2 * self.mean, 10.0)


def parse_bounds(texts: Sequence[str]) -> dict[str, tuple[float, float]]:
    """``["store.s=0:200"]`` → ``{"store.s": (0.0, 200.0)}``; a malformed text is refused."""
    bounds: dict[str, tuple[float, float]] = {}
    for text in texts:
        name, sep, rest = text.partition("=")
        low_text, colon, high_text = rest.partition(":")
        try:
            if not sep or not colon or "." not in name:
                raise ValueError
            low, high = float(low_text), float(high_text)
        except ValueError:
            raise JitsimError(
                f"--bound {text!r}: write POINT.FIELD=LOW:HIGH, e.g. store.s=0:200"
            ) from None
        if not (math.isfinite(low) and math.isfinite(high)) or low > high:
            raise JitsimError(f"--bound {text!r}: LOW must be a number <= HIGH")
        bounds[name.strip()] = (low, high)
    return bounds


def starting_policies(scenario: Scenario, alternative: str | None) -> dict[str, dict[str, Any]]:
    """Stock point → policy (plain data) the search starts from: the alternative's, else the
    stock points' own."""
    resolved = _resolved(scenario, alternative)
    return {
        name: point.policy.model_dump(mode="json") for name, point in resolved.stock_points.items()
    }


def _resolved(scenario: Scenario, alternative: str | None) -> Scenario:
    if alternative is not None:
        return resolve(scenario, alternative)
    data = scenario.model_dump(mode="json")
    data["alternatives"] = {}
    return type(scenario).model_validate(data)


def planning_of(scenario: Scenario, alternative: str | None, point: str) -> Planning:
    """The planning figures of stock point ``point`` under ``alternative``."""
    resolved = _resolved(scenario, alternative)
    spec = resolved.stock_points[point]
    means, variances = planning_demand(resolved)
    lead_mean, lead_var = planned_lead_time(resolved, spec)
    item = resolved.items[spec.item]
    return Planning(
        demand_mean=means[point],
        demand_var=variances[point],
        protection_days=lead_mean + spec.review.period,
        lead_time_var=lead_var,
        order_cost=inbound_order_cost(resolved, spec),
        holding=item.annual_holding_rate * item.unit_cost / resolved.run.days_per_year,
    )


def decision_variables(
    scenario: Scenario,
    points: Sequence[str],
    alternative: str | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> list[Variable]:
    """The decision variables of the policies of ``points`` (in order), with their bounds.

    Raises
    ------
    JitsimError
        For an unknown or repeated stock point, a policy without optimisable parameters
        (``eoq``: its parameters are computed from costs), or a bound naming no variable.
    """
    if not points:
        raise JitsimError("name at least one stock point to optimise (--point)")
    known = list(scenario.stock_points)
    policies = starting_policies(scenario, alternative)
    variables: list[Variable] = []
    for point in points:
        if point not in known:
            raise JitsimError(
                with_suggestion(
                    f"--point {point!r}: no such stock point (this scenario has: "
                    f"{', '.join(known)})",
                    point,
                    known,
                )
            )
        if any(v.point == point for v in variables):
            raise JitsimError(f"--point {point!r} is given twice")
        policy = policies[point]
        kind = str(policy["kind"])
        if kind not in POLICY_VARIABLES:
            raise JitsimError(
                f"--point {point!r}: its {kind} policy has no parameters to optimise (optimise "
                f"one of {', '.join(POLICY_VARIABLES)}; choose such an alternative with "
                "--alternative)"
            )
        figures = planning_of(scenario, alternative, point)
        defaults = _default_bounds(kind, figures, policy)
        for name, integer in POLICY_VARIABLES[kind]:
            low, high = defaults[name]
            variables.append(Variable(point, name, low, high, integer, float(policy[name])))
    variables = _with_user_bounds(variables, bounds or {})
    return [Variable(v.point, v.name, v.low, v.high, v.integer, v.clip(v.start)) for v in variables]


def _default_bounds(
    kind: str, figures: Planning, policy: Mapping[str, Any]
) -> dict[str, tuple[float, float]]:
    """Default bounds of each variable of a policy (see the module's table)."""
    mean, sd, largest = figures.mean, figures.sd, figures.largest_order
    level = (0.0, float(math.ceil(mean + 4 * sd)))
    if kind == "s_S":
        return {"s": level, "S": (1.0, float(math.ceil(level[1] + largest)))}
    if kind == "base_stock":
        return {"S": (0.0, float(math.ceil(mean + 5 * sd)))}
    if kind == "r_Q":
        return {"r": level, "Q": (1.0, float(math.ceil(largest)))}
    if kind == "kanban":
        size = float(policy["container_size"])
        return {"cards": (1.0, float(math.ceil((mean + 5 * sd) / size) + 2))}
    return {"safety_days": (0.0, max(10.0, 4 * figures.protection_days))}


def _with_user_bounds(
    variables: list[Variable], bounds: Mapping[str, tuple[float, float]]
) -> list[Variable]:
    labels = [v.label for v in variables]
    for label in bounds:
        if label not in labels:
            raise JitsimError(
                with_suggestion(
                    f"--bound {label}: no such decision variable (they are: {', '.join(labels)})",
                    label,
                    labels,
                )
            )
    out = []
    for v in variables:
        low, high = bounds.get(v.label, (v.low, v.high))
        if v.integer:
            low, high = math.ceil(low), math.floor(high)
            if low > high:
                raise JitsimError(f"--bound {v.label}: holds no whole number")
        out.append(Variable(v.point, v.name, float(low), float(high), v.integer, v.start))
    return out


def repaired(variables: Sequence[Variable], values: Sequence[float]) -> Candidate:
    """``values`` clipped into the bounds, with ``S > s`` of an (s,S) policy kept (S raised to
    s + 1, or s lowered when S is at its upper bound)."""
    clipped = [v.clip(x) for v, x in zip(variables, values, strict=True)]
    index = {v.label: i for i, v in enumerate(variables)}
    for v in variables:
        if v.name != "S" or f"{v.point}.s" not in index:
            continue
        i_s, i_big = index[f"{v.point}.s"], index[v.label]
        if clipped[i_big] <= clipped[i_s]:
            clipped[i_big] = min(clipped[i_s] + 1, v.high)
            if clipped[i_big] <= clipped[i_s]:
                clipped[i_s] = clipped[i_big] - 1
    return tuple(clipped)


def policies_of(
    variables: Sequence[Variable],
    candidate: Candidate,
    start: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Stock point → policy (plain data) of a candidate: the starting policy with the
    variables' values written in (whole numbers as ints)."""
    policies: dict[str, dict[str, Any]] = {}
    for v, x in zip(variables, candidate, strict=True):
        policy = policies.setdefault(v.point, dict(start[v.point]))
        policy[v.name] = int(x) if v.integer else float(x)
    return policies


def describe(variables: Sequence[Variable], candidate: Candidate) -> dict[str, float | int]:
    """Variable label → value of a candidate (whole numbers as ints)."""
    return {
        v.label: int(x) if v.integer else float(x)
        for v, x in zip(variables, candidate, strict=True)
    }
