"""Near-duplicate fingerprints: character shingles, MinHash signatures, LSH band keys. Pure.

Chinese has no spaces and word segmenters drift between versions, so shingles are runs of K
characters of the folded main text. The parameters were chosen by measurement
(`nianbao bench --dedup`, README "Deduplication"); changing them or the hash functions changes
every stored signature, so they are versioned (SIGNATURE_VERSION) and band keys carry it.

Version 2 hashes every shingle at once with numpy: a polynomial hash of the K code points,
a 64-bit finaliser, then NUM_PERM multiply-shift hash functions ((a·x + b) mod 2⁶⁴) >> 32,
keeping the minimum of each. Version 1 (datasketch, one sha1 per shingle) cost ten times more.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

import numpy as np

SIGNATURE_VERSION = 2
SHINGLE = 5  # characters per shingle
NUM_PERM = 128  # MinHash permutations: ±0.044 standard error on a Jaccard estimate
BANDS = 32  # LSH bands of ROWS rows: a pair at Jaccard 0.5 shares a band with p ≈ 0.87
ROWS = NUM_PERM // BANDS
EMPTY = 0xFFFFFFFF  # every value of the signature of a text with no shingle
_SEED = 20190515  # fixed: signatures must agree across processes, machines and restarts

# The raw bit stream of PCG64 is stable across numpy versions (Generator methods need not be).
_RAW = np.random.PCG64(_SEED).random_raw(2 * NUM_PERM + 2).astype(np.uint64) | np.uint64(1)
_A = _RAW[:NUM_PERM, None]  # odd multipliers, one per hash function
_B = _RAW[NUM_PERM : 2 * NUM_PERM, None]  # odd offsets
_BASE, _START = _RAW[-2], _RAW[-1]  # polynomial base; start value, so length counts
_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))  # splitmix64 finaliser


def shingles(folded: str, k: int = SHINGLE) -> set[bytes]:
    """The set of k-character shingles of a folded text (the text itself if shorter)."""
    if len(folded) <= k:
        return {folded.encode("utf-8")} if folded else set()
    return {folded[i : i + k].encode("utf-8") for i in range(len(folded) - k + 1)}


def _shingle_hashes(folded: str) -> np.ndarray:
    """A well-mixed 64-bit hash of every SHINGLE-character window (the whole text if shorter).

    Repeated shingles are kept: a minimum over a multiset is the minimum over its set, and
    sorting them away costs more than hashing them twice.
    """
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    k = min(SHINGLE, len(codes))
    n = len(codes) - k + 1
    with np.errstate(over="ignore"):  # uint64 arithmetic is meant to wrap around
        # Horner's rule unrolled over windows: start·P^k + c₀·P^(k-1) + … + c_(k-1)
        hashes = np.full(n, _START * _BASE ** np.uint64(k), dtype=np.uint64)
        for j in range(k):
            hashes += codes[j : j + n] * _BASE ** np.uint64(k - 1 - j)
        hashes ^= hashes >> np.uint64(30)
        hashes *= _MIX[0]
        hashes ^= hashes >> np.uint64(27)
        hashes *= _MIX[1]
        hashes ^= hashes >> np.uint64(31)
    return hashes


def signature(folded: str) -> list[int]:
    """MinHash signature (NUM_PERM unsigned 32-bit values) of a folded text."""
    if not folded:
        return [EMPTY] * NUM_PERM
    hashes = _shingle_hashes(folded)
    with np.errstate(over="ignore"):
        values = _A * hashes
        values += _B
    # the top 32 bits of the minimum are the minimum of the top 32 bits: shift 128 values only
    return (values.min(axis=1) >> np.uint64(32)).tolist()


def pack(sig: Sequence[int]) -> bytes:
    """A signature as NUM_PERM × 4 bytes, for storage."""
    return struct.pack(f"<{len(sig)}I", *sig)


def unpack(data: bytes) -> list[int]:
    """The signature stored by `pack`."""
    return list(struct.unpack(f"<{len(data) // 4}I", data))


def estimate(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    if not a or len(a) != len(b):
        return 0.0
    return float(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)


def band_keys(sig: Sequence[int]) -> list[int]:
    """One signed 63-bit key per LSH band: equal keys in any band make two texts candidates.

    The signature version personalises the hash, so bands of two versions never meet.
    """
    person = f"nianbao-sig-v{SIGNATURE_VERSION}".encode()
    keys = []
    for band in range(BANDS):
        rows = pack(sig[band * ROWS : (band + 1) * ROWS])
        digest = hashlib.blake2b(bytes([band]) + rows, digest_size=8, person=person).digest()
        keys.append(int.from_bytes(digest, "little", signed=True) >> 1)
    return keys


def jaccard(a: str, b: str, k: int = SHINGLE) -> float:
    """Exact Jaccard similarity of two folded texts' shingle sets (calibration, tests)."""
    sa, sb = shingles(a, k), shingles(b, k)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0
