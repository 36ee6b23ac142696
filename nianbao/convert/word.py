"""Legacy word processor files (.doc, Kingsoft .wps, .rtf) to DOCX, or to text.

LibreOffice (headless Writer) converts them to DOCX, which the core's DOCX reader reads: its
tables stay tables, merged cells included. It is the only one of the converters measured that
reads WPS and RTF too (README, "Attachments and OCR"). Without LibreOffice a .doc still gets
antiword, whose text keeps a table's rows as ``|cell|cell|`` lines for the plain-text table
reader. Each run gets its own LibreOffice profile in the temporary directory, with macros off
and links to other files or URLs never followed.
"""

from __future__ import annotations

from pathlib import Path

from nianbao.convert.model import DOCX_TYPE, TEXT_TYPE, ConvertedDocument
from nianbao.convert.run import Budget, available, require, run_tool, workdir
from nianbao.core.errors import PageRejected

_SUFFIX = {"doc": ".doc", "wps": ".wps", "rtf": ".rtf"}
# Macros never run and no linked content is fetched, whatever the document asks for.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">
 <prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">
 <prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def convert_word(body: bytes, kind: str, budget: Budget) -> ConvertedDocument:
    """A .doc / .wps / .rtf as DOCX (LibreOffice), else a .doc as text (antiword)."""
    if available("soffice"):
        return libreoffice(body, kind, budget)
    if kind == "doc" and available("antiword"):
        return antiword(body, budget)
    require("soffice")  # raises converter_missing naming the package
    raise AssertionError("unreachable")


def libreoffice(body: bytes, kind: str, budget: Budget) -> ConvertedDocument:
    """LibreOffice headless: the file to DOCX in a private profile and directory."""
    with workdir() as tmp:
        source = tmp / f"in{_SUFFIX[kind]}"
        source.write_bytes(body)
        profile = tmp / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        out = tmp / "out"
        run_tool(
            [
                "soffice",
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nolockcheck",
                "--nodefault",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                str(out),
                str(source),
            ],
            budget,
            tmp,
        )
        result = out / "in.docx"
        if not result.is_file() or result.stat().st_size == 0:
            raise PageRejected(
                "extract",
                "convert_failed",
                f"LibreOffice could not read the {kind} file (no DOCX came out)",
            )
        return ConvertedDocument(kind, result.read_bytes(), DOCX_TYPE, "libreoffice")


def antiword(body: bytes, budget: Budget) -> ConvertedDocument:
    """antiword: the .doc's text in UTF-8, tables as ``|cell|cell|`` rows."""
    with workdir() as tmp:
        source = Path(tmp) / "in.doc"
        source.write_bytes(body)
        text = run_tool(["antiword", "-m", "UTF-8.txt", "-w", "0", str(source)], budget, tmp)
    if not text.strip():
        raise PageRejected("extract", "convert_failed", "antiword found no text in the .doc")
    return ConvertedDocument("doc", text, TEXT_TYPE, "antiword")
