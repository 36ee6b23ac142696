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

# ruff: noqa: E501  (the corpus is a table of one-line input recipes; wrapping them hides it)
import argparse
import io
import json
import random
import sys
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "manifest.json"
# Outcomes a hostile input may have: a record (report or not) or one of these rejections.
STABLE_REASONS = frozenset(
    {
        "not_a_report",
        "no_agency_or_year",
        "no_text_layer",
        "broken_pdf",
        "broken_docx",
        "unsupported_content_type",
        "binary_content",
        "undecodable",
        "empty",
        "too_large",
        "table_too_large",
        "decompression_bomb",
        "unreadable_document",
        "invalid_record",
    }
)
HANG, OVER_MEMORY, DIED = "parse_timeout", "memory_limit", "parser_crashed"
PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "daemon:x:")

Expect = str  # "record": parsed into a record; "reject": quarantined; "any": either


@dataclass(frozen=True)
class Item:
    """One generated input: its file name, family, what should happen, and how to make it."""

    name: str
    family: str
    expect: Expect
    make: Callable[[], bytes] = field(repr=False, compare=False)
    big: bool = False  # only in the full corpus


# -- building blocks ---------------------------------------------------------------------------

AGENCY = "某某市人民政府"
PARAGRAPHS = [
    "本报告由某某市人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制。",
    "本报告统计期限自{year}年1月1日起至{year}年12月31日止。",
    "一、总体情况",
    "{year}年，我市认真贯彻落实政府信息公开工作要求，全年主动公开政府信息1136条。",
    "二、主动公开政府信息情况",
    "全年共收到政府信息公开申请95件，均已按期答复。",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "全年发生政府信息公开行政复议3件，行政诉讼1件。",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
    "联系地址：某某市人民路1号，邮编：100000，电话：010-12345678。",
]
TABLE_ROWS = [
    ["", "", "申请人情况", "", ""],
    ["", "", "自然人", "法人或其他组织", "总计"],
    ["一、本年新收政府信息公开申请数量", "", "95", "0", "95"],
    ["二、上年结转政府信息公开申请数量", "", "0", "0", "0"],
    ["三、本年度办理结果", "（一）予以公开", "50", "0", "50"],
]


def title(year: object = 2023) -> str:
    return f"{AGENCY}{year}年政府信息公开工作年度报告"


def report_lines(year: object = 2023) -> list[str]:
    return [
        title(year),
        *(p.format(year=year) for p in PARAGRAPHS),
        "某某市人民政府",
        "2024年1月20日",
    ]


def html_table(rows: list[list[str]]) -> str:
    return (
        "<table border=1>"
        + "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
        + "</table>"
    )


def report_html(
    year: object = 2023, extra: str = "", head: str = "", charset: str = "utf-8"
) -> str:
    body = "".join(f"<p>{line}</p>" for line in report_lines(year))
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">{head}'
        f"<title>{title(year)}</title></head><body><h1>{title(year)}</h1>"
        f'<div id="zoom">{body}{html_table(TABLE_ROWS)}{extra}</div></body></html>'
    )


def report_text(year: object = 2023) -> str:
    return "\n".join(report_lines(year)) + "\n"


def page(content: str, head: str = "") -> str:
    """A page around content, with enough report text to look like one."""
    intro = "".join(f"<p>{line}</p>" for line in report_lines()[:4])
    return (
        f'<html><head><meta charset="utf-8">{head}<title>{title()}</title></head><body>'
        f'<div id="zoom">{intro}{content}</div></body></html>'
    )


def utf8(text: str) -> Callable[[], bytes]:
    return lambda: text.encode("utf-8")


def lazy(fn: Callable[[], str]) -> Callable[[], bytes]:
    return lambda: fn().encode("utf-8")


def deterministic(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


# -- PDF ---------------------------------------------------------------------------------------


def raw_pdf(streams: list[tuple[str, bytes]], text_page: bool = True) -> bytes:
    """A minimal PDF: one page whose content is the first stream, the others as extra objects.

    Each stream is (dictionary entries, data); offsets in the xref table are exact, so pdfminer
    reads the file the normal way and meets the streams as they are.
    """
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if text_page and not streams:
        streams = [("", b"BT /F1 12 Tf 72 720 Td (Annual report 2023) Tj ET")]
    for entries, data in streams:
        objects.append(
            f"<< {entries} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def zeros_deflated(size: int, layers: int = 1) -> bytes:
    """zlib data that inflates to `size` zero bytes (through `layers` nested deflates)."""
    compressor = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = []
    for _ in range(size // len(chunk)):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.compress(bytes(size % len(chunk))))
    parts.append(compressor.flush())
    data = b"".join(parts)
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    return data


def pdf_bomb(size: int, layers: int = 1, content: bool = True) -> Callable[[], bytes]:
    def make() -> bytes:
        filters = "[" + " ".join(["/FlateDecode"] * layers) + "]"
        bomb = (f"/Filter {filters}", zeros_deflated(size, layers))
        if content:
            return raw_pdf([bomb])
        text = ("", b"BT /F1 12 Tf 72 720 Td (Annual report 2023) Tj ET")
        return raw_pdf([text, bomb])

    return make


def many_small_bombs(count: int, size: int) -> Callable[[], bytes]:
    def make() -> bytes:
        data = zeros_deflated(size)
        text = ("", b"BT /F1 12 Tf 72 720 Td (Annual report 2023) Tj ET")
        return raw_pdf([text, *[("/Filter /FlateDecode", data)] * count])

    return make


_REPORTLAB_CACHE: dict[str, bytes] = {}


def report_pdf() -> bytes:
    """A text PDF of the report (reportlab, invariant so the bytes never change)."""
    if "pdf" in _REPORTLAB_CACHE:
        return _REPORTLAB_CACHE["pdf"]
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from reportlab.platypus import Table as RLTable

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=20)
    style.wordWrap = "CJK"
    table = RLTable(TABLE_ROWS)
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), "STSong-Light", 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ]
    )
    out = io.BytesIO()
    story = [Paragraph(line, style) for line in report_lines()] + [table]
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build(story)
    _REPORTLAB_CACHE["pdf"] = out.getvalue()
    return _REPORTLAB_CACHE["pdf"]


def cut(fraction: float) -> Callable[[], bytes]:
    return lambda: (data := report_pdf())[: int(len(data) * fraction)]


def flipped(seed: int, flips: int) -> Callable[[], bytes]:
    def make() -> bytes:
        data = bytearray(report_pdf())
        rng = random.Random(seed)
        for _ in range(flips):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)

    return make


# -- DOCX --------------------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/></Relationships>'
)
CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
    "</cp:coreProperties>"
)


def w_paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def w_table(rows: list[str]) -> str:
    return "<w:tbl>" + "".join(rows) + "</w:tbl>"


def w_cell(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{w_paragraph(text)}</w:tc>"


def w_row(cells: list[str], props: str = "") -> str:
    return f"<w:tr><w:trPr>{props}</w:trPr>" + "".join(cells) + "</w:tr>"


def normal_rows() -> list[str]:
    return [w_row([w_cell(cell or " ") for cell in row]) for row in TABLE_ROWS]


def document_xml(body: str, doctype: str = "", root: str = "w:document") -> str:
    paragraphs = "".join(w_paragraph(line) for line in report_lines())
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
        f"<{root} {W}><w:body>{paragraphs}{body}</w:body></{root}>"
    )


def docx(
    document: str | None = None,
    core_doctype: str = "",
    core_title: str | None = None,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("word/document.xml", document if document is not None else document_xml("")),
            ("docProps/core.xml", CORE.format(doctype=core_doctype, title=core_title or title())),
        ):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, data)
        for name, data in (extra or {}).items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def docx_table(rows: list[str]) -> Callable[[], bytes]:
    return lambda: docx(document_xml(w_table(rows)))


def docx_zip_bomb(size: int, member: str = "word/media/image1.png") -> Callable[[], bytes]:
    """A DOCX with one member that inflates to `size` zero bytes (declared honestly)."""

    def make() -> bytes:
        out = io.BytesIO(docx())
        with zipfile.ZipFile(out, "a") as archive:
            info = zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as handle:
                chunk = bytes(1 << 20)
                for _ in range(size >> 20):
                    handle.write(chunk)
        return out.getvalue()

    return make


def docx_lying_size(size: int) -> Callable[[], bytes]:
    """A DOCX whose document.xml declares 1 KB but inflates to `size` bytes."""

    def make() -> bytes:
        body = document_xml(w_paragraph("x" * size)).encode()
        data = docx(body.decode())
        # rewrite the declared size of word/document.xml in the central directory and local header
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = archive.getinfo("word/document.xml")
        real = info.file_size.to_bytes(4, "little")
        fake = (1024).to_bytes(4, "little")
        return data.replace(real, fake)

    return make


def docx_many_members(count: int) -> Callable[[], bytes]:
    return lambda: docx(extra={f"word/media/x{i}.bin": b"x" for i in range(count)})


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10))
    + "]>"
)
XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XXE_PARAM = '<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'


# -- the corpus --------------------------------------------------------------------------------


def corpus(ci: bool = False) -> list[Item]:
    """Every input, in a fixed order; with ci, the big ones are left out and some sizes shrink."""
    items: list[Item] = []

    def add(name: str, family: str, expect: Expect, make: Callable[[], bytes], big: bool = False):
        items.append(Item(name, family, expect, make, big))

    scale = 10 if ci else 1  # divides the sizes of the medium-sized inputs in CI

    # empty and whitespace
    for suffix in (".html", ".txt", ".pdf", ".docx"):
        add(f"empty/empty{suffix}", "empty", "reject", lambda: b"")
    for i, body in enumerate([b" ", b"\n\n\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\t \r\n" * 1000]):
        add(f"empty/blank{i}.txt", "empty", "reject", lambda body=body: body)
    add("empty/empty-tags.html", "empty", "reject", utf8("<html><body><div></div></body></html>"))
    add("empty/only-script.html", "empty", "reject", utf8("<script>" + "x=1;" * 1000 + "</script>"))

    # binary
    for i, size in enumerate((1, 100, 4096, 65536, 1_000_000 // scale)):
        for suffix in (".html", ".txt", ".pdf", ".docx"):
            add(f"binary/random{i}{suffix}", "binary", "reject" if size > 1 else "any",
                lambda i=i, size=size: deterministic(i, size))  # fmt: skip
    add("binary/elf.html", "binary", "reject", lambda: b"\x7fELF\x02\x01\x01" + bytes(5000))
    add(
        "binary/png.html", "binary", "reject", lambda: b"\x89PNG\r\n\x1a\n" + deterministic(9, 5000)
    )
    add("binary/gzip.html", "binary", "reject", lambda: zlib.compress(report_html().encode()))
    add(
        "binary/ole.docx",
        "binary",
        "reject",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000),
    )

    # NUL bytes
    add("nul/all-nul.html", "nul", "reject", lambda: bytes(10_000))
    add("nul/all-nul.txt", "nul", "reject", lambda: bytes(10_000))
    for position in ("start", "middle", "end", "every"):

        def make(position: str = position) -> bytes:
            text = report_html().encode()
            if position == "start":
                return b"\x00" * 10 + text
            if position == "end":
                return text + b"\x00" * 10
            if position == "middle":
                return text[: len(text) // 2] + b"\x00" * 100 + text[len(text) // 2 :]
            return b"\x00".join(text[i : i + 1] for i in range(len(text)))

        add(f"nul/report-nul-{position}.html", "nul", "any", make)
    add(
        "nul/nul-in-title.txt",
        "nul",
        "any",
        lambda: report_text().replace("某某", "某\x00某", 1).encode(),
    )

    # encodings
    for codec in (
        "gbk",
        "gb18030",
        "big5",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-8-sig",
        "gb2312",
    ):

        def make_html(codec: str = codec) -> bytes:
            text = report_html(charset=codec)
            return text.encode(codec, errors="replace")

        def make_text(codec: str = codec) -> bytes:
            return report_text().encode(codec, errors="replace")

        add(f"encoding/report-{codec}.html", "encoding", "any", make_html)
        add(f"encoding/report-{codec}.txt", "encoding", "any", make_text)
    for declared, actual in (("utf-8", "gbk"), ("gbk", "utf-8"), ("big5", "gbk"), ("iso-8859-1", "gbk"),
                             ("shift_jis", "utf-8"), ("x-bogus", "gbk"), ("utf-7", "utf-8"),
                             ("utf-16", "utf-8"), ("utf-32", "gbk")):  # fmt: skip
        add(f"encoding/declared-{declared}-is-{actual}.html", "encoding", "any",
            lambda d=declared, a=actual: report_html(charset=d).encode(a, errors="replace"))  # fmt: skip
    add("encoding/mixed-utf8-gbk.html", "encoding", "any",
        lambda: report_html().encode()[:800] + report_html().encode("gbk")[800:])  # fmt: skip
    add("encoding/mixed-lines.txt", "encoding", "any",
        lambda: b"\n".join(line.encode("gbk" if i % 2 else "utf-8") for i, line in enumerate(report_lines())))  # fmt: skip
    add("encoding/invalid-utf8.html", "encoding", "any",
        lambda: report_html().encode().replace("报告".encode(), b"\xc3\x28\xa0\xa1\xe2\x28\xa1", 3))  # fmt: skip
    add("encoding/surrogates.html", "encoding", "any",
        lambda: report_html().encode().replace("工作".encode(), b"\xed\xa0\x80\xed\xbf\xbf", 2))  # fmt: skip
    add("encoding/utf16-no-bom.txt", "encoding", "any", lambda: report_text().encode("utf-16-le"))
    add("encoding/utf32.txt", "encoding", "any", lambda: report_text().encode("utf-32"))

    # big bodies
    for mb in (25, 50):
        add(f"big/{mb}mb.html", "big", "reject", lambda mb=mb: (report_html() + "<p>填充</p>" * (mb * 100_000)).encode()[: mb << 20], big=True)  # fmt: skip
        add(f"big/{mb}mb.txt", "big", "reject", lambda mb=mb: (report_text() * (mb * 2000)).encode()[: mb << 20], big=True)  # fmt: skip
        add(f"big/{mb}mb.pdf", "big", "reject", lambda mb=mb: report_pdf() + bytes(mb << 20), big=True)  # fmt: skip
    add(
        "big/19mb.html",
        "big",
        "any",
        lambda: page("<p>填充一行文字。</p>" * 700_000).encode(),
        big=True,
    )
    add("big/2mb.html", "big", "any", lambda: page("<p>填充一行文字。</p>" * 70_000).encode())
    add(
        "big/2mb-one-paragraph.txt", "big", "any", lambda: (report_text() + "字" * 700_000).encode()
    )

    # nesting
    for depth in (2_000, 10_000) if ci else (10_000, 100_000):
        for tag in ("div", "b", "table"):
            inner = "<tr><td>" if tag == "table" else ""
            add(f"nesting/{tag}-{depth}.html", "nesting", "any",
                lambda t=tag, d=depth, i=inner: page(f"<{t}>{i}" * d + title() + f"</{t}>" * d).encode())  # fmt: skip
    add(
        "nesting/unclosed-10000.html",
        "nesting",
        "any",
        lambda: page("<div><span><p>" * 10_000).encode(),
    )
    add(
        "nesting/closing-only.html",
        "nesting",
        "any",
        lambda: page("</div></table></p>" * 10_000).encode(),
    )

    # wide and long tables
    add("tables/5000-columns.html", "tables", "any",
        lambda: page(html_table([[str(i) for i in range(5000)]] * 3)).encode())  # fmt: skip
    add("tables/100000-rows.html", "tables", "reject",
        lambda: page(html_table([["行", "1"]] * (30_000 if ci else 100_000))).encode())  # fmt: skip
    add("tables/1000x100.html", "tables", "reject",
        lambda: page(html_table([["1"] * 100] * 1000)).encode())  # fmt: skip
    add("tables/100000-empty-rows.html", "tables", "any",
        lambda: page("<table>" + "<tr></tr>" * 100_000 + "<tr><td>1</td><td>2</td></tr></table>").encode())  # fmt: skip
    add("tables/100000-rows.txt", "tables", "any",
        lambda: (report_text() + "行 | 1 |\n" * (100_000 // scale)).encode())  # fmt: skip

    # spans
    for value in (
        "1000000000",
        "0",
        "-1",
        "9" * 5000,
        "1e9",
        "  7abc",
        "4294967297",
        "99999999999999999999",
    ):
        for attribute in ("rowspan", "colspan"):
            label = value if len(value) < 30 else f"{len(value)}digits"
            add(f"spans/{attribute}-{label}.html", "spans", "any",
                lambda a=attribute, v=value: page(
                    f"<table><tr><td {a}=\"{v}\">x</td><td>y</td></tr><tr><td>1</td><td>2</td></tr></table>"
                ).encode())  # fmt: skip
    add("spans/both-1e9-many.html", "spans", "reject",
        lambda: page("<table>" + "<tr><td rowspan=1000000000 colspan=1000000000>x</td></tr>" * 100 + "</table>").encode())  # fmt: skip
    add("spans/rowspan0-400.html", "spans", "reject",
        lambda: page("<table>" + "<tr><td rowspan=0 colspan=100>x</td></tr>" * 400 + "</table>").encode())  # fmt: skip

    # long lines
    for kind, unit in (
        ("cjk", "字"),
        ("latin", "a"),
        ("digits", "7"),
        ("spaces", " "),
        ("mixed", "一、2023年"),
    ):
        add(f"lines/200k-{kind}.txt", "lines", "any", lambda u=unit: (report_text() + u * (200_000 // len(u))).encode())  # fmt: skip
        add(f"lines/200k-{kind}.html", "lines", "any", lambda u=unit: page("<p>" + u * (200_000 // len(u)) + "</p>").encode())  # fmt: skip
    add("lines/200k-title.html", "lines", "any", lambda: page("", head="<meta name=ArticleTitle content='" + "标题" * 100_000 + "'>").encode())  # fmt: skip
    add("lines/1m-short-lines.txt", "lines", "any", lambda: (report_text() + "一、\n" * (1_000_000 // scale)).encode())  # fmt: skip

    # attributes
    def attributes(n: int, form: str) -> Callable[[], bytes]:
        def make() -> bytes:
            pieces = {"distinct": lambda i: f" a{i}=x", "same": lambda i: " a=x", "quoted": lambda i: f'a{i}=""',
                      "slash": lambda i: f"/a{i}", "bare": lambda i: f" a{i}"}[form]  # fmt: skip
            return page(f"<div{''.join(pieces(i) for i in range(n))}>{title()}</div>").encode()

        return make

    for form in ("distinct", "same", "quoted", "slash", "bare"):
        add(f"attributes/200000-{form}.html", "attributes", "any", attributes(200_000, form))
    add("attributes/10000-distinct.html", "attributes", "any", attributes(10_000, "distinct"))
    add("attributes/long-value.html", "attributes", "any", lambda: page(f"<div title=\"{'x' * 2_000_000}\">{title()}</div>").encode())  # fmt: skip
    add("attributes/200000-on-td.html", "attributes", "any",
        lambda: page("<table><tr><td" + " a=1" * 200_000 + ">1</td><td>2</td></tr></table>").encode())  # fmt: skip

    # absurd numbers and dates
    numbers = ["9" * 400, "1e400", "-0", "NaN", "inf", "1,2,3,4,5,6,7,8,9,0" * 100, "亿亿亿亿", "九" * 5000,
               "0." + "0" * 5000 + "1", "99999999999999999999万亿", "1" * 5000 + "%"]  # fmt: skip
    for i, number in enumerate(numbers):
        rows = [row[:] for row in TABLE_ROWS]
        rows[2][2] = rows[2][4] = number
        add(f"numbers/cell-{i}.html", "numbers", "record",
            lambda rows=rows: report_html(extra=html_table(rows)).encode())  # fmt: skip
        add(f"numbers/narrative-{i}.txt", "numbers", "record",
            lambda n=number: (report_text() + f"全年主动公开政府信息{n}条。\n").encode())  # fmt: skip
    for i, date in enumerate(("9999年13月45日", "0000-00-00", "2023年2月30日", "2023-02-29 25:61:61", "二〇二三年十三月三十二日", "1899年12月31日")):  # fmt: skip
        add(f"dates/date-{i}.html", "dates", "record",
            lambda d=date: report_html(head=f"<meta name=PubDate content='{d}'>", extra=f"<p>发布时间：{d}</p><p>{d}</p>").encode())  # fmt: skip
    for i, (start, end) in enumerate(
        (("9999", "9999"), ("0001", "0001"), ("2023", "1905"), ("1899", "1899"))
    ):
        add(f"dates/period-{i}.txt", "dates", "record",
            lambda s=start, e=end: report_text().replace("2023年1月1日起至2023年12月31日", f"{s}年1月1日起至{e}年12月31日").encode())  # fmt: skip

    # titles naming impossible years
    for year in ("9999", "1899", "1950", "1989", "2150", "0000", "二〇二三", "20233"):
        add(
            f"years/title-{year}.html",
            "years",
            "record",
            lambda y=year: report_html(year=y).encode(),
        )
        add(
            f"years/title-{year}.txt",
            "years",
            "record",
            lambda y=year: report_text(year=y).encode(),
        )

    # PDF: truncated, corrupt, bombs
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

    # DOCX
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

    # XML entities in HTML / XHTML
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

    # types that lie about themselves
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

    # control and bidi characters
    controls = {"bidi": "\u202e\u202d\u2066\u2069", "zero-width": "\u200b\u200c\u200d\ufeff", "c0": "\x01\x02\x07\x08\x1b\x7f",
                "c1": "\x85\x9b", "noncharacters": "\ufffe\uffff\U0010ffff", "private": "\ue000\uf8ff", "combining": "\u0301" * 50,
                "line-separators": "\u2028\u2029\x0b\x0c"}  # fmt: skip
    for name, chars in controls.items():
        expect = "any" if name in {"c0", "line-separators"} else "record"  # control-heavy text
        add(f"controls/{name}.html", "controls", expect,
            lambda c=chars: report_html().replace("某某", "某" + c + "某").replace("1136", "1" + c + "136").encode())  # fmt: skip
        add(f"controls/{name}.txt", "controls", expect,
            lambda c=chars: report_text().replace("政府", "政" + c + "府").encode())  # fmt: skip

    # copies
    for copies in (2, 500, 5000 // (5 if ci else 1)):
        add(f"copies/{copies}-copies.html", "copies", "any",
            lambda n=copies: page("".join(f"<p>{line}</p>" for line in report_lines()) * n).encode())  # fmt: skip
    add(
        "copies/5000-tables.html",
        "copies",
        "any",
        lambda: page(html_table(TABLE_ROWS) * (5000 // scale)).encode(),
    )
    add("copies/1000-copies.txt", "copies", "any", lambda: (report_text() * 1000).encode())

    # misc markup
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

    names = [item.name for item in items]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"corpus names must be unique: {duplicates}"
    return [item for item in items if not (ci and item.big)]


# -- generate ----------------------------------------------------------------------------------


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


# -- run ---------------------------------------------------------------------------------------


@dataclass
class Result:
    """What happened to one input."""

    name: str
    family: str
    expect: str
    outcome: str  # record, rejected, crash, hang, over_memory, died
    reason: str | None = None
    is_report: bool | None = None
    seconds: float = 0.0
    peak_rss: int = 0
    detail: str = ""
    leaked: bool = False

    @property
    def failed(self) -> bool:
        return (
            self.outcome not in {"record", "rejected"}
            or (self.outcome == "rejected" and self.reason not in STABLE_REASONS)
            or (self.expect == "record" and self.outcome != "record")
            or (self.expect == "reject" and self.outcome != "rejected")
            or self.leaked
        )


def run_one(path: Path, family: str, expect: str, seconds: float, memory_bytes: int) -> Result:
    """One input through `nianbao parse`'s code path under the bounds."""
    from nianbao.cli import parse_outcome
    from nianbao.limits import ChildFailed, Limits

    limits = Limits(seconds=seconds, memory_bytes=memory_bytes)
    name = str(path)
    try:
        data, rejected, usage = parse_outcome(path, limits)
    except ChildFailed as failed:
        usage = failed.usage  # type: ignore[attr-defined]
        return Result(name, family, expect, "crash", seconds=usage.seconds,
                      peak_rss=usage.peak_rss, detail=failed.trace)  # fmt: skip
    text = json.dumps(data, ensure_ascii=False)
    leaked = any(marker in text for marker in PASSWD_MARKERS)
    if rejected is None:
        return Result(name, family, expect, "record", is_report=data["is_report"],
                      seconds=usage.seconds, peak_rss=usage.peak_rss, leaked=leaked)  # fmt: skip
    outcome = {HANG: "hang", OVER_MEMORY: "over_memory", DIED: "died"}.get(
        rejected.reason, "rejected"
    )
    return Result(name, family, expect, outcome, reason=rejected.reason, seconds=usage.seconds,
                  peak_rss=usage.peak_rss, detail=rejected.detail, leaked=leaked)  # fmt: skip


def run(
    directory: Path,
    seconds: float = 60.0,
    memory_bytes: int = 2_000_000_000,
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Every input of the manifest (and any file not in it: unaccounted) through the parser."""
    manifest = json.loads((directory / MANIFEST).read_text())
    listed = {entry["name"] for entry in manifest}
    results = []
    for entry in manifest:
        path = directory / entry["name"]
        if not path.exists():
            results.append(Result(entry["name"], entry["family"], entry["expect"], "missing"))
            continue
        result = run_one(path, entry["family"], entry["expect"], seconds, memory_bytes)
        result.name = entry["name"]
        results.append(result)
        if progress:
            progress(result)
    for path in sorted(directory.rglob("*")):
        name = str(path.relative_to(directory))
        if path.is_file() and name != MANIFEST and name not in listed:
            results.append(Result(name, "unlisted", "any", "unaccounted"))
    return results


def accounting(results: list[Result]) -> str:
    """The accounting table: inputs, records, rejections by reason, failures, time and memory."""
    outcomes = Counter(result.outcome for result in results)
    reasons = Counter(result.reason for result in results if result.outcome == "rejected")
    families = Counter(result.family for result in results)
    slowest = max(results, key=lambda r: r.seconds, default=None)
    biggest = max(results, key=lambda r: r.peak_rss, default=None)
    lines = [
        f"inputs                 {len(results)}  ({len(families)} families)",
        f"records                {outcomes['record']}  "
        f"(reports {sum(1 for r in results if r.is_report)}, "
        f"not reports {sum(1 for r in results if r.is_report is False)})",
        f"quarantined            {outcomes['rejected']}",
    ]
    lines += [f"  {reason:<21}{count}" for reason, count in sorted(reasons.items())]
    lines += [
        f"crashes (traceback)    {outcomes['crash']}",
        f"hangs (over the bound) {outcomes['hang']}",
        f"over memory cap        {outcomes['over_memory']}",
        f"parser died            {outcomes['died']}",
        f"unaccounted / missing  {outcomes['unaccounted'] + outcomes['missing']}",
        f"unexpected outcome     {sum(1 for r in results if r.failed and r.outcome in {'record', 'rejected'} and not r.leaked)}",
        f"/etc/passwd leaked     {sum(1 for r in results if r.leaked)}",
    ]
    if slowest is not None and biggest is not None:
        lines.append(f"slowest                {slowest.seconds:.2f} s  {slowest.name}")
        lines.append(f"largest peak RSS       {biggest.peak_rss / 1e6:.0f} MB  {biggest.name}")
    failures = [r for r in results if r.failed]
    for result in failures:
        lines.append(
            f"FAILED {result.name}: {result.outcome} {result.reason or ''} (expected {result.expect}) "
            f"{result.detail[-800:]}"
        )
    return "\n".join(lines)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.hostile_corpus", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in ("generate", "run", "check"):
        sub = commands.add_parser(command)
        sub.add_argument("directory", type=Path)
        if command != "run":
            sub.add_argument("--ci", action="store_true", help="leave out the big inputs")
        if command != "generate":
            sub.add_argument("--seconds", type=float, default=60.0, help="time bound per input")
            sub.add_argument("--memory-mb", type=int, default=2000, help="memory bound per input")
            sub.add_argument("--verbose", action="store_true", help="one line per input")
    args = parser.parse_args(argv)
    if args.command in ("generate", "check"):
        start = time.monotonic()
        items = generate(args.directory, args.ci)
        print(f"generated {len(items)} inputs in {time.monotonic() - start:.1f} s", file=sys.stderr)
        if args.command == "generate":
            return 0

    def show(result: Result) -> None:
        if args.verbose:
            print(f"{result.seconds:7.2f}s {result.peak_rss / 1e6:6.0f}MB {result.outcome:<9} "
                  f"{result.reason or '':<22} {result.name}", file=sys.stderr, flush=True)  # fmt: skip

    start = time.monotonic()
    results = run(args.directory, args.seconds, args.memory_mb * 1_000_000, show)
    print(accounting(results))
    print(f"total                  {time.monotonic() - start:.1f} s")
    return 1 if any(result.failed for result in results) else 0


if __name__ == "__main__":
    raise SystemExit(_main())
