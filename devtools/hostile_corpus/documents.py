"""Families of hostile PDFs, DOCX packages, XML entities and types that lie."""

from __future__ import annotations

# ruff: noqa: E501  (the corpus is a table of one-line input recipes; wrapping them hides it)
import io
import zipfile
import zlib

from .build_docx import (
    BILLION_LAUGHS,
    XXE,
    XXE_PARAM,
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
    w_table,
)
from .build_pdf import cut, flipped, many_small_bombs, pdf_bomb, raw_pdf, report_pdf
from .build_text import (
    deterministic,
    report_html,
    report_text,
    title,
)
from .item import Add, scale_for


def pdfs(add: Add, ci: bool) -> None:
    """Truncated, corrupt and bomb PDFs."""
    add("pdf/report.pdf", "pdf", "record", report_pdf)
    for fraction in (0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99):
        add(f"pdf/truncated-{int(fraction * 100)}.pdf", "pdf", "any", cut(fraction))
    for seed in range(8):
        add(f"pdf/flipped-{seed}.pdf", "pdf", "any", flipped(seed, 1 + seed * 20))
    add("pdf/header-only.pdf", "pdf", "reject", lambda: b"%PDF-1.7\n")
    add("pdf/header-garbage.pdf", "pdf", "reject", lambda: b"%PDF-1.4\n" + deterministic(3, 50_000))
    add("pdf/no-xref.pdf", "pdf", "any", lambda: report_pdf().split(b"xref")[0])
    add(
        "pdf/bad-startxref.pdf",
        "pdf",
        "any",
        lambda: report_pdf().replace(b"startxref", b"startxref\n999999999\n"),
    )
    add("pdf/minimal-text.pdf", "pdf", "any", lambda: raw_pdf([]))
    add(
        "pdf/loop-pages.pdf",
        "pdf",
        "any",
        lambda: raw_pdf([]).replace(b"/Kids [3 0 R]", b"/Kids [2 0 R]"),
    )
    add(
        "pdf/huge-length.pdf",
        "pdf",
        "any",
        lambda: raw_pdf([]).replace(b"/Length 50", b"/Length 999999999999"),
    )
    add(
        "pdf/bad-flate.pdf",
        "pdf",
        "any",
        lambda: raw_pdf([("/Filter /FlateDecode", deterministic(4, 10_000))]),
    )
    add("pdf/bomb-200mb.pdf", "pdf_bomb", "reject", pdf_bomb(200 << 20))
    add("pdf/bomb-200mb-extra-object.pdf", "pdf_bomb", "reject", pdf_bomb(200 << 20, content=False))
    add("pdf/bomb-2layer-1gb.pdf", "pdf_bomb", "reject", pdf_bomb(1 << 30, layers=2), big=True)
    add("pdf/bomb-4gb.pdf", "pdf_bomb", "reject", pdf_bomb(4 << 30), big=True)
    add("pdf/bomb-1gb.pdf", "pdf_bomb", "reject", pdf_bomb(1 << 30), big=True)
    add("pdf/bomb-many-100mb.pdf", "pdf_bomb", "reject", many_small_bombs(8, 100 << 20))
    add("pdf/stream-100mb.pdf", "pdf_bomb", "any", pdf_bomb(100 << 20, content=False), big=True)
    add(
        "pdf/lzw-filter.pdf",
        "pdf",
        "any",
        lambda: raw_pdf([("/Filter /LZWDecode", deterministic(5, 5000))]),
    )
    add(
        "pdf/deep-arrays.pdf",
        "pdf",
        "any",
        lambda: raw_pdf([("", b"[" * 100_000 + b"]" * 100_000)]),
    )
    add("pdf/many-chars.pdf", "pdf", "any",
        lambda: raw_pdf([("/Filter /FlateDecode", zlib.compress(b"BT /F1 1 Tf " + b"(x) Tj " * (120_000 if ci else 300_000) + b"ET"))]))  # fmt: skip
    add("pdf/many-rules.pdf", "pdf", "any",
        lambda: raw_pdf([("/Filter /FlateDecode", zlib.compress(b"BT /F1 12 Tf 72 720 Td (Report) Tj ET " + b"".join(f"{i % 500} {i // 500} 1 1 re S ".encode() for i in range(25_000 if ci else 60_000))))]))  # fmt: skip
    add("pdf/grid-3000.pdf", "pdf", "any",
        lambda: raw_pdf([("/Filter /FlateDecode", zlib.compress(b"BT /F1 12 Tf 72 720 Td (Report) Tj ET " + b"".join(f"{i * 0.2:.1f} 0 m {i * 0.2:.1f} 800 l S 0 {i * 0.27:.2f} m 595 {i * 0.27:.2f} l S ".encode() for i in range(3000))))]))  # fmt: skip


def docx_packages(add: Add, ci: bool) -> None:
    """DOCX gridSpan bombs, non-Word roots, entities, zip bombs, corrupt packages."""
    scale = scale_for(ci)
    add("docx/report.docx", "docx", "record", lambda: docx(document_xml(w_table(normal_rows()))))
    for prop, value in (
        ("gridSpan", "1000000000"),
        ("gridSpan", "9" * 5000),
        ("gridSpan", "-5"),
        ("gridSpan", "abc"),
    ):
        label = value if len(value) < 20 else f"{len(value)}digits"
        add(f"docx/{prop}-{label}.docx", "docx_grid", "any",
            docx_table([w_row([w_cell("x", f'<w:{prop} w:val="{value}"/>'), w_cell("y")]), *normal_rows()]))  # fmt: skip
    for prop in ("gridBefore", "gridAfter"):
        add(f"docx/{prop}-1e9.docx", "docx_grid", "any",
            docx_table([w_row([w_cell("x"), w_cell("y")], f'<w:{prop} w:val="1000000000"/>'), *normal_rows()]))  # fmt: skip
    add("docx/gridSpan-1e9-every-row.docx", "docx_grid", "reject",
        docx_table([w_row([w_cell("x", '<w:gridSpan w:val="1000000000"/>')] * 10)] * 100))  # fmt: skip
    add("docx/vmerge-first-row.docx", "docx_grid", "record",
        docx_table([w_row([w_cell("x", "<w:vMerge/>"), w_cell("y")]), *normal_rows()]))  # fmt: skip
    add("docx/vmerge-100000-rows.docx", "docx_grid", "reject",
        docx_table([w_row([w_cell("x", '<w:vMerge w:val="restart"/>'), w_cell("1")])] + [w_row([w_cell("", "<w:vMerge/>"), w_cell("1")])] * (30_000 if ci else 100_000)))  # fmt: skip
    add("docx/5000-columns.docx", "docx_grid", "any", docx_table([w_row([w_cell(str(i)) for i in range(5000)])] * 3))  # fmt: skip
    add("docx/non-word-root.docx", "docx", "reject", lambda: docx('<?xml version="1.0"?><html><body>x</body></html>'))  # fmt: skip
    add("docx/word-root-no-body.docx", "docx", "reject", lambda: docx(f'<?xml version="1.0"?><w:document {W}/>'))  # fmt: skip
    add("docx/other-ns-root.docx", "docx", "reject", lambda: docx(document_xml("", root="w:body")))
    add("docx/not-xml.docx", "docx", "reject", lambda: docx("this is not xml <<<"))
    add("docx/billion-laughs.docx", "xml_entities", "any",
        lambda: docx(document_xml(w_paragraph("&lol9;"), doctype=BILLION_LAUGHS)))  # fmt: skip
    add("docx/billion-laughs-core.docx", "xml_entities", "any", lambda: docx(core_doctype=BILLION_LAUGHS, core_title="&lol9;"))  # fmt: skip
    add("docx/xxe-document.docx", "xml_entities", "any", lambda: docx(document_xml(w_paragraph("&xxe;"), doctype=XXE)))  # fmt: skip
    add(
        "docx/xxe-core.docx",
        "xml_entities",
        "any",
        lambda: docx(core_doctype=XXE, core_title="&xxe;"),
    )
    add(
        "docx/xxe-parameter.docx",
        "xml_entities",
        "any",
        lambda: docx(document_xml("", doctype=XXE_PARAM)),
    )
    add("docx/deep-xml.docx", "docx", "any", lambda: docx(document_xml("<w:sdt><w:sdtContent>" * 5000 + "</w:sdtContent></w:sdt>" * 5000)))  # fmt: skip
    add("docx/nested-tables-300.docx", "docx", "any",
        lambda: docx(document_xml("<w:tbl><w:tr><w:tc>" * 300 + w_paragraph(title()) + "</w:tc></w:tr></w:tbl>" * 300)))  # fmt: skip
    add("docx/bomb-300mb-image.docx", "docx_bomb", "reject", docx_zip_bomb(300 << 20))
    add("docx/bomb-2gb-image.docx", "docx_bomb", "reject", docx_zip_bomb(2 << 30), big=True)
    add("docx/bomb-document-lies.docx", "docx_bomb", "reject", docx_lying_size(5_000_000 // scale))
    add("docx/bomb-6000-members.docx", "docx_bomb", "reject", docx_many_members(6000))
    add("docx/stored-not-deflated.docx", "docx", "record", lambda: docx(document_xml(w_table(normal_rows())), compression=zipfile.ZIP_STORED))  # fmt: skip
    add("docx/truncated.docx", "docx", "reject", lambda: docx()[:-200])
    add("docx/corrupt-zip.docx", "docx", "reject", lambda: (d := bytearray(docx()), d.__setitem__(slice(60, 90), bytes(30)), bytes(d))[2])  # fmt: skip


def xml_entities(add: Add, ci: bool) -> None:
    """XML entity bombs and external entities in HTML and text."""
    add("xml/billion-laughs.html", "xml_entities", "any", lambda: (BILLION_LAUGHS + report_html(extra="<p>&lol9;</p>")).encode())  # fmt: skip
    add(
        "xml/xxe.html",
        "xml_entities",
        "any",
        lambda: (XXE + report_html(extra="<p>&xxe;</p>")).encode(),
    )
    add("xml/xxe.txt", "xml_entities", "any", lambda: (XXE + report_text() + "&xxe;").encode())
    add("xml/xhtml-xxe.html", "xml_entities", "any",
        lambda: ('<?xml version="1.0"?>' + XXE + report_html(extra="<p>&xxe;</p>")).encode())  # fmt: skip


def lying(add: Add, ci: bool) -> None:
    """Bodies whose name says one type and whose bytes say another."""
    for suffix in (".html", ".txt", ".docx", ".doc", ".wps"):
        add(f"lying/pdf-as{suffix}", "lying", "record", report_pdf)
    for suffix in (".html", ".txt", ".pdf"):
        add(
            f"lying/docx-as{suffix}",
            "lying",
            "record",
            lambda: docx(document_xml(w_table(normal_rows()))),
        )
    for suffix in (".pdf", ".docx", ".doc"):
        add(f"lying/html-as{suffix}", "lying", "any", lambda: report_html().encode())
    add("lying/zip-as.docx", "lying", "reject", lambda: (lambda b: (b, zipfile.ZipFile(b, "w").writestr("a.txt", "x"), b.getvalue())[2])(io.BytesIO()))  # fmt: skip
    add(
        "lying/pdf-header-then-html.pdf",
        "lying",
        "any",
        lambda: b"%PDF-1.4\n" + report_html().encode(),
    )
    add("lying/html-then-pdf.html", "lying", "any", lambda: report_html().encode() + report_pdf())
