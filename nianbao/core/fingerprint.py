"""Content fingerprints for duplicate detection. Pure functions, no I/O."""

from __future__ import annotations

import hashlib

from nianbao.core.text import fold_for_matching


def exact_key(main_text: str) -> str:
    """sha256 of the folded main text: equal for copies that differ in chrome, width or spacing."""
    return hashlib.sha256(fold_for_matching(main_text).encode("utf-8")).hexdigest()
