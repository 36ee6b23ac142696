"""Families of broken and flooding HTML markup."""

from __future__ import annotations

# ruff: noqa: E501  (the corpus is a table of one-line input recipes; wrapping them hides it)
from .build_text import (
    page,
    report_html,
    title,
)
from .item import Add, scale_for


def markup(add: Add, ci: bool) -> None:
    """Unclosed comments and scripts, floods of links, tags, entities."""
    scale = scale_for(ci)
    add(
        "markup/unclosed-comment.html",
        "markup",
        "any",
        lambda: (report_html()[:300] + "<!--" + "x" * 100_000).encode(),
    )
    add("markup/unclosed-script.html", "markup", "any", lambda: (report_html()[:300] + "<script>" + "x" * 100_000).encode())  # fmt: skip
    add(
        "markup/100000-links.html",
        "markup",
        "any",
        lambda: page("<a href=/x>链接</a>" * (100_000 // scale)).encode(),
    )
    add("markup/200000-br.html", "markup", "any", lambda: page("<br>" * 200_000).encode())
    add(
        "markup/cdata.html",
        "markup",
        "any",
        lambda: page("<![CDATA[" + "x" * 100_000 + "]]>").encode(),
    )
    add("markup/lt-flood.html", "markup", "any", lambda: page("<a" * 200_000).encode())
    add("markup/gt-flood.html", "markup", "any", lambda: page(">" * 200_000).encode())
    add(
        "markup/entities.html",
        "markup",
        "any",
        lambda: page("&#x110000;&#0;&#xD800;&amp;&nbsp" * 20_000).encode(),
    )
    add("markup/headings-flood.txt", "markup", "any", lambda: ("一、" * 300_000).encode())
    add("markup/selector-ids.html", "markup", "any",
        lambda: page("".join(f"<div id=zoom class=TRS_Editor>{title()}</div>" for _ in range(10_000))).encode())  # fmt: skip
