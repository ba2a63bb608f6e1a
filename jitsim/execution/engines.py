"""Which engine simulates each alternative: the SimPy engine, the fast engine, or the fast one
where it can (``auto``).

Both engines give the same KPI record for the same (scenario, alternative, replication, seed)
— the fast engine is tested against the SimPy engine KPI by KPI (docs/performance.md) — so the
choice changes the run time, never a result: a run may be resumed with another engine.
"""

from __future__ import annotations

from collections.abc import Sequence

from jitsim.errors import JitsimError
from jitsim.fast import out_of_scope
from jitsim.scenario.models import Scenario
from jitsim.scenario.resolve import resolve

#: The engines a batch can run on.
ENGINES = ("simpy", "fast", "auto")


def check_engine(name: str) -> None:
    """Refuse an unknown engine name (one line)."""
    if name not in ENGINES:
        raise JitsimError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


def fast_scope(scenario: Scenario, alternative: str) -> str | None:
    """Why the fast engine cannot run ``alternative`` of ``scenario`` (one line), or None."""
    return out_of_scope(resolve(scenario, alternative))


def engines_used(
    scenarios: Sequence[Scenario], alternatives: Sequence[str], engine: str
) -> list[tuple[int, str, str, str | None]]:
    """``(point, alternative, engine, reason)`` for every sweep point and alternative: the
    engine that simulates it under ``engine`` and, when that is the SimPy engine under
    ``auto``, why the fast engine cannot.

    Raises
    ------
    JitsimError
        With ``engine="fast"``, for the first alternative out of the fast engine's scope.
    """
    check_engine(engine)
    used: list[tuple[int, str, str, str | None]] = []
    for point, scenario in enumerate(scenarios):
        for alternative in alternatives:
            if engine == "simpy":
                used.append((point, alternative, "simpy", None))
                continue
            reason = fast_scope(scenario, alternative)
            if reason is None:
                used.append((point, alternative, "fast", None))
            elif engine == "fast":
                raise JitsimError(
                    f"--engine fast cannot run alternative {alternative!r}: {reason} "
                    "(use --engine auto or simpy)"
                )
            else:
                used.append((point, alternative, "simpy", reason))
    return used
