"""One generated input (Item), how a family adds inputs (Add), and the manifest's name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

MANIFEST = "manifest.json"

Expect = str  # "record": parsed into a record; "reject": quarantined; "any": either


@dataclass(frozen=True)
class Item:
    """One generated input: its file name, family, what should happen, and how to make it."""

    name: str
    family: str
    expect: Expect
    make: Callable[[], bytes] = field(repr=False, compare=False)
    big: bool = False  # only in the full corpus


class Add(Protocol):
    """Appends one input to the corpus: name, family, expected outcome, recipe, full-corpus only."""

    def __call__(
        self, name: str, family: str, expect: Expect, make: Callable[[], bytes], big: bool = False
    ) -> None: ...


def scale_for(ci: bool) -> int:
    """What the sizes of the medium-sized inputs are divided by: 10 in CI, else 1."""
    return 10 if ci else 1
