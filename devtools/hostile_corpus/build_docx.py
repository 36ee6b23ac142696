"""DOCX building blocks: WordprocessingML pieces, packages, zip bombs, XML entity tricks."""

from __future__ import annotations

# ruff: noqa: E501  (content types are one line each)
import io
import zipfile
from collections.abc import Callable

from .build_text import TABLE_ROWS, report_lines, title

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
