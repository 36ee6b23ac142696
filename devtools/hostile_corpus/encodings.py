"""Families of empty, binary, NUL-laden, mis-encoded and control-character bodies."""

from __future__ import annotations

# ruff: noqa: E501  (the corpus is a table of one-line input recipes; wrapping them hides it)
import zlib

from .build_text import (
    deterministic,
    report_html,
    report_lines,
    report_text,
    utf8,
)
from .item import Add, scale_for


def empty(add: Add, ci: bool) -> None:
    """Empty and whitespace-only bodies."""
    for suffix in (".html", ".txt", ".pdf", ".docx"):
        add(f"empty/empty{suffix}", "empty", "reject", lambda: b"")
    for i, body in enumerate([b" ", b"\n\n\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\t \r\n" * 1000]):
        add(f"empty/blank{i}.txt", "empty", "reject", lambda body=body: body)
    add("empty/empty-tags.html", "empty", "reject", utf8("<html><body><div></div></body></html>"))
    add("empty/only-script.html", "empty", "reject", utf8("<script>" + "x=1;" * 1000 + "</script>"))


def binary(add: Add, ci: bool) -> None:
    """Random and foreign binary bodies."""
    scale = scale_for(ci)
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


def nul(add: Add, ci: bool) -> None:
    """NUL bytes, all over or in a report."""
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


def encodings(add: Add, ci: bool) -> None:
    """Every encoding, mislabelled and mixed."""
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


def controls(add: Add, ci: bool) -> None:
    """Control, bidi, zero-width and private-use characters in a report."""
    controls = {"bidi": "\u202e\u202d\u2066\u2069", "zero-width": "\u200b\u200c\u200d\ufeff", "c0": "\x01\x02\x07\x08\x1b\x7f",
                "c1": "\x85\x9b", "noncharacters": "\ufffe\uffff\U0010ffff", "private": "\ue000\uf8ff", "combining": "\u0301" * 50,
                "line-separators": "\u2028\u2029\x0b\x0c"}  # fmt: skip
    for name, chars in controls.items():
        expect = "any" if name in {"c0", "line-separators"} else "record"  # control-heavy text
        add(f"controls/{name}.html", "controls", expect,
            lambda c=chars: report_html().replace("某某", "某" + c + "某").replace("1136", "1" + c + "136").encode())  # fmt: skip
        add(f"controls/{name}.txt", "controls", expect,
            lambda c=chars: report_text().replace("政府", "政" + c + "府").encode())  # fmt: skip
