"""Owning a results directory: one command at a time, nothing left of an earlier command, every
file written whole and listed in the manifest.

A command *claims* its results directory before it simulates anything (:func:`claim`):

* it takes an exclusive advisory lock on ``DIR/.jitsim.lock`` (``flock``), held until the
  command ends — the operating system releases it when the process exits, even after a crash
  or ``kill -9`` (which leaves the empty lock file behind, harmlessly). A second command on
  the same directory is refused at once, naming the holder's process id;
* unless it resumes, the directory must hold no results of an earlier command; with
  ``overwrite`` the files that jitsim wrote there (those listed in its manifest) are removed
  first, and nothing else is touched.

Every final file is written to a temporary name and renamed into place (:func:`write_atomic`),
and recorded in ``manifest.json``'s ``files`` list (:func:`record_files`), so a directory
never holds a half-written table and the results can always be told from the user's own files.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jitsim.errors import JitsimError

__all__ = [
    "LOCK_FILE",
    "MANIFEST",
    "claim",
    "read_manifest",
    "record_files",
    "write_atomic",
    "write_manifest",
]

MANIFEST = "manifest.json"
LOCK_FILE = ".jitsim.lock"
#: Names jitsim writes besides those its manifest lists: the files of a run in progress, and
#: the results of versions that kept no list (removed by ``overwrite`` all the same).
WORK_FILES = ("journal.jsonl", "replications.part.csv", "trajectories.part.csv", "evaluations")
KNOWN_RESULTS = (
    "summary.json",
    "replications.csv",
    "scenario.resolved.yaml",
    "trajectories.csv",
    "comparison.csv",
    "sweep_summary.csv",
    "breakeven_points.csv",
    "stress.csv",
    "tts.csv",
    "mitigations.csv",
    "results.xlsx",
    "report.html",
)
#: Largest manifest read (bytes): a manifest is a few kilobytes; anything bigger is not ours.
MAX_MANIFEST_BYTES = 16 * 2**20

# Directories this process holds: real path → [open lock file descriptor, claims].
_held: dict[str, list[int]] = {}


@contextmanager
def claim(
    directory: str | os.PathLike[str], *, resume: bool = False, overwrite: bool = False
) -> Iterator[Path]:
    """Hold ``directory`` as this command's results directory (created if needed).

    Claims nest: a function that claims a directory its caller already holds just uses it.

    Parameters
    ----------
    directory : path
        The results directory.
    resume : bool
        The command continues the results there (no check that the directory is free).
    overwrite : bool
        Remove the results of an earlier command (the files its manifest lists) instead of
        refusing.

    Raises
    ------
    JitsimError
        If the directory cannot be created or written, another command holds it, or it holds
        results and neither ``resume`` nor ``overwrite`` is given.
    """
    path = _make_directory(Path(directory))
    key = os.path.realpath(path)
    if key in _held:
        _held[key][1] += 1
    else:
        _held[key] = [_lock(path), 1]
        try:
            if not resume:
                _make_room(path, overwrite)
        except BaseException:
            _release(key)
            raise
    try:
        yield path
    finally:
        _release(key)


def _release(key: str) -> None:
    entry = _held[key]
    entry[1] -= 1
    if entry[1] == 0:
        del _held[key]
        try:
            os.unlink(Path(key) / LOCK_FILE)  # still locked: no one else holds this file
        except OSError:
            pass  # the directory was removed or made read-only meanwhile
        os.close(entry[0])  # closing the descriptor releases the lock


def _make_directory(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise JitsimError(f"{path} is a file, not a results directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JitsimError(f"cannot create results directory {path}: {_reason(exc)}") from None
    return path


def _lock(path: Path) -> int:
    """The descriptor of ``path``'s lock file, locked exclusively by this process.

    The lock file is removed on release, so a lock can be taken on a file another process is
    just removing: retried until the file locked is the one at the path.
    """
    lock = path / LOCK_FILE
    while True:
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise JitsimError(f"cannot write to results directory {path}: {_reason(exc)}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(descriptor)
            raise JitsimError(
                f"{path} is in use by another jitsim command (process {holder}); wait for it "
                "to finish or choose another results directory"
            ) from None
        try:
            same = os.stat(lock).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(descriptor)
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    return descriptor


def _make_room(path: Path, overwrite: bool) -> None:
    """Refuse a directory holding results, or (``overwrite``) remove the files jitsim wrote."""
    try:
        manifest = read_manifest(path, required=False)
    except JitsimError:
        if not overwrite:
            raise JitsimError(
                f"{path}/{MANIFEST} is unreadable (edited or damaged); give --overwrite to "
                "replace the results there, or choose another results directory"
            ) from None
        manifest = {}  # damaged: jitsim's own names are still removed
    files = (manifest or {}).get("files", [])
    listed = [str(name) for name in files] if isinstance(files, list) else []
    ours = [
        name
        for name in dict.fromkeys([*listed, *WORK_FILES, *KNOWN_RESULTS])
        if _inside(path, name) and (path / name).exists()
    ]
    if manifest is not None and (path / MANIFEST).exists():
        ours.append(MANIFEST)
    if not ours:
        return
    if not overwrite:
        shown = ", ".join(sorted(ours)[:4]) + (", …" if len(ours) > 4 else "")
        raise JitsimError(
            f"{path} already holds the results of an earlier command ({shown}); replace them "
            "with --overwrite, continue an interrupted run with --resume, or choose another "
            "results directory"
        )
    for name in ours:
        target = path / name
        try:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        except OSError as exc:
            raise JitsimError(f"cannot remove {target}: {_reason(exc)}") from None


def _inside(path: Path, name: str) -> bool:
    """Whether ``name`` (read from a manifest) is a plain name inside ``path``."""
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def read_manifest(
    directory: str | os.PathLike[str], *, required: bool = True
) -> dict[str, Any] | None:
    """The manifest of a results directory (None if there is none and it is not required).

    Raises
    ------
    JitsimError
        If ``directory`` is not a results directory (a file, no manifest when required) or the
        manifest is unreadable.
    """
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise JitsimError(f"{path} is a file, not a results directory")
    manifest = path / MANIFEST
    try:
        with open(manifest, "rb") as handle:
            text = handle.read(MAX_MANIFEST_BYTES + 1)
    except FileNotFoundError:
        if required:
            raise JitsimError(f"{path}: nothing to resume (no {MANIFEST} here)") from None
        return None
    except OSError as exc:
        raise JitsimError(f"cannot read {manifest}: {_reason(exc)}") from None
    try:
        if len(text) > MAX_MANIFEST_BYTES:
            raise ValueError("too large")
        document = json.loads(text)
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        raise JitsimError(f"{manifest}: unreadable manifest ({exc})") from None
    return document


def write_manifest(directory: str | os.PathLike[str], manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` whole (temporary file, then rename)."""
    text = json.dumps(manifest, indent=2, default=_json_default) + "\n"
    write_atomic(Path(directory) / MANIFEST, lambda path: path.write_text(text, encoding="utf-8"))


def record_files(directory: str | os.PathLike[str], names: Iterable[str]) -> None:
    """Add ``names`` to the manifest's list of files jitsim wrote (a manifest is created if
    there is none yet, as for results written from memory)."""
    manifest = read_manifest(directory, required=False) or {"complete": True}
    files = list(manifest.get("files", []))
    manifest["files"] = sorted(dict.fromkeys([*files, *names]))
    write_manifest(directory, manifest)


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], Any]) -> Path:
    """Call ``write(temporary)`` and rename the temporary file to ``path``: readers see the
    old file or the new one, never a part of it.

    Raises
    ------
    JitsimError
        If the file cannot be written (no space, no permission, a directory in the way).
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    except OSError as exc:
        _discard(temporary)
        raise JitsimError(f"cannot write {target}: {_reason(exc)}") from None
    except BaseException:
        _discard(temporary)
        raise
    return target


def _discard(temporary: Path) -> None:
    try:
        temporary.unlink(missing_ok=True)
    except OSError:
        pass  # never written (its directory is missing or not a directory)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)
