"""One reader per input format: decoded text or raw bytes in, Document out. No I/O."""

from __future__ import annotations

from nianbao.core.readers.docx import read_docx
from nianbao.core.readers.html import read_html
from nianbao.core.readers.pdf import read_pdf
from nianbao.core.readers.plain import read_plain

__all__ = ["read_docx", "read_html", "read_pdf", "read_plain"]
