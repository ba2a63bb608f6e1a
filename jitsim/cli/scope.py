"""What a command holds while it runs: its results directory (locked until the command ends,
whatever happens after the simulation: tables, exports; removed again when the command made it
and fails before writing anything there) and how it shows warnings."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from jitsim.errors import JitsimError, JitsimWarning

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


def made_here(directory: Path) -> Path | None:
    """The outermost of ``directory`` and its parents that does not exist yet: what creating
    ``directory`` will make (None if it exists)."""
    if directory.exists():
        return None
    made = directory
    for parent in directory.absolute().parents:
        if parent.exists():
            break
        made = parent
    return made


def removed_if_left_empty(directory: Path, made: Path | None) -> None:
    """Until the running command ends: if it fails on the user's input or the environment
    (:class:`~jitsim.errors.JitsimError`, ``OSError``, ``MemoryError``), remove ``directory`` and
    its parents up to ``made`` (what the command created, see :func:`made_here`) while they are
    empty, so that a command refused before writing anything leaves no trace. Nothing the
    command found there, nor anything with a file in it, is removed; after a bug the directory
    stays for the crash log."""
    stack = _held.get()
    if stack is None or made is None:
        return
    top = made.absolute()
    target = directory.absolute()

    def on_exit(
        kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if not isinstance(error, JitsimError | OSError | MemoryError):
            return False  # success, Ctrl-C, or a bug whose crash log goes into the directory
        for path in (target, *target.parents):
            try:
                os.rmdir(path)  # only an empty directory: what we made and nobody wrote into
            except OSError:
                break
            if path == top:
                break
        return False

    stack.push(on_exit)
