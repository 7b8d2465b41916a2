"""Pseudonymous cadre ids in outputs, under a key the user keeps.

A roster is personal data. Results carry no names or ID-card numbers (the roster never holds them,
see :mod:`cadresim.io.roster_read`), birth dates only as ages or birth decades, and cadre ids as
pseudonyms: HMAC-SHA256 of the cadre's id under the user's key, cut to ``PSEUDONYM_LENGTH`` hex
digits. The key lives in a file outside the results folder (default ``~/.config/cadresim/pseudonym.key``,
created with mode 0600 on first use), so the same key gives the same pseudonyms run after run, and
someone holding only the results cannot link a pseudonym back to an id by hashing guesses. As ssh does
with private keys, a key file that other users could read or change is refused (POSIX), and so is
anything but a small regular file.

Every output is pseudonymised, the synthetic district's too, so that a run on exported files and a run
on the embedded district agree; ``--keep-ids`` writes the ids themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cadresim import limits
from cadresim.errors import InputError, Problem
from cadresim.files import read_bounded
from cadresim.io.atomic import create_new

ENV_KEY_FILE = "CADRESIM_KEY_FILE"
PSEUDONYM_LENGTH = 12  # hex digits: 48 bits, collisions negligible for a district's few thousand ids
KEY_BYTES = 32
MIN_KEY_LENGTH = 32  # characters of a key file written by hand
#: roster cadres have draw keys below this; entrants' keys carry their kind above it (intake.entry_key)
ENTRANT_KEYS = 1 << 56


def default_key_file() -> Path:
    """``$CADRESIM_KEY_FILE``, else ``$XDG_CONFIG_HOME/cadresim/pseudonym.key`` (``~/.config`` by default)."""
    if os.environ.get(ENV_KEY_FILE):
        return Path(os.environ[ENV_KEY_FILE]).expanduser()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "cadresim" / "pseudonym.key"


@dataclass(frozen=True)
class Key:
    """A pseudonym key and where it came from."""

    secret: bytes
    path: Path
    created: bool

    @property
    def key_id(self) -> str:
        """A short fingerprint naming the key in manifests (it reveals nothing of the key)."""
        return hmac.new(self.secret, b"cadresim key id", hashlib.sha256).hexdigest()[:8]


def resolve_key(path: Path | None, results: Path) -> Key:
    """The key in ``path`` (default :func:`default_key_file`), created on first use.

    Raises:
        InputError: the file lies inside ``results``; is not a regular file, unreadable, larger than
            ``limits.MAX_KEY_FILE_BYTES`` or too short to be a key; or (POSIX) other users may read or
            change it.
    """
    path = (path or default_key_file()).expanduser()
    if _inside(path, results):
        raise InputError([Problem("--key-file", "", "the pseudonym key must not live inside the results folder "
                                  f"{results} (results are shared; the key is not): choose another path",
                                  str(path))])
    created = not path.exists() and _create(path)
    return Key(_read(path), path, created)


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _create(path: Path) -> bool:
    """Write a new random key readable by its owner only; False when another process got there first."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return create_new(path, secrets.token_hex(KEY_BYTES) + "\n", 0o600)
    except OSError as exc:
        raise InputError([Problem("--key-file", "", f"cannot create the pseudonym key ({exc.strerror}): give a "
                                  f"writable path with --key-file or {ENV_KEY_FILE}, or use --keep-ids",
                                  str(path))]) from None


def _read(path: Path) -> bytes:
    """The key in ``path``: a small regular file that only its owner may read or change."""
    secret = read_bounded(path, limits.MAX_KEY_FILE_BYTES, "--key-file", "pseudonym key file").strip()
    problem = _permission_problem(path)
    if problem:
        raise InputError([Problem("--key-file", "", problem, str(path))])
    if len(secret) < MIN_KEY_LENGTH:
        raise InputError([Problem("--key-file", "", f"not a pseudonym key: at least {MIN_KEY_LENGTH} characters "
                                  "expected (delete it to have a new one made, which changes every pseudonym)",
                                  str(path))])
    return secret


def _permission_problem(path: Path) -> str | None:
    """What is wrong with who may use the key file (POSIX): readable or writable by group or others."""
    if os.name != "posix":
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o077:
        return None
    who = "other users" if mode & 0o007 else "its group"
    return (f"the pseudonym key may be read or changed by {who} (mode {mode:04o}), so anyone among them could link "
            f"pseudonyms back to ids: make it private with chmod 600 {shlex.quote(str(path))}")


def pseudonym(secret: bytes, message: str) -> str:
    """HMAC-SHA256 of ``message`` under ``secret``, cut to PSEUDONYM_LENGTH hex digits."""
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def cadre_message(key: int, ids: tuple[str, ...] | None) -> str:
    """What a cadre's pseudonym hashes: the roster file's id of a roster cadre, the draw key of an entrant."""
    if key >= ENTRANT_KEYS:
        return f"entrant:{key}"
    return f"cadre:{ids[key] if ids is not None else key}"


def output_ids(keys: pd.Series, secret: bytes | None, ids: tuple[str, ...] | None) -> pd.Series:
    """Cadre ids as outputs show them (-1, "no cadre", stays -1 or becomes empty).

    Args:
        keys: internal cadre keys (the engine's draw keys).
        secret: the pseudonym key; None keeps the ids (``--keep-ids``).
        ids: the roster file's own ids by cadre id (None: the keys are the ids).
    """
    unique = pd.unique(keys)
    if secret is None and ids is None:
        return keys
    if secret is None:
        table = {k: "" if k < 0 else ids[k] if k < ENTRANT_KEYS else f"entrant:{k}" for k in unique}
    else:
        table = {k: "" if k < 0 else pseudonym(secret, cadre_message(int(k), ids)) for k in unique}
    return keys.map(table).astype(object)


def pseudonymise_events(events: pd.DataFrame, secret: bytes | None, ids: tuple[str, ...] | None) -> pd.DataFrame:
    """``events`` with its ``cadre_id`` column as outputs show it (see :func:`output_ids`)."""
    return events.assign(cadre_id=output_ids(events["cadre_id"], secret, ids))


#: The columns of the event log as a results folder shows it (``date`` is a quarter such as ``2015Q2``).
SHARED_EVENT_COLUMNS = ["replication", "district", "date", "event", "cadre_id", "grade", "unit_id", "post_id",
                        "chain_id", "detail"]


def shareable_events(events: pd.DataFrame) -> pd.DataFrame:
    """The event log as results folders show it: each event's quarter, never its month.

    An exit for age falls in the month after the birthday that reaches the leaving age, so its exact month
    (or anything that orders it within its quarter) would give the cadre's birth month away. So the log
    keeps the quarter of each event; within a replication and quarter its rows are ordered by event, grade,
    unit, post and cadre, not by time; and vacancy-chain ids are renumbered in that order (the engine numbers
    chains as they open, which would order them in time again). Links between rows are kept: one chain id
    per chain, one cadre id per cadre.

    Args:
        events: the replications' logs stacked, with ``replication``, ``month``, the engine's chain ids and
            its cadre keys (pseudonymise after this, so that ties sort alike whatever the ids shown).
    """
    year, month0 = events["month"] // 12, events["month"] % 12
    shared = events.assign(date=year.astype(str) + "Q" + (month0 // 3 + 1).astype(str))
    shared = shared.sort_values(["replication", "date", "event", "grade", "unit_id", "post_id", "cadre_id", "detail"],
                                kind="mergesort").reset_index(drop=True)
    return shared.assign(chain_id=_renumbered_chains(shared))[[c for c in SHARED_EVENT_COLUMNS if c in shared]]


def _renumbered_chains(events: pd.DataFrame) -> pd.Series:
    """Chain ids numbered by first appearance in ``events``' row order, per replication (-1 stays -1)."""
    numbers = pd.Series(-1, index=events.index, dtype="int64")
    for _, rows in events[events["chain_id"] >= 0].groupby("replication"):
        numbers[rows.index] = pd.factorize(rows["chain_id"], sort=False)[0]
    return numbers
