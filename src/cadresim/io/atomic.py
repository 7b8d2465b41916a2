"""Atomic writes: a folder or a file appears whole, or not at all.

A results folder, a comparison folder and a sweep's files are first written under a temporary name
beside their target, then moved into place, so that a reader (or a resumed sweep) never sees a
half-written one, whatever interrupts the writer.

A folder is written as ``.NAME.partial-<pid>-<random>`` and swapped with an earlier ``NAME`` in one
step (Linux ``renameat2`` with ``RENAME_EXCHANGE``), so that a crash at any instant leaves the old or
the new folder whole at ``NAME``. Where that call is missing, the old folder is first moved aside to
``.NAME.old-<pid>``; a crash between the two renames leaves no ``NAME``, and :func:`clean_leftovers`
puts the old folder back on the next write. Folders that a killed writer left beside ``NAME`` are
named after its process id, so the next writer knows whose they are.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import glob
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

#: The temporary folders beside a target: being written, and (two-rename swap) the earlier one moved aside.
PARTIAL, OLD = "partial", "old"
#: Bytes the temporary names add to the target's name (".", ".partial-", a process id, "-", 8 random).
NAME_ROOM = 32

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it replaces ``target``, on any error it is removed.

    Args:
        target: the folder to write; an existing one is replaced whole (check first that it may be:
            :mod:`cadresim.io.output_target`).

    Yields:
        The temporary folder to write into (beside ``target``, with the usual permissions).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{PARTIAL}-{os.getpid()}-", dir=target.parent))
    tmp.chmod(0o777 & ~_umask())  # results are shared: the usual permissions, not mkdtemp's 0700
    try:
        yield tmp
        _swap_in(tmp, target)
    finally:
        if os.path.lexists(tmp):  # the unfinished folder, or after an exchange the earlier one
            _remove(tmp)


def _swap_in(tmp: Path, target: Path) -> None:
    """Put ``tmp`` at ``target``; an earlier ``target`` ends up at ``tmp`` (exchange) or is removed."""
    if not os.path.lexists(target):
        os.rename(tmp, target)
        return
    if _exchange(tmp, target):
        return  # tmp now holds the earlier folder: the caller removes it
    old = aside(target, OLD)
    os.rename(target, old)
    os.rename(tmp, target)  # a crash before this line: clean_leftovers() puts ``old`` back
    _remove(old)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system or the file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM):  # no such call, or not on this FS
        return False
    raise OSError(code, os.strerror(code), str(b))


@lru_cache(maxsize=1)
def _renameat2() -> Callable[..., int] | None:
    """libc's renameat2 (glibc 2.28+), or None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _remove(path: Path) -> None:
    """Remove a folder this module wrote (or a stray file or link of the same name)."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        Path(path).unlink(missing_ok=True)


def aside(target: Path, kind: str, pid: int | None = None) -> Path:
    """The name of ``target``'s earlier folder moved aside (``kind`` OLD) by process ``pid``."""
    return target.parent / f".{target.name}.{kind}-{os.getpid() if pid is None else pid}"


def leftovers(target: Path) -> list[tuple[Path, str, int]]:
    """The temporary folders beside ``target``: (path, PARTIAL or OLD, the writer's process id)."""
    target = Path(target)
    found = []
    pattern = re.compile(rf"\.{re.escape(target.name)}\.({PARTIAL}|{OLD})-(\d+)(?:-[^/]*)?")
    for name in sorted(glob.glob(glob.escape(str(target.parent / f".{target.name}.")) + "*")):
        match = pattern.fullmatch(os.path.basename(name))
        if match:
            found.append((Path(name), match.group(1), int(match.group(2))))
    return found


def clean_leftovers(target: Path) -> list[str]:
    """Undo what killed writers left beside ``target``: put back an earlier folder a crash left moved
    aside (when ``target`` is missing), remove the rest. Folders of a live process are left alone.

    Call it holding the target's lock (:func:`cadresim.io.output_target.claim`).

    Returns:
        One sentence per folder put back or removed.
    """
    target = Path(target)
    notes = []
    for path, kind, pid in leftovers(target):
        if _alive(pid):
            continue
        if kind == OLD and not os.path.lexists(target):
            os.rename(path, target)
            notes.append(f"put back the earlier {target} (a write by process {pid} was interrupted while "
                         "replacing it)")
        else:
            _remove(path)
            notes.append(f"removed {path.name}, left beside {target} by an interrupted cadresim (process {pid})")
    return notes


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (this one counts: its folders are in use)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:  # no way to tell (pid out of range): not ours to keep
        return False
    return True


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on any error it is removed.

    Args:
        path: the file to write; an existing one is replaced.

    Yields:
        The temporary file's path (not created: write it, in any format).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
