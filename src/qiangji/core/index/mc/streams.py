"""Keyed (counter-based) random numbers: the draw for replication ``k`` does not depend on any other.

Every uncertain input of the Monte-Carlo analysis ("factor") owns a stream. The numbers of replication
``k`` in that stream are a pure function of ``(seed, factor, k, j)``, computed in one vectorised step for any
set of replications. This is what makes the results identical whatever the chunk size, and what lets the
Saltelli design re-use the draws of its base matrices A and B in the mixed matrices A_B^(i).

The generator is SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
OOPSLA), which is counter-based by construction: its n-th output is ``mix(base + (n + 1)·γ)`` with the
golden-ratio increment γ and the murmur3-style finaliser ``mix`` (Stafford's "Mix13" constants). It passes
BigCrush, and is the generator numpy's ``SeedSequence`` documentation recommends for seeding. The stream
base of each factor is derived from the seed by ``numpy.random.SeedSequence(seed, spawn_key=(factor,))``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["keyed_normals", "keyed_uniforms", "stream_base"]

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TWO_M53 = 2.0**-53


def stream_base(seed: int, factor: int) -> np.uint64:
    """The 64-bit base of factor ``factor``'s stream for ``seed`` (numpy SeedSequence spawning)."""
    state = np.random.SeedSequence(seed, spawn_key=(factor,)).generate_state(1, np.uint64)
    return np.uint64(state[0])


def _mix(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _bits(base: np.uint64, keys: NDArray[np.integer], width: int) -> NDArray[np.uint64]:
    counter = keys.astype(np.uint64)[:, None] * np.uint64(width) + np.arange(width, dtype=np.uint64)[None, :]
    return _mix(base + (counter + np.uint64(1)) * _GAMMA)  # uint64 arithmetic wraps modulo 2**64


def keyed_uniforms(base: np.uint64, keys: NDArray[np.integer], width: int) -> NDArray[np.float64]:
    """Uniform draws in (0, 1), shape ``(len(keys), width)``; row i depends only on ``(base, keys[i])``.

    ``u = (⌊z / 2^11⌋ + 1/2) · 2^-53`` from the 64-bit output z: 53 random bits, never exactly 0 or 1.

    Examples
    --------
    >>> b = stream_base(1, 0)
    >>> bool((keyed_uniforms(b, np.array([5, 7]), 3)[1] == keyed_uniforms(b, np.array([7]), 3)[0]).all())
    True
    """
    keys = np.asarray(keys)
    return ((_bits(base, keys, width) >> np.uint64(11)).astype(np.float64) + 0.5) * _TWO_M53


def keyed_normals(base: np.uint64, keys: NDArray[np.integer], width: int) -> NDArray[np.float64]:
    """Standard normal draws by inversion, ``z = Φ⁻¹(u)`` with `keyed_uniforms` u; same shape and keying."""
    # imported here: scipy.special takes 0.15 s to import, and only measurement noise needs it
    from scipy.special import ndtri

    return np.asarray(ndtri(keyed_uniforms(base, keys, width)), dtype=np.float64)
