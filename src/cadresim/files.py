"""Opening an input file safely: a regular file, of bounded size, read with a bounded read.

A path given as a scenario, roster, units or key file may be a folder, a named pipe (which blocks a
plain ``open``), a device such as ``/dev/zero`` (endless), a link that points to itself, or simply too
large. Each is refused with a message that says what the path is, before any of it is read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from cadresim.errors import InputError, Problem

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind_problem(path: Path) -> str | None:
    """What is wrong with ``path`` as an input file (None for a regular file)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return _stat_error(path, exc)
    return None if stat.S_ISREG(mode) else _not_regular(path, mode)


def _stat_error(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symbolic link that leads back to itself (a loop), not a file"
    if exc.errno == errno.ENOENT and path.is_symlink():
        return f"a symbolic link to {os.readlink(path)}, which does not exist"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "no such file"
    return f"cannot be read ({exc.strerror})"


def _not_regular(path: Path, mode: int) -> str:
    what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    target = f"a link to {path.resolve()}, " if path.is_symlink() else ""
    return f"{target}{what}, not a file: give the path of a file"


def read_bounded(path: Path, limit: int, source: str | None = None, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, refusing anything else or anything over ``limit`` bytes.

    The file is opened without blocking and checked on the open descriptor, so a named pipe or a
    device is refused rather than read, and at most ``limit + 1`` bytes are ever read.

    Args:
        path: the file.
        limit: the most bytes allowed.
        source: how problems name the file (default: the path).
        what: what the file is, for the size message (e.g. "scenario file").

    Raises:
        InputError: not a regular file, unreadable, or larger than ``limit``.
    """
    source = source or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError([Problem(source, "", _stat_error(Path(path), exc), _shown(path, source))]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem(source, "", _not_regular(Path(path), info.st_mode), _shown(path, source))])
        size_problem(source, info.st_size, limit, what)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    size_problem(source, len(data), limit, what)
    return data


def size_problem(source: str, size: int, limit: int, what: str = "file") -> None:
    """Refuse a file of ``size`` bytes over ``limit``.

    Raises:
        InputError: naming the size and the limit.
    """
    if size > limit:
        raise InputError([Problem(source, "", f"{what} too large: {size:,} bytes, at most {limit:,} (a documented "
                                  "limit, see docs/limits.md)")])


def _shown(path: Path, source: str) -> str | None:
    return None if str(path) == source else str(path)
