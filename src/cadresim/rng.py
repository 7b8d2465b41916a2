"""Keyed random numbers: each draw is a pure function of (seed, purpose, keys).

A draw is tied to the entity and purpose it serves, not to the order in which
a run asks for it (STYLE.md, point 2). Two scenarios that diverge therefore
still see the same merit for cadre 17, the same assessment noise for cadre 17
in the round of 2015-06, and so on: common random numbers by construction.

The generator is counter-based: the seed, the purpose and the keys are hashed
with the SplitMix64 finaliser (Steele, Lea & Flood 2014), applied lane-wise on
``uint64`` arrays so that a whole candidate pool is drawn in one vectorized
call. This is cadresim's own hashing; numpy's ``SeedSequence`` mixes its entropy
with a different hash, and no numpy bit generator is involved.
"""

from __future__ import annotations

import zlib

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_TO_UNIT = 1.0 / float(1 << 53)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, lane-wise (wrapping uint64 arithmetic)."""
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


def purpose_code(purpose: str) -> int:
    """A stable 32-bit code for a purpose name."""
    return zlib.crc32(purpose.encode("utf-8"))


class KeyedRandom:
    """Counter-based random numbers for one replication.

    Args:
        seed: the run's seed.
        replication: the replication number; replication ``i`` draws the same
            numbers in every scenario.
        stream: the district's stream (0: a roster of its own; a grown district: its generator seed + 1),
            so that districts of one ensemble draw independently and each district draws the same
            numbers in every scenario.
    """

    def __init__(self, seed: int, replication: int, stream: int = 0) -> None:
        base = np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
        with np.errstate(over="ignore"):
            self._base = _mix(_mix(base) + _GOLD * np.uint64(replication + 1))
            if stream:
                self._base = _mix(self._base ^ _mix(np.array([stream], dtype=np.uint64) + _GOLD))

    def bits(self, purpose: str, *keys: int | np.ndarray) -> np.ndarray:
        """Uniformly distributed 64-bit words, one per lane of the broadcast keys."""
        with np.errstate(over="ignore"):
            h = _mix(self._base ^ np.uint64(purpose_code(purpose)))
            for key in keys:
                k = np.asarray(key).astype(np.int64).astype(np.uint64)
                h = _mix(h + _GOLD + _mix(k + _GOLD))
        return np.atleast_1d(h)

    def uniform(self, purpose: str, *keys: int | np.ndarray) -> np.ndarray:
        """Uniform draws on [0, 1)."""
        return (self.bits(purpose, *keys) >> np.uint64(11)).astype(np.float64) * _TO_UNIT

    def normal(self, purpose: str, *keys: int | np.ndarray) -> np.ndarray:
        """Standard normal draws (Box-Muller on two keyed uniforms)."""
        u1 = self.uniform(purpose, *keys, 1)
        u2 = self.uniform(purpose, *keys, 2)
        return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)

    def exponential(self, purpose: str, *keys: int | np.ndarray) -> np.ndarray:
        """Exp(1) draws."""
        return -np.log1p(-self.uniform(purpose, *keys))

    def integers(self, purpose: str, low: int, high: int, *keys: int | np.ndarray) -> np.ndarray:
        """Integers uniform on [low, high] (both ends included)."""
        span = high - low + 1
        return low + np.floor(self.uniform(purpose, *keys) * span).astype(np.int64)
