"""Table borders from the rules a PDF draws (lines, stroked boxes, thin bars), not from filled
backgrounds; a border a page break left open gets its missing edge back.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from pdfplumber.page import Page

from nianbao.core.readers.pdf.model import SNAP


def drawn_rules(page: Page) -> list[dict[str, Any]]:
    """Drawn rules that can border a table: no filled backgrounds behind text."""
    objs: list[dict[str, Any]] = list(page.lines)
    objs.extend(
        r for r in page.rects if r.get("stroke") or min(float(r["width"]), float(r["height"])) < 2
    )
    objs.extend(c for c in page.curves if c.get("stroke"))
    return objs


def edges_of(objs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Horizontal and vertical edges of drawn objects (a rectangle gives four)."""
    edges: list[dict[str, Any]] = []
    for obj in objs:
        x0, x1, top, bottom = (float(obj[k]) for k in ("x0", "x1", "top", "bottom"))
        if obj.get("object_type") == "curve":
            points = obj.get("pts") or []
            for (ax, ay), (bx, by) in pairwise(points):
                if abs(ax - bx) < 1:
                    edges.append(_v(ax, min(ay, by), max(ay, by)))
                elif abs(ay - by) < 1:
                    edges.append(_h(min(ax, bx), max(ax, bx), ay))
        elif x1 - x0 < 2 and bottom - top >= 2:
            edges.append(_v((x0 + x1) / 2, top, bottom))
        elif bottom - top < 2 and x1 - x0 >= 2:
            edges.append(_h(x0, x1, (top + bottom) / 2))
        elif x1 - x0 >= 2 and bottom - top >= 2:
            edges += [_h(x0, x1, top), _h(x0, x1, bottom), _v(x0, top, bottom), _v(x1, top, bottom)]
    return edges


def _v(x: float, top: float, bottom: float) -> dict[str, Any]:
    """A vertical edge in pdfplumber's object form."""
    return {"x0": x, "x1": x, "top": top, "bottom": bottom, "height": bottom - top,
            "width": 0.0, "orientation": "v", "object_type": "line"}  # fmt: skip


def _h(x0: float, x1: float, y: float) -> dict[str, Any]:
    """A horizontal edge in pdfplumber's object form."""
    return {"x0": x0, "x1": x1, "top": y, "bottom": y, "height": 0.0,
            "width": x1 - x0, "orientation": "h", "object_type": "line"}  # fmt: skip


def closing_edges(
    vertical: list[dict[str, Any]], horizontal: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The bottom (top) rules missing where a page break cut a table open."""
    # At a break the last (first) row often has no rule under (over) it, so pdfplumber finds no
    # cell there. Where two or more verticals end at one height, nothing is ruled beyond it and
    # the rule there is missing or partial, the rule is added.
    added: list[dict[str, Any]] = []
    for end, beyond in (("bottom", 1.0), ("top", -1.0)):
        groups: dict[int, list[dict[str, Any]]] = {}
        for edge in vertical:
            groups.setdefault(round(float(edge[end]) / SNAP), []).append(edge)
        for group in groups.values():
            if len(group) < 2:
                continue
            y = sum(float(e[end]) for e in group) / len(group)
            lo, hi = min(float(e["x0"]) for e in group), max(float(e["x0"]) for e in group)
            near = [h for h in horizontal if h["x0"] < hi and h["x1"] > lo]
            if any((float(h["top"]) - y) * beyond > SNAP for h in near):
                continue  # the table goes on past this height: an inner row boundary
            covered = sum(
                min(hi, float(h["x1"])) - max(lo, float(h["x0"]))
                for h in near
                if abs(float(h["top"]) - y) <= SNAP
            )
            if covered < 0.98 * (hi - lo):
                added.append(_h(lo, hi, y))
    return added
