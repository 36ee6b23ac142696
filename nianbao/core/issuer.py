"""Who issued a report, as the report itself says it: the name, and the short forms it also uses.

Pure. Reports name their issuer in many places, none of them always present: the title, a line
above or under it, a page's metadata block (发布机构), the opening sentence ("由XX编制",
"现将XX2018年…报告如下", "2018年，XX认真贯彻…"), the contact sentence ("请与XX联系"), the
signature. Each place gives a candidate with a role; the strongest role wins, and a bare place
name ("福州市晋安区") is completed only from a candidate that writes that place's government out.
An office that compiles the report for its government (办公厅, 信息公开办…) is read as the
government when it is named in the body, never when the title names the office itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nianbao.core.agency import strip_compiler_office

_CJK = r"\u4e00-\u9fff"
_GOVERNMENT_TAIL = r"(?:人民政府|政府|管理委员会|管委会|街道办事处|办事处|行政公署)"
_AGENCY_TAIL = (
    _GOVERNMENT_TAIL + r"|(?:办公厅|办公室|委员会|局|厅|委|办|中心|署|院|部|馆|所|站|队|处)"
)
_PLACE_TAIL = (
    r"(?:特别行政区|自治区|自治州|自治县|综合实验区|新区|省|市|地区|盟|县|旗|区|镇|乡|街道)"
)
# A name: CJK characters only, no conjunction at its start, ending with an agency or place tail.
_NAME = rf"[{_CJK}]{{1,30}}?(?:{_AGENCY_TAIL}|{_PLACE_TAIL})"
_IS_AGENCY = re.compile(rf"^[{_CJK}]{{2,40}}(?:{_AGENCY_TAIL})$")
_IS_PLACE = re.compile(rf"^[{_CJK}]{{1,30}}{_PLACE_TAIL}(?:[(（][{_CJK}]{{2,10}}[)）])?$")
_ONLY_GOVERNMENT = re.compile(_GOVERNMENT_TAIL)
# The office that compiles a government's report, written after the government's name.
_COMPILER_OFFICE = re.compile(
    rf"^(?P<government>[{_CJK}]+?{_GOVERNMENT_TAIL})"
    r"(?:办公厅|办公室|党政办|党政综合办|信息公开办|政务公开办|(?:政府)?信息公开(?:工作)?领导小组|政务公开(?:工作)?领导小组)"
    rf"[{_CJK}]*$"
)
# Words that never start a name: pronouns, connectives, verbs a sentence may put first.
_NOT_NAME_START = re.compile(r"^(?:我|本|各|全|该|其|经|由|从|对|在|将|按|根据|依据|关于|结合)")
_NOT_NAME = re.compile(r"(?:信息公开|政务公开|年度|报告|工作|情况|条例|规定)")
# Page-capture prefixes before a title: metadata labels, markdown, table pipes, brackets.
_PREFIX = re.compile(r"^(?:(?:标题|题名|名称|文章标题|主题)\s*[:：]\s*|#+\s*|\|\s*|【[^】]*】\s*)+")
_NON_CJK_LEAD = re.compile(rf"^[^{_CJK}《“]+")

_METADATA = re.compile(
    rf"(?=[发公])(?:发布机构|发文机关|发布单位|公开单位|发文单位|发布部门)\s*[:：]\s*(?P<name>{_NAME})"
    rf"(?![{_CJK}])"
)
_SOURCE = re.compile(rf"(?:^|\s)(?:信息来源|来源)\s*[:：]\s*(?P<name>{_NAME})(?![{_CJK}])")
# "由XX编制" (the compiler, before what it did); "现将XX2018年度…报告如下" (who reports);
# "2018年，XX认真贯彻…" (the subject of the opening sentence); "请与XX联系" (whom to ask).
_COMPILED_BY = re.compile(
    rf"由(?P<name>{_NAME}(?:、{_NAME})*)(?=(?:负责|牵头|会同|结合|根据|依据|按照|综合|汇总|组织|编制|编写|"
    r"制作|编发|起草|[，,（(]))"
)
_REPORTS = re.compile(
    rf"(?=[现编特公发])(?:现(?:将|公布|发布|予以公布)|编[制写](?:了|完成)?|特?(?:公布|发布))(?P<name>{_NAME})"
    r"(?=\s*(?:[(（][^()（）]{0,30}[)）])?\s*(?:(?:19|20)\d{2}\s*年|政府信息公开|政务公开|信息公开))"
)
_OPENING_SUBJECT = re.compile(
    rf"(?:^|[。；;])\s*(?=[12])(?:(?:19|20)\d{{2}}\s*年度?(?:以来)?\s*[，,]?\s*)(?:在[^，,。]{{2,30}}[，,]\s*)?"
    rf"(?P<name>{_NAME})"
    r"(?=(?:认真|全面|坚持|深入|紧紧|紧扣|持续|进一步|高度|围绕|切实|严格|积极|不断|继续|始终|"
    r"着力|扎实|大力|按照|依据|根据|以|在|共|进|把|将|结合|贯彻))"
)
_CONTACT = re.compile(
    rf"(?=[请直可联受])(?:请与|直接与|可与|请联系|联系单位[:：]|受理机构[:：])\s*(?P<name>{_NAME})"
    rf"(?=\s*(?:联系|[，,。（(:：]|$))"
)
_LAST_VERB = re.compile(r"公布|发布|现将|根据|按照|依据|[将与由对向在经据是为和及]")
_SHORT_GOVERNMENT = re.compile(r"^(?P<level>[省市区县镇乡])(?:人民)?政府$")


@dataclass(frozen=True)
class Candidate:
    """A name the document gives its issuer, and where it gives it."""

    name: str
    role: str  # title, heading, metadata, compiled, reports, opening, signature, contact, source


@dataclass(frozen=True)
class Issuer:
    """The issuer's name and the other forms the report uses for it."""

    name: str | None
    aliases: tuple[str, ...] = ()


def strip_prefix(line: str) -> str:
    """A title line without the capture's metadata label, markdown or table marks."""
    return _PREFIX.sub("", line).strip()


def clean_name(raw: str) -> str | None:
    """A candidate name with capture junk removed (a spam domain, quotes), or None if none."""
    name = _NON_CJK_LEAD.sub("", strip_prefix(raw)).strip(" 《》“”\"'")
    if _COMPILER_OFFICE.match(name) and not _NOT_NAME_START.match(name):
        return name
    if "、" in name:  # co-issuers: each must be a name
        parts = [clean_name(part) for part in name.split("、")]
        return name if all(parts) else None
    if not (_IS_AGENCY.match(name) or _IS_PLACE.match(name)):
        return None
    if _NOT_NAME_START.match(name) or _NOT_NAME.search(name):
        return None
    return name


def candidates(
    title_agency: str | None,
    head: Sequence[str],
    title_index: int | None,
    body: str,
    signature_agency: str | None,
    source: str | None,
) -> list[Candidate]:
    """Every issuer name the document states, strongest role first."""
    found: list[Candidate] = []

    def add(raw: str | None, role: str) -> None:
        if raw and (name := clean_name(raw)):
            found.append(Candidate(name, role))

    add(title_agency, "title")
    if title_index is not None:
        for i in (title_index + 1, title_index - 1):
            if 0 <= i < len(head) and len(head[i]) <= 40 and _IS_AGENCY.match(head[i].strip()):
                add(head[i].strip(), "heading")
    header = "\n".join(head[:12])
    if match := _METADATA.search(header):
        add(match.group("name"), "metadata")
    opening = body[:3000]
    for pattern, role in ((_COMPILED_BY, "compiled"), (_REPORTS, "reports")):
        for match in pattern.finditer(opening):
            add(match.group("name"), role)
    for line in body.split("\n")[:12]:
        if match := _OPENING_SUBJECT.search(line.strip()):
            add(match.group("name"), "opening")
            break
    add(signature_agency, "signature")
    for match in _CONTACT.finditer(opening):
        add(match.group("name"), "contact")
    if match := _SOURCE.search(header):
        add(match.group("name"), "source")
    add(source, "source")
    return found


_PLACE_OFFICE = re.compile(
    rf"^(?P<place>[{_CJK}]+?(?:镇|乡|街道))(?:党政办|党政综合办|综合办)[{_CJK}]*$"
)


def _government_of(name: str) -> str:
    """The body an office compiles for: "XX人民政府办公厅" → "XX人民政府", "XX局办公室" → "XX局"."""
    if match := _COMPILER_OFFICE.match(name):
        return match.group("government")
    if (body := strip_compiler_office(name)) != name:
        return body
    if match := _PLACE_OFFICE.match(name):  # a township's 党政办 compiles for the township
        return match.group("place")
    return name


def _full_form(short: str, names: Sequence[str], text: str) -> str | None:
    """The full name of a short government form ("市政府") the report writes out elsewhere."""
    match = _SHORT_GOVERNMENT.match(short)
    if not match:
        return None
    level = match.group("level")
    pattern = re.compile(rf"[{_CJK}]{{1,12}}?{level}人民政府")
    counts: dict[str, int] = {}
    for source in (*names, text):
        for found in pattern.finditer(source):
            name = _LAST_VERB.split(found.group(0))[-1]  # "现公布XX区人民政府": from XX
            if not _NOT_NAME_START.match(name) and name[0] != level:
                counts[name] = counts.get(name, 0) + 1
    return max(counts, key=lambda n: counts[n]) if counts else None


def choose(found: Sequence[Candidate], text: str) -> Issuer:
    """The issuer: the strongest candidate, completed from the others when it is a bare place."""
    if not found:
        return Issuer(None)
    best = found[0]
    # an office named in the body compiles for its government; a title naming it is its own
    # an office that compiles or answers for the report works for its government; an office
    # whose own report it is (the title, 现公布XX办公室…报告, its own opening sentence) is itself
    compiles = best.role in ("compiled", "contact", "signature", "source")
    name = _government_of(best.name) if compiles else best.name
    aliases: list[str] = []
    others = [_government_of(c.name) for c in found[1:] if c.role != "source"]
    if full := _full_form(name, others, text):
        aliases.append(name)
        name = full
    if _IS_PLACE.match(name) and not _IS_AGENCY.match(name):
        for other in others:
            if other.startswith(name) and _ONLY_GOVERNMENT.fullmatch(other[len(name) :]):
                aliases.append(name)
                name = other
                break
    return Issuer(name, tuple(dict.fromkeys(a for a in aliases if a != name)))
