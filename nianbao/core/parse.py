"""An extracted document to the fields of a report. Pure: plain data in, plain data out.

Order matters: undo capture damage (mangled dates, mirror-site pinyin, traditional characters),
keep one copy of a report printed twice, cut the statistics table and the signature off the
prose, then read each field from the part of the report that states it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from nianbao.core import agency as agencies
from nianbao.core import issuer, layout, legacy, narrative, texttables
from nianbao.core.dates import parse_date, repair_mangled
from nianbao.core.document import Document
from nianbao.core.extract import is_chrome_line
from nianbao.core.gbtables import parse_gb_tables
from nianbao.core.legal_basis import era_from_legal_basis
from nianbao.core.text import is_traditional, to_simplified
from schemas.report import AnnualReport, Indicator, ValidationWarning

_REPORT_WORDS = (
    r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:的|情况)?"
    r"(?:年度报告|年报|(?:年度)?(?:工作)?报告)"
)
_TITLE_REPORT = re.compile(_REPORT_WORDS)
# Pages about a report, or notices that mention one, are not reports.
_NOT_REPORT = re.compile(
    r"解读|图解|一图读懂|^关于|(?:通知|方案|计划|要点|意见|函|公告|通报)[》」]?$"
)
_TITLE_AGENCY_FIRST = re.compile(
    r"^(?P<agency>.+?)(?P<year>(?:19|20)\d{2})\s*(?:年度?)?" + r".*?" + _REPORT_WORDS
)
_TITLE_YEAR_FIRST = re.compile(r"^(?P<year>(?:19|20)\d{2})\s*年度?(?P<agency>.*?)" + _REPORT_WORDS)
_TABLE_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})年度?\s*\)?\s*(?:政府信息公开情况统计表)?$")
# The statistics years the record schema accepts; a year read outside them is dropped.
FIRST_YEAR, LAST_YEAR = (
    next(getattr(m, bound) for m in AnnualReport.model_fields["year"].metadata if hasattr(m, bound))
    for bound in ("ge", "le")
)
# Mirror sites gloss characters with pinyin, tone marks included: 外經(jīng)貿(mào)局
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])[(（][a-zü\u00e0-\u00fc\u0101-\u01dc]{1,8}[)）]")
_AGENCY_SUFFIX = re.compile(
    r"(?:人民政府|政府|管理委员会|管委会|局|厅|委员会|委|办公室|办公厅|办|中心|院|署|部|馆|所|站|"
    r"队|处)$"
)


@dataclass
class ParsedReport:
    """Everything the parser read; validation turns it into an AnnualReport."""

    is_report: bool
    reason: str | None
    title: str | None
    agency: agencies.AgencyInfo
    year: int | None
    format: str | None
    published_on: date | None
    signed_on: date | None
    period_start: date | None
    period_end: date | None
    contact: narrative.ContactInfo
    sections: list[layout.SectionText]
    main_text: str = ""  # one copy, simplified, repaired: what fingerprints are computed on
    indicators: list[Indicator] = field(default_factory=list)
    warnings: list[ValidationWarning] = field(default_factory=list)


def clean_lines(lines: list[str]) -> tuple[list[str], list[ValidationWarning]]:
    """Undo capture damage: traditional script, injected pinyin, a second printed copy, lost
    年/月/〕 characters."""
    cleaned, warnings, _ = _clean(lines)
    return cleaned, warnings


def _clean(lines: list[str]) -> tuple[list[str], list[ValidationWarning], str | None]:
    """`clean_lines`, and the lines joined in simplified script when they were traditional
    (None when not), which `_verbatim_raw` needs too: converting costs ~1 ms a page."""
    warnings: list[ValidationWarning] = []
    text = "\n".join(lines)
    traditional = is_traditional(text)  # any traditional character anywhere
    simplified = None
    if traditional:
        text = simplified = to_simplified(text, force=True)
    if "(" in text or "（" in text:
        text = _PINYIN.sub("", text)
    cleaned = text.split("\n")
    if traditional:  # chrome in traditional script got through the reader's filter
        cleaned = [line for line in cleaned if not is_chrome_line(line)]
    cleaned = layout.collapse_repetition(cleaned)
    # on the whole text at once: a bare digit line is a signature date only at the very end
    repaired, repairs = repair_mangled("\n".join(cleaned))
    for repair in repairs:
        if repair.replacement is None:
            warnings.append(
                ValidationWarning(
                    rule=f"{repair.kind}.ambiguous",
                    message=f"{repair.original!r} has lost characters and more than one "
                    "reading; left as written",
                )
            )
    return repaired.split("\n"), warnings, simplified


def parse(doc: Document, link_text: str | None = None) -> ParsedReport:
    """Read every field of a report from its extracted document."""
    lines, warnings, simplified = _clean(doc.lines)

    table_span = legacy.find_in_lines(lines)
    legacy_table = legacy.from_lines(lines, table_span) if table_span else None
    prose = lines[: table_span[0]] if table_span else lines
    prose = _before_appendix(prose)
    signature = layout.find_signature(prose)
    body = prose[: signature.start] if signature else prose
    text = "\n".join(body)

    title, title_index = _title(doc, lines, link_text)
    if title and not is_report_title(title) and (wrapped := _report_title_in(lines)):
        title, title_index = wrapped  # a notice that publishes the report it wraps
    is_report, reason = _classify(title, text, lines)
    period_start, period_end = narrative.statistics_period(text)
    year = _year(
        title,
        period_start,
        lines[table_span[0] - 3 : table_span[0]] if table_span else [],
        text,
    )
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        warnings.append(
            ValidationWarning(
                rule="year.out_of_range",
                message=f"the page names the year {year}, outside {FIRST_YEAR}–{LAST_YEAR} "
                "(a mangled title or date?); no year is recorded",
            )
        )
        year = None
    agency = _agency(title, title_index, lines, text, doc, signature)

    indicators: list[Indicator] = []
    if legacy_table is None:
        for grid in doc.tables:
            legacy_table = legacy.from_grid(grid)
            if legacy_table:
                break
    if legacy_table:
        indicators += legacy_table.indicators
        warnings += legacy_table.warnings
    gb = parse_gb_tables(doc.tables) if doc.tables else None
    if gb:
        indicators += gb.indicators
        warnings += gb.warnings
    text_format = None
    if not indicators:  # no table as a structure: look for one flattened into the text
        flat = texttables.read_text_tables(lines)
        indicators += flat.indicators
        warnings += flat.warnings
        text_format = flat.format
    indicators += narrative.figures(text)

    if is_traditional(doc.text):
        same_text = simplified is not None and "\n".join(doc.lines) == doc.text
        indicators = _verbatim_raw(indicators, doc.text, simplified if same_text else None)
    if signature and signature.signed_on is None:
        warnings.append(
            ValidationWarning(
                rule="signed_on.unrecoverable",
                message=f"the signature date {signature.raw_date!r} has lost characters",
            )
        )
    fmt = _format(year, (gb.format if gb else None) or text_format, legacy_table is not None) or (
        era_from_legal_basis(text) if year is None else None
    )
    if not is_report:  # a notice may reprint the blank template: its cells are no report's
        fmt, indicators = None, []
    return ParsedReport(
        is_report=is_report,
        reason=reason,
        title=title,
        agency=agency,
        year=year,
        format=fmt,
        published_on=parse_date(doc.published) if doc.published else None,
        signed_on=signature.signed_on if signature else None,
        period_start=period_start,
        period_end=period_end,
        contact=narrative.contact(text),
        sections=layout.sections(body),
        main_text="\n".join(lines),
        indicators=indicators,
        warnings=warnings,
    )


def _verbatim_raw(
    indicators: list[Indicator], original: str, simplified: str | None = None
) -> list[Indicator]:
    """Raw texts as the page writes them: a traditional-script page's "15萬", not "15万".

    Values are read from the simplified text (`simplified`, converted here if not given); where
    that conversion kept every character in place, the raw text is taken back from the same
    position of the original.
    """
    if simplified is None:
        simplified = to_simplified(original, force=True)
    if len(simplified) != len(original):
        return indicators
    out = []
    for indicator in indicators:
        raw = indicator.raw
        if raw and raw not in original and (at := simplified.find(raw)) >= 0:
            indicator = indicator.model_copy(update={"raw": original[at : at + len(raw)]})
        out.append(indicator)
    return out


def _before_appendix(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if i > 5 and re.match(r"^(?:附件|附表)\s*\d*\s*[:：]?\s*$", line):
            return lines[:i]
    return lines


_MAX_TITLE = 200  # a real title is under 100 characters; longer ones are not matched at all
_TITLE_LINE = 80  # a title line; a longer line may still start with the title (PDF text)
# A metadata line ("栏目: 政府信息公开年报") or a sentence ("根据《条例》…") is no title.
_NOT_TITLE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,8}\s*[:：]|根据|依据|按照|为|现将|本)|^[^，,]*[，,]|[>＞»›→]"
)
_SENTENCE_END = re.compile(r"[:：。，,；;]$")  # a sentence that names a report is no title
_YEAR_START = re.compile(r"^(?:19|20)\d{2}\s*年")
_REPORT_START = re.compile(_REPORT_WORDS)
_TITLE_HEAD = re.compile(r"^.{0,60}?" + _REPORT_WORDS)


def _title(doc: Document, lines: list[str], link_text: str | None) -> tuple[str | None, int | None]:
    """The report's title and the index of its line (None when it is not in the text)."""
    if doc.title and len(doc.title) <= _MAX_TITLE and _TITLE_REPORT.search(doc.title):
        return to_simplified(issuer.strip_prefix(doc.title)), _line_of(doc.title, lines)
    # the title comes after the page's chrome, which may take a dozen short lines
    head = [issuer.strip_prefix(line) for line in lines[:_HEAD_LINES]]
    for i, line in enumerate(head):
        if len(line) > _TITLE_LINE:
            # a title run into the first paragraph (PDF text): only where it starts the line
            if i < 2 and (match := _TITLE_HEAD.match(line)) and not _NOT_TITLE.search(match[0]):
                return match.group(0), i
            continue
        if not _TITLE_REPORT.search(line) or _SENTENCE_END.search(line) or _NOT_TITLE.search(line):
            continue
        # A title broken over two lines: "温州市安全生产监督管理局" / "2017年政府信息公开…",
        # "2024年南关区永吉街道办事处" / "政府信息公开工作年度报告"
        previous = head[i - 1] if i else ""
        if previous and len(previous) <= 40 and not _TITLE_REPORT.search(previous):
            starts_bare = _YEAR_START.match(line) or _REPORT_START.match(line)
            names_agency = _AGENCY_SUFFIX.search(previous) or issuer.clean_name(previous)
            if starts_bare and (names_agency or _YEAR_START.match(previous)):
                return previous + line, i
        return line, i
    if link_text and len(link_text) <= _MAX_TITLE and _TITLE_REPORT.search(link_text):
        return link_text.strip(), None
    if doc.title and len(doc.title) <= _MAX_TITLE:
        return to_simplified(doc.title), _line_of(doc.title, lines)
    return None, None


def _line_of(title: str, lines: list[str]) -> int | None:
    """Where a page's title recurs among its first lines."""
    for i, line in enumerate(lines[:6]):
        if title.strip() and title.strip() in line:
            return i
    return None


# The template sections a report has and a letter or notice about reports has not.
_SECTION_SIGNS = re.compile(
    r"^[一二三四五六七八九十]+\s*[、.．]\s*[^。，,]{0,16}?(?:概述|总体情况|基本情况|总体工作情况|"
    r"主动公开|依申请公开|收到和处理政府信息公开申请|行政复议|收费|存在的主要问题|改进措施)"
    r"(?:[^。，,]{0,24}$|[^。，,\s]{0,24}\s)"  # a heading line, or one the page ran into its text
)
_BODY_REPORTS = re.compile(
    r"本(?:年度)?(?:报告|年报)|现将[^。]{0,40}?(?:信息公开|政务公开)[^。]{0,10}?报告|"
    r"现公布[^。]{0,40}?(?:信息公开|政务公开)[^。]{0,10}?报告|编制本(?:年度)?报告"
)


# Notices and letters are addressed ("各县市区人民政府，市直各单位：") and end "特此通知".
_ADDRESSED = re.compile(
    r"^各[^。\n]{1,40}[:：]\s*$|通知如下|特此(?:通知|函告|函复)|现(?:将|就)有关事项(?:通知|函告)",
    re.M,
)
_DISCLOSURE = re.compile(r"信息公开|政务公开")
_DISCLOSURE_MENTIONS = 5


# What a report's own title never says before its report words ("关于做好…年度报告…的通知",
# "召开…年报编制部署会", "附件：…"), and what may follow them ("（全文）", "(2)").
_TITLE_VERBS = re.compile(r"关于|做好|编制|编发|印发|公布|发布|报送|召开|部署|转发|附件|开展|学习")
_TITLE_TAIL = re.compile(
    r"[\s()（）\[\]【】《》“”\"'：:.。\-—]*(?:全文|正文|摘要|\d{1,2})?[\s()（）\]】》”\"]*"
)
# A title of another kind of document: a notice, letter, plan, news of a meeting.
_OTHER_KIND = re.compile(
    r"^(?:关于.{2,80}|.{2,80}(?:的通知|的函|工作要点|实施方案|的意见|的公告|的通报|的批复|"
    r"部署会|推进会|培训会|会议))$"
)


def is_report_title(title: str) -> bool:
    """A title that is a report's own: agency and year, the report words, nothing after them."""
    matches = list(_TITLE_REPORT.finditer(title))
    if not matches:
        return False
    last = matches[-1]
    return not _TITLE_VERBS.search(title[: last.start()]) and bool(
        _TITLE_TAIL.fullmatch(title[last.end() :])
    )


def _report_title_in(lines: list[str]) -> tuple[str, int] | None:
    """A report's own title among the first lines, as a notice that publishes it prints it."""
    for i, line in enumerate(lines[:_HEAD_LINES]):
        line = issuer.strip_prefix(line)
        if (
            len(line) <= _TITLE_LINE
            and is_report_title(line)
            and _YEAR_IN.search(line)  # a report's own title names its year
            and not _NOT_TITLE.search(line)
        ):
            return line, i
    return None


_HEAD_LINES = 15
_YEAR_IN = re.compile(r"(?:19|20)\d{2}")


def _classify(title: str | None, text: str, lines: list[str]) -> tuple[bool, str | None]:
    if title and _TITLE_REPORT.search(title):
        if _NOT_REPORT.search(title) or not is_report_title(title):
            return False, f"the title names another kind of document: {title}"
        return True, None
    for line in lines[:_HEAD_LINES]:
        line = issuer.strip_prefix(line)
        if len(line) <= _MAX_TITLE and _OTHER_KIND.match(line) and not line.startswith("-"):
            return False, f"the title names another kind of document: {line}"
    if match := _ADDRESSED.search(text[:3000]):
        return False, f"a notice or letter about reports, not a report: {match.group(0)[:40]!r}"
    sections = sum(1 for line in text.split("\n") if _SECTION_SIGNS.match(line))
    says_report = bool(_BODY_REPORTS.search(text[:1500]))
    # a report without its title still speaks of disclosure throughout
    about_disclosure = len(_DISCLOSURE.findall(text)) >= _DISCLOSURE_MENTIONS
    if sections >= 2 or (sections and (says_report or about_disclosure)):
        return True, None
    if title:
        return False, f"neither the title nor the opening says this is an annual report: {title}"
    return False, "neither the title nor the opening says this is an annual report"


# The year a body names as its own: "现将2008年度…报告如下", "2018年，XX认真…" at its start.
_BODY_YEAR = (
    re.compile(r"现(?:将|公布)[^。]{0,30}?(?P<year>(?:19|20)\d{2})\s*年度?[^。]{0,30}?报告"),
    # a paragraph opening with the year ("2020年七里坪镇严格按照…"), not with a date ("2008年4月")
    re.compile(r"^(?P<year>(?:19|20)\d{2})\s*年度?(?:以来)?\s*[，,]?(?![\d月底初])", re.M),
    re.compile(r"(?P<year>(?:19|20)\d{2})\s*年度?" + _REPORT_WORDS),
    # the sentence that says what it reports on: "…等六个方面汇报我镇2023年政府信息公开工作"
    re.compile(
        r"(?:汇报|报告|总结)[^。]{0,12}?(?P<year>(?:19|20)\d{2})\s*年度?(?:政府信息公开|政务公开)"
    ),
)


def _year(
    title: str | None, period_start: date | None, table_head: list[str], text: str
) -> int | None:
    """The statistics year: the title's, else the period's, else the table's, else the body's."""
    if title:
        for pattern in (_TITLE_YEAR_FIRST, _TITLE_AGENCY_FIRST):
            if match := pattern.search(title):
                return int(match.group("year"))
    if period_start is not None:
        return period_start.year
    for line in reversed(table_head):
        if match := _TABLE_YEAR.search(line):
            return int(match.group("year"))
    opening = text[:2000]
    for pattern in _BODY_YEAR:
        if match := pattern.search(opening):
            return int(match.group("year"))
    return None


# "平潭县各乡镇人民政府" holds the letters of "平潭县人民政府" but names many bodies, not one.
_COLLECTIVE = re.compile(r"[各和及与、党]|相关|所属|直属")


def _agency(
    title: str | None,
    title_index: int | None,
    lines: list[str],
    text: str,
    doc: Document,
    signature: layout.Signature | None,
) -> agencies.AgencyInfo:
    """The agency as the report names itself, expanded when it only gives a short form."""
    title_agency = None
    if title:
        for pattern in (_TITLE_YEAR_FIRST, _TITLE_AGENCY_FIRST):
            if match := pattern.search(title):
                title_agency = match.group("agency").strip(' 《》“”"')
                break
    found = issuer.choose(
        issuer.candidates(
            title_agency,
            lines[:12],
            title_index,
            text,
            signature.agency if signature else None,
            doc.source,
        ),
        text,
    )
    name = found.name
    if name is None:  # no name; the level may still show in how the text speaks of itself
        return agencies.describe(None, context=text)
    aliases = list(found.aliases)
    if "、" not in name and (full := agencies.expand(name, text)) and not _COLLECTIVE.search(full):
        if full.endswith("委") and full + "员会" in text:  # 国资委 abbreviates …委员会
            full += "员会"
        aliases.append(name)
        name = full
    info = agencies.describe(name, context=text)
    info.aliases = list(dict.fromkeys(a for a in aliases if a != name))
    return info


def _format(year: int | None, gb_format: str | None, has_legacy_table: bool) -> str | None:
    """The format era: what the tables show, else what the year implies."""
    if gb_format:
        return gb_format
    if has_legacy_table:
        return "pre2019"
    if year is None:
        return None
    if year >= 2021:
        return "gb2021"
    if year >= 2019:
        return "gb2019"
    return "pre2019"
