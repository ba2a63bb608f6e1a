"""numpy's PCG64 streams and samplers, reproduced bit for bit in compiled code (numba).

A replication's named stream is ``Generator(PCG64(SeedSequence(seed, spawn_key=(r,
stable_hash(name)))))`` (:class:`jitsim.streams.Streams`). Opening one through numpy costs about
30 µs, and numpy's samplers are called per replication, which set the fast engine's floor at
about 140 µs per replication (docs/performance.md). Here the same streams are seeded and drawn
for a whole block of replications in one compiled call:

* :func:`seed_states` — ``SeedSequence.generate_state`` and ``PCG64``'s seeding (numpy's
  ``bit_generator.pyx`` and ``pcg64.c``), one state row per replication;
* :func:`next64`, :func:`next32`, :func:`next_double` — ``pcg64_next64`` (step, then the XSL-RR
  output), ``pcg64_next32`` (the upper half of a 64-bit draw kept for the next call, as
  numpy keeps it in the bit generator), ``next_double`` (53 bits);
* :func:`poisson`, :func:`bounded32` — ``random_poisson`` (multiplication method below 10,
  Hörmann's PTRS from 10) and ``buffered_bounded_lemire_uint32`` (``Generator.integers`` for
  ranges below 2³²), from numpy's ``distributions.c``.

A stream's state is a row of six ``uint64``: the 128-bit LCG state and increment (high and low
words), whether a 32-bit half is kept, and that half. The tests (``tests/fast/test_pcg64.py``)
hold every function to numpy's own output. numba is an optional extra (``jitsim[fast]``):
:data:`AVAILABLE` is False without it and the fast engine draws through numpy instead.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

#: Whether numba is installed (``jitsim[fast]``); without it these functions run as plain
#: Python, far too slowly for the engine, which then draws through numpy instead.
AVAILABLE = importlib.util.find_spec("numba") is not None

_Function = TypeVar("_Function", bound=Callable[..., Any])


def _compiled(function: _Function) -> _Function:
    """``numba.njit`` with its machine code cached on disk, when numba is installed."""
    if not AVAILABLE:  # pragma: no cover - exercised when the extra is not installed
        return function
    numba = importlib.import_module("numba")
    return cast(_Function, numba.njit(cache=True)(function))


__all__ = [
    "AVAILABLE",
    "integers_rows",
    "poisson_rows",
    "random_rows",
    "seed_states",
    "spawn_words",
]

_U32 = np.uint64(0xFFFFFFFF)
_U64_ONE = np.uint64(1)
# SeedSequence's hash constants (numpy/random/bit_generator.pyx)
_INIT_A = np.uint64(0x43B0D7E5)
_MULT_A = np.uint64(0x931E8875)
_INIT_B = np.uint64(0x8B51F9DD)
_MULT_B = np.uint64(0x58F38DED)
_MIX_MULT_L = np.uint64(0xCA01F9DD)
_MIX_MULT_R = np.uint64(0x4973F715)
_POOL = 4
# PCG's default 128-bit multiplier (PCG_DEFAULT_MULTIPLIER_128), high and low words
_MULT_HI = np.uint64(2549297995355413924)
_MULT_LO = np.uint64(4865540595714422341)
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0

# a stream's row: LCG state (high, low), increment (high, low), has a kept half, the half
STATE_HI, STATE_LO, INC_HI, INC_LO, HAS32, HALF32 = range(6)


def spawn_words(value: int) -> list[int]:
    """The 32-bit words of a non-negative int, least significant first (``[0]`` for 0), as
    SeedSequence coerces its entropy and spawn key."""
    if value < 0:
        raise ValueError("seeds and spawn keys are non-negative")
    words = []
    while True:
        words.append(value & 0xFFFFFFFF)
        value >>= 32
        if not value:
            return words


# --------------------------------------------------------------------------- SeedSequence


@_compiled
def _hashmix(value: np.uint64, hash_const: np.ndarray) -> np.uint64:
    value = (value ^ hash_const[0]) & _U32
    hash_const[0] = (hash_const[0] * _MULT_A) & _U32
    value = (value * hash_const[0]) & _U32
    return value ^ (value >> np.uint64(16))


@_compiled
def _mix(x: np.uint64, y: np.uint64) -> np.uint64:
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _U32
    return result ^ (result >> np.uint64(16))


@_compiled
def _generate_state(entropy: np.ndarray, out: np.ndarray) -> None:
    """SeedSequence(entropy words).generate_state(len(out) // 2, uint64) into ``out`` as
    32-bit words (pairs make the uint64 words, low word first)."""
    hash_const = np.empty(1, dtype=np.uint64)
    hash_const[0] = _INIT_A
    pool = np.empty(_POOL, dtype=np.uint64)
    for i in range(_POOL):
        pool[i] = _hashmix(entropy[i] if i < len(entropy) else np.uint64(0), hash_const)
    for source in range(_POOL):
        for target in range(_POOL):
            if source != target:
                pool[target] = _mix(pool[target], _hashmix(pool[source], hash_const))
    for source in range(_POOL, len(entropy)):
        for target in range(_POOL):
            pool[target] = _mix(pool[target], _hashmix(entropy[source], hash_const))
    hash_b = _INIT_B
    for i in range(len(out)):
        value = (pool[i % _POOL] ^ hash_b) & _U32
        hash_b = (hash_b * _MULT_B) & _U32
        value = (value * hash_b) & _U32
        out[i] = value ^ (value >> np.uint64(16))


# --------------------------------------------------------------------------- PCG64


def _native_mulhi() -> Callable[..., Any]:
    """The high 64 bits of a 128-bit product in one machine multiply (an LLVM ``i128``
    multiply, which numba does not offer as a Python operation)."""
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic

    @intrinsic
    def mulhi(typingctx: Any, x: Any, y: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            wide = ir.IntType(128)
            product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
            return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

        return types.uint64(types.uint64, types.uint64), codegen

    return mulhi


def _python_mulhi(x: np.uint64, y: np.uint64) -> np.uint64:
    """The high 64 bits of the 128-bit product x·y (plain Python, without numba)."""
    return np.uint64((int(x) * int(y)) >> 64)


_mulhi = _native_mulhi() if AVAILABLE else _python_mulhi


@_compiled
def _advance(
    hi: np.uint64, lo: np.uint64, inc_hi: np.uint64, inc_lo: np.uint64
) -> tuple[np.uint64, np.uint64]:
    """The next LCG state: state · multiplier + increment (mod 2¹²⁸), as (high, low)."""
    new_hi = _mulhi(lo, _MULT_LO) + hi * _MULT_LO + lo * _MULT_HI
    new_lo = lo * _MULT_LO
    low = new_lo + inc_lo
    carry = np.uint64(1) if low < new_lo else np.uint64(0)
    return new_hi + inc_hi + carry, low


@_compiled
def _output(hi: np.uint64, lo: np.uint64) -> np.uint64:
    """PCG's XSL-RR output of a state: the two halves xor-ed, rotated by the top 6 bits."""
    value = hi ^ lo
    rot = hi >> np.uint64(58)
    return (value >> rot) | (value << ((np.uint64(64) - rot) & np.uint64(63)))


@_compiled
def _step(s: np.ndarray) -> None:
    """Advance the state in a stream's row."""
    s[STATE_HI], s[STATE_LO] = _advance(s[STATE_HI], s[STATE_LO], s[INC_HI], s[INC_LO])


@_compiled
def _seed(words: np.ndarray, s: np.ndarray) -> None:
    """pcg64_set_seed from SeedSequence's four uint64 words (as 8 uint32 words)."""
    init_hi = words[0] | (words[1] << np.uint64(32))
    init_lo = words[2] | (words[3] << np.uint64(32))
    seq_hi = words[4] | (words[5] << np.uint64(32))
    seq_lo = words[6] | (words[7] << np.uint64(32))
    s[INC_HI] = (seq_hi << _U64_ONE) | (seq_lo >> np.uint64(63))
    s[INC_LO] = (seq_lo << _U64_ONE) | _U64_ONE
    s[STATE_HI] = np.uint64(0)
    s[STATE_LO] = np.uint64(0)
    _step(s)
    low = s[STATE_LO] + init_lo
    carry = np.uint64(1) if low < init_lo else np.uint64(0)
    s[STATE_HI] = s[STATE_HI] + init_hi + carry
    s[STATE_LO] = low
    _step(s)
    s[HAS32] = np.uint64(0)
    s[HALF32] = np.uint64(0)


@_compiled
def _seed_rows(entropy: np.ndarray, replications: np.ndarray, name_words: np.ndarray) -> np.ndarray:
    states = np.empty((len(replications), 6), dtype=np.uint64)
    n_run = len(entropy)
    # run entropy padded to the pool size when there is a spawn key (SeedSequence)
    n_run_padded = max(n_run, _POOL)
    key = np.zeros(n_run_padded + 1 + len(name_words), dtype=np.uint64)
    key[:n_run] = entropy
    key[n_run_padded + 1 :] = name_words
    words = np.empty(8, dtype=np.uint64)
    for i in range(len(replications)):
        key[n_run_padded] = replications[i]
        _generate_state(key, words)
        _seed(words, states[i])
    return states


def seed_states(seed: int, replications: range, name_hash: int) -> np.ndarray:
    """The PCG64 states of stream ``name`` for ``replications``, as
    ``PCG64(SeedSequence(seed, spawn_key=(r, name_hash)))`` starts it: (replications, 6) uint64.

    Replication indices must be below 2³² (one spawn-key word each, as numpy coerces them).
    """
    if replications.stop > 0xFFFFFFFF:
        raise ValueError("replication indices must be below 2**32")
    entropy = np.array(spawn_words(seed), dtype=np.uint64)
    name_words = np.array(spawn_words(name_hash), dtype=np.uint64)
    indices = np.arange(replications.start, replications.stop, dtype=np.uint64)
    return _seed_rows(entropy, indices, name_words)


@_compiled
def next64(s: np.ndarray) -> np.uint64:
    """pcg64_next64: step, then the XSL-RR output of the new state."""
    _step(s)
    return _output(s[STATE_HI], s[STATE_LO])


@_compiled
def next32(s: np.ndarray) -> np.uint64:
    """pcg64_next32: the low half of a fresh 64-bit draw; its high half serves the next call."""
    if s[HAS32]:
        s[HAS32] = np.uint64(0)
        return s[HALF32]
    value = next64(s)
    s[HAS32] = np.uint64(1)
    s[HALF32] = value >> np.uint64(32)
    return value & _U32


@_compiled
def next_double(s: np.ndarray) -> float:
    """A uniform double on [0, 1) from the top 53 bits of a 64-bit draw."""
    return float(next64(s) >> np.uint64(11)) * _TWO_TO_MINUS_53


# --------------------------------------------------------------------------- samplers

_LOGGAM_A = np.array(
    [
        8.333333333333333e-02,
        -2.777777777777778e-03,
        7.936507936507937e-04,
        -5.952380952380952e-04,
        8.417508417508418e-04,
        -1.917526917526918e-03,
        6.410256410256410e-03,
        -2.955065359477124e-02,
        1.796443723688307e-01,
        -1.39243221690590e00,
    ]
)


@_compiled
def _loggam(x: float) -> float:
    """numpy's random_loggam (log Γ(x), SPECFUN's series)."""
    x0 = x
    n = 0
    if x == 1.0 or x == 2.0:
        return 0.0
    if x <= 7.0:
        n = int(7 - x)
        x0 = x + n
    x2 = 1.0 / (x0 * x0)
    xp = 2 * math.pi
    gl0 = _LOGGAM_A[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += _LOGGAM_A[k]
    gl = gl0 / x0 + 0.5 * math.log(xp) + (x0 - 0.5) * math.log(x0) - x0
    if x <= 7.0:
        for _ in range(n):
            gl -= math.log(x0 - 1.0)
            x0 -= 1.0
    return gl


@_compiled
def _poisson_ptrs(s: np.ndarray, lam: float) -> int:
    """Hörmann's transformed rejection (numpy's random_poisson_ptrs), λ ≥ 10."""
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = next_double(s) - 0.5
        v = next_double(s)
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)) <= (
            -lam + k * loglam - _loggam(float(k + 1))
        ):
            return k


@_compiled
def poisson(s: np.ndarray, lam: float) -> int:
    """numpy's random_poisson: one Poisson(λ) draw."""
    if lam >= 10:
        return _poisson_ptrs(s, lam)
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    count = 0
    product = 1.0
    while True:
        product *= next_double(s)
        if product > enlam:
            count += 1
        else:
            return count


@_compiled
def bounded32(s: np.ndarray, span: np.uint64) -> np.uint64:
    """Lemire's rejection for an integer in 0 … span (span < 2³² − 1), as numpy's
    buffered_bounded_lemire_uint32 (32-bit draws through :func:`next32`)."""
    excl = span + _U64_ONE
    m = next32(s) * excl
    leftover = m & _U32
    if leftover < excl:
        threshold = (_U32 - span) % excl
        while leftover < threshold:
            m = next32(s) * excl
            leftover = m & _U32
    return m >> np.uint64(32)


# --------------------------------------------------------------------------- block draws


@_compiled
def _mult_rows_in_pairs(states: np.ndarray, enlams: np.ndarray, out: np.ndarray) -> None:
    """:func:`poisson_rows` when every rate is in (0, 10), given e^-λ of each draw: the
    multiplication method on two replications at once.

    Each replication's draws are one chain of dependent steps (the LCG state, the running
    product); stepping two independent chains in one loop lets the processor overlap them.
    Each row still takes its own uniforms in its own order, so the draws are the same."""
    rows, days = out.shape
    for i in range(0, rows - 1, 2):
        a, b = states[i], states[i + 1]
        a_hi, a_lo, a_inc_hi, a_inc_lo = a[STATE_HI], a[STATE_LO], a[INC_HI], a[INC_LO]
        b_hi, b_lo, b_inc_hi, b_inc_lo = b[STATE_HI], b[STATE_LO], b[INC_HI], b[INC_LO]
        a_day = b_day = 0
        a_count = b_count = 0
        a_product = b_product = 1.0
        while a_day < days and b_day < days:
            a_hi, a_lo = _advance(a_hi, a_lo, a_inc_hi, a_inc_lo)
            b_hi, b_lo = _advance(b_hi, b_lo, b_inc_hi, b_inc_lo)
            a_product *= float(_output(a_hi, a_lo) >> np.uint64(11)) * _TWO_TO_MINUS_53
            b_product *= float(_output(b_hi, b_lo) >> np.uint64(11)) * _TWO_TO_MINUS_53
            if a_product > enlams[a_day]:
                a_count += 1
            else:
                out[i, a_day] = a_count
                a_day += 1
                a_count = 0
                a_product = 1.0
            if b_product > enlams[b_day]:
                b_count += 1
            else:
                out[i + 1, b_day] = b_count
                b_day += 1
                b_count = 0
                b_product = 1.0
        a[STATE_HI], a[STATE_LO] = a_hi, a_lo
        b[STATE_HI], b[STATE_LO] = b_hi, b_lo
        # the row that finished first is done; the other goes on alone
        if a_day < days:
            _mult_row(a, enlams, out[i], a_day, days, a_count, a_product)
        elif b_day < days:
            _mult_row(b, enlams, out[i + 1], b_day, days, b_count, b_product)
    if rows % 2:
        _mult_row(states[rows - 1], enlams, out[rows - 1], 0, days, 0, 1.0)


@_compiled
def _mult_row(
    s: np.ndarray,
    enlams: np.ndarray,
    row: np.ndarray,
    day: int,
    end: int,
    count: int,
    product: float,
) -> None:
    """The multiplication method for one replication's draws ``day`` … ``end - 1``, that
    draw's count and running product given (the state held in registers, as numpy's
    random_poisson_mult steps it)."""
    hi, lo, inc_hi, inc_lo = s[STATE_HI], s[STATE_LO], s[INC_HI], s[INC_LO]
    while day < end:
        hi, lo = _advance(hi, lo, inc_hi, inc_lo)
        product *= float(_output(hi, lo) >> np.uint64(11)) * _TWO_TO_MINUS_53
        if product > enlams[day]:
            count += 1
        else:
            row[day] = count
            day += 1
            count = 0
            product = 1.0
    s[STATE_HI], s[STATE_LO] = hi, lo


@_compiled
def _exp_minus(means: np.ndarray) -> np.ndarray:
    """e^-λ of each rate with math.exp, as numpy's sampler takes it, computed again only when
    the rate changes. The loop carries the last rate so that it is not vectorised: a vector
    exp (SVML) may differ from the C library's in the last bit."""
    enlams = np.empty_like(means)
    last_lam = -1.0
    enlam = 1.0
    for j in range(means.shape[0]):
        if means[j] != last_lam:
            last_lam = means[j]
            enlam = math.exp(-last_lam)
        enlams[j] = enlam
    return enlams


@_compiled
def poisson_rows(states: np.ndarray, means: np.ndarray, out: np.ndarray) -> None:
    """``out[i, j]`` = the j-th draw of ``rng.poisson(means)`` in replication i's stream.

    With every rate in (0, 10), the common case of daily demand, the multiplication method
    runs two replications at a time (:func:`_mult_rows_in_pairs`); otherwise each draw takes
    numpy's method for its rate: the multiplication method below 10 (:func:`_mult_row`),
    :func:`poisson` else."""
    enlams = _exp_minus(means)
    if means.shape[0] and (means > 0).all() and (means < 10).all():
        _mult_rows_in_pairs(states, enlams, out)
        return
    for i in range(states.shape[0]):
        s = states[i]
        for j in range(means.shape[0]):
            lam = means[j]
            if lam >= 10 or lam == 0:
                out[i, j] = poisson(s, lam)
            else:
                _mult_row(s, enlams, out[i], j, j + 1, 0, 1.0)


@_compiled
def integers_rows(states: np.ndarray, low: int, high: int, out: np.ndarray) -> None:
    """``out[i]`` = ``rng.integers(low, high, out.shape[1], endpoint=True)`` in replication
    i's stream (int64 output; spans below 2³² − 1)."""
    span = np.uint64(high - low)
    for i in range(states.shape[0]):
        s = states[i]
        for j in range(out.shape[1]):
            out[i, j] = low + int(bounded32(s, span)) if span else low


@_compiled
def random_rows(states: np.ndarray, out: np.ndarray) -> None:
    """``out[i]`` = ``rng.random(out.shape[1])`` in replication i's stream."""
    for i in range(states.shape[0]):
        s = states[i]
        for j in range(out.shape[1]):
            out[i, j] = next_double(s)
