"""HTML escaping and paragraph markup shared by the demo site's page templates."""

from __future__ import annotations

import html


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _paragraphs(lines: tuple[str, ...]) -> list[str]:
    return [f"<p>{_esc(line)}</p>" for line in lines]
