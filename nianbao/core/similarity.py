"""Near-duplicate fingerprints: character shingles, MinHash signatures, LSH band keys. Pure.

Chinese has no spaces and word segmenters drift between versions, so shingles are runs of K
characters of the folded main text. The parameters were chosen by measurement
(`nianbao bench --dedup`, README "Deduplication"); changing them changes every stored
signature, so they are versioned (SIGNATURE_VERSION).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash

SIGNATURE_VERSION = 1
SHINGLE = 5  # characters per shingle
NUM_PERM = 128  # MinHash permutations: ±0.044 standard error on a Jaccard estimate
BANDS = 32  # LSH bands of ROWS rows: a pair at Jaccard 0.5 shares a band with p ≈ 0.87
ROWS = NUM_PERM // BANDS
_SEED = 20190515  # fixed: signatures must agree across processes, machines and restarts


def shingles(folded: str, k: int = SHINGLE) -> set[bytes]:
    """The set of k-character shingles of a folded text (the text itself if shorter)."""
    if len(folded) <= k:
        return {folded.encode("utf-8")} if folded else set()
    return {folded[i : i + k].encode("utf-8") for i in range(len(folded) - k + 1)}


def signature(folded: str) -> list[int]:
    """MinHash signature (NUM_PERM unsigned 32-bit values) of a folded text."""
    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme="affine32")
    minhash.update_batch(list(shingles(folded)))
    return [int(v) for v in minhash.hashvalues]


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
    """One signed 63-bit key per LSH band: equal keys in any band make two texts candidates."""
    keys = []
    for band in range(BANDS):
        rows = pack(sig[band * ROWS : (band + 1) * ROWS])
        digest = hashlib.blake2b(bytes([band]) + rows, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True) >> 1)
    return keys


def jaccard(a: str, b: str, k: int = SHINGLE) -> float:
    """Exact Jaccard similarity of two folded texts' shingle sets (calibration, tests)."""
    sa, sb = shingles(a, k), shingles(b, k)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0
