"""What a command holds while it runs: its results directory (locked until the command ends,
whatever happens after the simulation: tables, exports) and how it shows warnings."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from jitsim.errors import JitsimWarning

T = TypeVar("T")

_held: ContextVar[ExitStack | None] = ContextVar("jitsim_command_scope", default=None)


@contextmanager
def command_scope() -> Iterator[None]:
    """Run a command: what it holds (:func:`hold`) is released when it ends; jitsim's warnings
    are printed as one ``warning:`` line each on stderr."""
    with ExitStack() as stack, warnings.catch_warnings():
        warnings.simplefilter("always", JitsimWarning)
        shown = warnings.showwarning

        def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if issubclass(category, JitsimWarning):
                sys.stderr.write(f"warning: {message}\n")
            else:
                shown(message, category, *args, **kwargs)

        warnings.showwarning = show
        token = _held.set(stack)
        try:
            yield
        finally:
            _held.reset(token)


def hold(resource: AbstractContextManager[T]) -> T:
    """Enter ``resource`` until the running command ends (at once, outside a command)."""
    stack = _held.get()
    if stack is None:
        with resource as value:
            return value
    return stack.enter_context(resource)
