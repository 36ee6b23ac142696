"""A corpus of hostile inputs, generated, and a runner that proves none crashes, hangs or bloats.

    python -m devtools.hostile_corpus generate DIR [--ci]     # write the inputs + manifest.json
    python -m devtools.hostile_corpus run DIR [--seconds S] [--memory-mb M]
    python -m devtools.hostile_corpus check DIR [--ci]        # generate, then run

Everything is generated here, deterministically (seeded), nothing is downloaded: empty and
binary bodies, NUL bytes, mislabelled and mixed encodings, UTF-16, Big5, 25 MB and 50 MB bodies,
deep nesting, wide and long tables, span bombs, long lines, a 200,000-attribute tag, absurd
numbers and dates, truncated and corrupt PDFs, PDF streams that inflate to gigabytes, DOCX zip
bombs, gridSpan bombs, non-Word roots, XML entity bombs and external entities (XXE pointing at
/etc/passwd), types that lie about themselves, control and bidi characters, 5,000 copies of a
report on one page and titles naming the years 9999 and 1899. ``--ci`` leaves out the big ones
(25/50 MB bodies, gigabyte bombs) and shrinks a few sizes so the whole run stays well under a
minute; without it the full corpus is written.

The runner pushes each file through the code path of ``nianbao parse`` (`nianbao.cli`'s
`parse_outcome`: sniff the type, `analyse` in a bounded child process) and accounts for every
input: a record, or a rejection with a stable reason. A crash (an exception out of the core, with
its traceback), a hang (the time bound hit: ``parse_timeout``), the memory cap hit
(``memory_limit``), a dead parser process or an input with no outcome makes it exit non-zero. It
also checks that no output carries the content of /etc/passwd (the XXE inputs point there).
"""

from __future__ import annotations

from .build_docx import (
    BILLION_LAUGHS,
    XXE,
    W,
    document_xml,
    docx,
    docx_lying_size,
    docx_many_members,
    docx_table,
    docx_zip_bomb,
    normal_rows,
    w_cell,
    w_paragraph,
    w_row,
)
from .build_pdf import many_small_bombs, pdf_bomb, report_pdf
from .build_text import TABLE_ROWS, html_table, page, report_html, report_text, title
from .check import STABLE_REASONS, Result, run, run_one
from .generate import corpus, generate
from .item import MANIFEST, Item
from .report import accounting

__all__ = [
    "BILLION_LAUGHS",
    "MANIFEST",
    "STABLE_REASONS",
    "TABLE_ROWS",
    "XXE",
    "Item",
    "Result",
    "W",
    "accounting",
    "corpus",
    "document_xml",
    "docx",
    "docx_lying_size",
    "docx_many_members",
    "docx_table",
    "docx_zip_bomb",
    "generate",
    "html_table",
    "many_small_bombs",
    "normal_rows",
    "page",
    "pdf_bomb",
    "report_html",
    "report_pdf",
    "report_text",
    "run",
    "run_one",
    "title",
    "w_cell",
    "w_paragraph",
    "w_row",
]
