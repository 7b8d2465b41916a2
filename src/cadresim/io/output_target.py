"""Output folders of `cadresim run` and `cadresim compare`: checked before any work, held until written.

A command may replace only what cadresim wrote there before: an empty folder, or a folder of the same
kind (recognised by its manifest, :func:`cadresim.io.results_folder.folder_kind`) when the user says
``--force``. Everything else is refused before anything runs: a folder of other files, a file, a
symbolic link, the working folder or one of its parents, a path that cannot be written.

:func:`claim` holds the target from those checks to the final rename: a lock file beside it
(``.NAME.lock``, an exclusive ``flock``) refuses a second writer at once, and the folders a killed
writer left beside it are cleaned first (:func:`cadresim.io.atomic.clean_leftovers`). Claims are
re-entrant within a process, so that a command can claim its folder before the simulation and the
writer (:func:`cadresim.output.run_folder.write_results`) claim it again.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

from cadresim.errors import InputError, Problem
from cadresim.io.atomic import NAME_ROOM, clean_leftovers
from cadresim.io.results_folder import KINDS, MANIFEST, folder_kind

try:
    import fcntl
except ImportError:  # Windows: no lock (the checks still apply)
    fcntl = None  # type: ignore[assignment]

OPTION = "-o"


@dataclass
class Claim:
    """An output folder held by this process until it is written.

    Attributes:
        target: the folder.
        kind: what is written there ("run" or "comparison").
        replaces: the earlier folder of the same kind it replaces (``--force``), in words; "" if none.
        notes: what was cleaned up beside it (folders left by killed writers, one put back).
    """

    target: Path
    kind: str
    replaces: str = ""
    notes: list[str] = field(default_factory=list)


#: The claims this process holds, by absolute path (so that a claim can be re-entered).
_HELD: dict[str, Claim] = {}


@contextmanager
def claim(target: Path, kind: str, force: bool = False) -> Iterator[Claim]:
    """Check ``target``, lock it and clean what killed writers left beside it; release it on leaving.

    Nothing is written when the target is refused. A parent folder made for the target is removed
    again when the target never appears (an error, an interrupted run).

    Args:
        target: the output folder.
        kind: "run" or "comparison".
        force: replace an earlier folder of the same kind.

    Raises:
        InputError: the target may not be written (see :func:`check_target`), or another process
            holds it.
    """
    target = Path(target)
    key = os.path.abspath(target)
    if key in _HELD:
        yield _HELD[key]
        return
    check_target(target, kind, force)
    made = _make_parents(target.parent)
    try:
        with _lock(target):
            notes = clean_leftovers(target)
            held = Claim(target, kind, check_target(target, kind, force), notes)
            _HELD[key] = held
            try:
                yield held
            finally:
                del _HELD[key]
    finally:
        if not os.path.lexists(target):
            _remove_empty(made)


def check_target(target: Path, kind: str, force: bool = False) -> str:
    """Whether ``kind`` may be written at ``target``; what it would replace.

    Returns:
        The earlier folder of the same kind that ``force`` lets it replace, in words ("" if none).

    Raises:
        InputError: the path cannot be written, or holds something that is not an earlier folder of
            the same kind, or holds one and not ``force``.
    """
    target = Path(target)
    problems = path_problems(target)
    if problems:
        raise InputError(problems)
    if not os.path.lexists(target):
        return ""
    found = _contents_problem(target, kind)
    if found:
        raise InputError([Problem(OPTION, "", found)])
    if not any(target.iterdir()):
        return ""
    earlier = describe(target, kind)
    if not force:
        raise InputError([Problem(OPTION, "", f"{target} holds {earlier}: add --force to replace it, or write "
                                  "elsewhere with -o DIR")])
    return earlier


def _contents_problem(target: Path, kind: str) -> str:
    """Why what is at ``target`` (which exists) may not be replaced by ``kind``; "" when it may."""
    if target.is_symlink():
        return (f"{target} is a symbolic link (to {os.readlink(target)}): give the folder itself, or a new "
                "name")
    if not target.is_dir():
        return f"{target} is a file, not a folder: choose a new folder name"
    if not any(target.iterdir()):
        return ""
    found = folder_kind(target)
    if found == kind:
        return ""
    what = f"is {KINDS[found]}, not" if found else "is not empty and is not"
    return f"{target} {what} {KINDS[kind]}: nothing replaced; choose a new or an empty folder"


def path_problems(target: Path) -> list[Problem]:
    """Why ``target`` (existing or not) cannot be written at all: a name too long, the working folder or a
    parent of it, a dangling symbolic link on the way, a parent that is a file or cannot be written.
    """
    full = Path(os.path.abspath(target))
    base = next((p for p in full.parents if os.path.exists(p)), full)  # os.path: never an error, for any path
    long = _too_long(full, base)
    if long:
        return [Problem(OPTION, "", long, str(target))]
    here, resolved = Path.cwd().resolve(), Path(os.path.realpath(target))  # realpath: no error on a link loop
    if resolved == here or resolved in here.parents:
        return [Problem(OPTION, "", f"{target} is the working folder or contains it: results go in a folder of "
                        "their own, e.g. -o results/NAME", str(target))]
    for step in [full, *full.parents]:
        if step.is_symlink() and not step.exists():
            return [Problem(OPTION, "", f"{step} is a symbolic link to {os.readlink(step)}, which does not "
                            "exist", str(target))]
    if not base.is_dir():
        return [Problem(OPTION, "", f"{base} is a file, so no folder can be made under it", str(target))]
    if not os.access(base, os.W_OK | os.X_OK):
        return [Problem(OPTION, "", f"cannot write in {base} (no permission, or a read-only disk)", str(target))]
    return []


def _too_long(full: Path, base: Path) -> str:
    """Why a name of ``full`` below ``base`` (its deepest existing folder) is too long; "" if none is.
    The target's own name leaves room for the temporary names beside it."""
    name_max = _name_max(base)
    for part in full.relative_to(base).parts:
        room = NAME_ROOM if part == full.name else 0
        if len(os.fsencode(part)) > name_max - room:
            return (f"the folder name {part[:20]}... is too long: at most {name_max - room} bytes here (it has "
                    f"{len(os.fsencode(part))})")
    return ""


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def describe(folder: Path, kind: str) -> str:
    """An earlier folder of ``kind``, in words: what it holds and when it was written."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    when = _when(manifest.get("finished"))
    if kind == "run":
        return (f"the results of an earlier run of {manifest.get('scenario', '?')} "
                f"({manifest.get('replications', '?')} replications{', finished ' + when if when else ''})")
    names = ", ".join(map(str, manifest.get("scenarios") or []))
    return "an earlier comparison" + (f" of {names}" if names else "") + (f" (finished {when})" if when else "")


def _when(stamp: object) -> str:
    """An ISO time stamp as local time, to the minute ("" when there is none)."""
    try:
        return datetime.fromisoformat(str(stamp)).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return ""


def _make_parents(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; the folders made, deepest first.

    Raises:
        InputError: a folder cannot be made.
    """
    missing = [p for p in [folder, *folder.parents] if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        _remove_empty(missing)
        raise InputError([Problem(OPTION, "", f"cannot make the folder {folder}: {e.strerror}", str(folder))]) \
            from None
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


@contextmanager
def _lock(target: Path) -> Iterator[None]:
    """Hold ``.NAME.lock`` beside ``target`` (an exclusive flock), removed on release.

    Raises:
        InputError: another process holds it.
    """
    if fcntl is None:
        yield
        return
    path = target.parent / f".{target.name}.lock"
    fd = _locked(path, target)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        path.unlink(missing_ok=True)  # before unlocking: a waiting writer then finds the file gone and retries
        os.close(fd)


def _locked(path: Path, target: Path) -> int:
    """An open descriptor of ``path`` holding its lock (the file at ``path``, not one unlinked meanwhile)."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as e:
            raise InputError([Problem(OPTION, "", f"cannot write in {path.parent}: {e.strerror}", str(target))]) \
                from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise InputError([Problem(OPTION, "", f"another cadresim (process {holder}) is writing {target} now: "
                                      "wait until it has finished, or write elsewhere with -o DIR")]) from None
        try:
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)
