"""Errors a user can cause, and how they are reported.

* :class:`JitsimError` is the base of every user-caused error.  The CLI catches it,
  prints ``str(exc)`` and exits with status 2 (no traceback).
* :class:`ScenarioError` carries one :class:`ScenarioProblem` per problem found in a
  scenario file, so that all of them are reported at once, one per line, as
  ``FILE:LINE: path.to.field: message``.
* :class:`EnvironmentProblem` is a failure of the environment found while checking the input (an
  unreachable cluster): reported in one line like a user error, but with exit status 1.
* :class:`JitsimWarning` is the category of the warnings about likely mistakes that are not
  errors (an event outside the measured window); the CLI prints them as ``warning: ...``.
* :func:`did_you_mean` / :func:`with_suggestion` word the nearest valid name for a misspelt one.
* :class:`ModelProblems` / :func:`raise_problems` let pydantic validators report problems
  located somewhere other than the validator's own location, possibly several at once
  (see :mod:`jitsim.scenario.loader` for the full convention).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EnvironmentProblem",
    "JitsimError",
    "JitsimWarning",
    "ModelProblems",
    "PathLike",
    "ProblemPath",
    "ScenarioError",
    "ScenarioProblem",
    "did_you_mean",
    "format_path",
    "parse_path",
    "raise_problems",
    "with_suggestion",
]

#: A location inside a scenario document: mapping keys and list indices.
ProblemPath = tuple[str | int, ...]
#: What callers may pass as a path: a dotted string (``"a.b.0"``) or a sequence of segments.
PathLike = str | Sequence[str | int]


def format_path(path: Iterable[str | int]) -> str:
    """Join path segments with dots: ``("alternatives", "jit", 0)`` -> ``alternatives.jit.0``."""
    return ".".join(str(segment) for segment in path)


def parse_path(path: PathLike) -> ProblemPath:
    """Turn a dotted string or a sequence of segments into a path tuple.

    In a dotted string, all-digit segments become list indices (ints); an empty string is the
    root path ``()``.
    """
    if isinstance(path, str):
        if not path:
            return ()
        return tuple(int(part) if part.isdigit() else part for part in path.split("."))
    return tuple(path)


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """The valid choice nearest to a misspelt *name*, as a question for an error message.

    Case is ignored (``JIT`` → ``jit``); otherwise the nearest choice by
    :func:`difflib.get_close_matches` (similarity ratio ≥ 0.6).

    Returns
    -------
    str
        ``"did you mean 'jit'?"``, or ``""`` when nothing is close, *name* is itself a choice
        or is not text.
    """
    if not isinstance(name, str):
        return ""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(str(choice).casefold(), str(choice))
    folded = name.casefold()
    close = [folded] if folded in by_folded else []
    close = close or difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=0.6)
    if not close or by_folded[close[0]] == name:
        return ""
    return f"did you mean {by_folded[close[0]]!r}?"


def unknown_kpi(kpi: str, columns: Sequence[str]) -> JitsimError:
    """The error for a KPI the results do not have (``columns``: a batch's record columns),
    with the nearest KPI name and a few of the scenario's KPIs, the headline ones first."""
    skip = {"point", "alternative", "replication"}
    known = [c for c in columns if c not in skip]
    hint = did_you_mean(kpi, known)
    hint = f" ({hint})" if hint else ""
    shown: list[str] = [
        k for k in ("total_cost", "fill_rate", "avg_cash_tied_up", "profit") if k in known
    ]
    shown += [k for k in known if k not in shown][: 8 - len(shown)]
    return JitsimError(
        f"unknown KPI {kpi!r}{hint}; KPIs of this scenario include: {', '.join(shown)}, ..."
    )


def with_suggestion(message: str, name: object, choices: Iterable[str]) -> str:
    """*message* about an unknown *name*, ending with ``; did you mean 'x'?`` when a choice is
    close (see :func:`did_you_mean`)."""
    hint = did_you_mean(name, choices)
    return f"{message}; {hint}" if hint else message


class JitsimError(Exception):
    """Base class for errors caused by the user (bad scenario, bad option, ...).

    The CLI catches it, prints ``str(exc)`` and exits with status 2.
    """


class EnvironmentProblem(JitsimError):
    """The environment, not the user's input, stops the work: a scheduler that does not answer,
    a service that is down. The CLI prints ``str(exc)`` in one line and exits with status 1 (as
    for a full disk); the API raises it like any :class:`JitsimError`."""


class JitsimWarning(UserWarning):
    """Something the user should know that does not stop the work: input that is probably a
    mistake (an event outside the measured window), or damaged results that a resume simulates
    again. The API emits it with :func:`warnings.warn`; the CLI prints ``warning: <message>``
    on stderr."""


class UnknownAlternative(JitsimError, KeyError):
    """An alternative asked for that the scenario does not define (also a ``KeyError``)."""

    __str__ = Exception.__str__  # the message as written, not quoted like a KeyError's


class UnknownKpi(JitsimError, KeyError):
    """A KPI (or grouping column) asked for that the results do not have.

    A user error (one line, exit code 2 on the command line) that is also a ``KeyError`` for
    code looking columns up.
    """

    __str__ = Exception.__str__  # the message as written, not quoted like a KeyError's


@dataclass(frozen=True)
class ScenarioProblem:
    """One problem in a scenario file."""

    file: str
    #: 1-based line number, or ``None`` when the problem concerns the file as a whole.
    line: int | None
    #: Dotted path of the offending field (``suppliers.acme.lead_time.cv``); ``""`` if none.
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.path:
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.message}"


class ScenarioError(JitsimError):
    """A scenario file is invalid; :attr:`problems` lists everything that is wrong with it."""

    def __init__(self, problems: Iterable[ScenarioProblem]) -> None:
        self.problems: list[ScenarioProblem] = list(problems)
        super().__init__(self.problems)

    @classmethod
    def single(
        cls, file: str, message: str, *, line: int | None = None, path: str = ""
    ) -> ScenarioError:
        """Shortcut for an error with exactly one problem."""
        return cls([ScenarioProblem(file=file, line=line, path=path, message=message)])

    def __str__(self) -> str:
        if not self.problems:
            return "invalid scenario"
        return "\n".join(str(problem) for problem in self.problems)


class ModelProblems(ValueError):
    """Several problems found by one pydantic validator, each at its own path.

    Paths are relative to the value being validated (for a ``model_validator``: the model
    itself; for the top-level scenario model: the root of the file).  Because it is a
    ``ValueError``, pydantic turns it into a normal validation error, which
    :func:`jitsim.scenario.loader.validation_problems` expands into one problem per entry.
    """

    def __init__(self, problems: Iterable[tuple[PathLike, str]]) -> None:
        self.problems: list[tuple[ProblemPath, str]] = [
            (parse_path(path), str(message)) for path, message in problems
        ]
        super().__init__(
            "\n".join(f"@{format_path(path)}: {message}" for path, message in self.problems)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


def raise_problems(problems: Iterable[tuple[PathLike, str]]) -> None:
    """Raise :class:`ModelProblems` if *problems* is non-empty; otherwise do nothing.

    Each entry is ``(path, message)``, the path being a tuple of keys / list indices or a
    dotted string, relative to the value being validated::

        problems = []
        for name, point in self.stock_points.items():
            if point.source not in self.suppliers:
                problems.append((("stock_points", name, "source"),
                                 f"unknown supplier {point.source!r}"))
        raise_problems(problems)
    """
    items = list(problems)
    if items:
        raise ModelProblems(items)
