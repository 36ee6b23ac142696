"""The corpus: every family's inputs in a fixed order, and writing them with a manifest."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from . import documents, encodings, markup, sizes, values
from .item import MANIFEST, Expect, Item

# The families in the order the corpus lists them (the manifest keeps this order).
FAMILIES = (
    encodings.empty,
    encodings.binary,
    encodings.nul,
    encodings.encodings,
    sizes.big,
    sizes.nesting,
    sizes.tables,
    sizes.spans,
    sizes.lines,
    sizes.attributes,
    values.numbers_and_dates,
    values.years,
    documents.pdfs,
    documents.docx_packages,
    documents.xml_entities,
    documents.lying,
    encodings.controls,
    sizes.copies,
    markup.markup,
)


def corpus(ci: bool = False) -> list[Item]:
    """Every input, in a fixed order; with ci, the big ones are left out and some sizes shrink."""
    items: list[Item] = []

    def add(name: str, family: str, expect: Expect, make: Callable[[], bytes], big: bool = False):
        items.append(Item(name, family, expect, make, big))

    for family in FAMILIES:
        family(add, ci)
    names = [item.name for item in items]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"corpus names must be unique: {duplicates}"
    return [item for item in items if not (ci and item.big)]


def generate(directory: Path, ci: bool = False) -> list[Item]:
    """Write every input of the corpus and the manifest (name, family, expect) into directory."""
    items = corpus(ci)
    for item in items:
        path = directory / item.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.make())
    manifest = [
        {"name": item.name, "family": item.family, "expect": item.expect, "big": item.big}
        for item in items
    ]
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return items
