"""What the soak sends: distinct report pages made from the five real seeds, republished
copies of them, and junk; each one through ``producers.publish`` (the ingest path).

A variant renames the seed's place (so its agency is another one), shifts its years and
perturbs narrative figures, so every variant is a report of its own agency and year. A
republished copy is the same text under another URL in other page chrome. Junk is a notice that
only mentions reports, or bytes that are no document at all.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field

from devtools.datasets import SEEDS

SEEDS_DIR = SEEDS

# The place each seed names, replaced by a generated one (the agency follows the place), and
# the seed's agency and report year (its title).
_SEED_PLACES = {"000": "贵州", "001": "伊春", "002": "罗庄", "003": "温州", "004": "四川"}
_SEED_TITLES = {
    "000": ("贵州省安全生产监督管理局", 2017),
    "001": ("伊春市安全生产监督管理局", 2014),
    "002": ("罗庄区安全生产监督管理局", 2018),
    "003": ("温州市安全生产监督管理局", 2017),
    "004": ("四川省应急管理厅", 2019),
}
_SYLLABLES = (
    "云溪",
    "青川",
    "白河",
    "安平",
    "东阳",
    "南陵",
    "西林",
    "北宁",
    "长宁",
    "永和",
    "宁远",
    "清源",
    "丰城",
    "明溪",
    "泰和",
    "新化",
    "兴安",
    "德安",
    "凤翔",
    "龙泉",
    "金沙",
    "玉山",
    "石门",
    "桃源",
    "桂阳",
    "柳城",
    "松滋",
    "枫林",
    "梅江",
    "竹溪",
    "兰溪",
    "荷塘",
    "湘阴",
    "汉寿",
    "涟源",
    "临武",
    "嘉禾",
    "汝城",
    "桑植",
    "慈利",
    "江永",
    "道县",
    "武冈",
    "邵东",
    "衡山",
    "祁东",
)
_NOTICE = (
    "关于做好{year}年政府信息公开工作年度报告编制发布工作的通知",
    "各县（市、区）人民政府，市政府各部门、各直属机构：",
    "根据《中华人民共和国政府信息公开条例》规定，行政机关应当在每年1月31日前向本级政府信息"
    "公开工作主管部门提交本行政机关上一年度政府信息公开工作年度报告并向社会公布。现将有关事项"
    "通知如下：请各单位于{next}年1月31日前在本单位网站公开年度报告全文。",
    "{place}市人民政府办公室",
    "{year}年12月{day}日",
)


@dataclass(frozen=True)
class Page:
    """One page the soak sends, and what a correct pipeline must make of it."""

    key: str  # soak-wide id, e.g. "r0042", "d0042a", "j0007"
    kind: str  # "report" | "republished" | "junk" | "crawled" (a report on the loopback site)
    url: str
    body: bytes
    content_type: str
    report: str | None = None  # the variant key a report or republished copy belongs to
    meta: dict[str, str] = field(default_factory=dict)


def _seeds() -> dict[str, str]:
    found = {}
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        found[path.name[:3]] = path.read_text(encoding="utf-8")
    missing = set(_SEED_PLACES) - set(found)
    if missing:
        raise FileNotFoundError(f"seed texts {sorted(missing)} missing in {SEEDS_DIR}")
    return found


def _place_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct made-up place names: two characters, then three when those run out."""
    names = [a + b[0] for a in _SYLLABLES for b in _SYLLABLES if a[0] != b[0]]
    rng.shuffle(names)
    if count > len(names):
        longer = [n + c[0] for n in names for c in _SYLLABLES if c[0] not in n]
        rng.shuffle(longer)
        names += longer
    return names[:count]


def _shift_years(text: str, shift: int) -> str:
    return re.sub(r"(?<!\d)(20[012]\d)(?!\d)", lambda m: str(int(m.group(1)) + shift), text)


def _perturb_figures(text: str, rng: random.Random) -> str:
    """Change figures in the narrative ("发布信息123条"), never table cells or dates."""

    def swap(match: re.Match[str]) -> str:
        value = int(match.group(1))
        return f"{max(1, value + rng.randint(1, 9))}{match.group(2)}"

    return re.sub(r"(?<![\d.:\-年月/])(\d{2,4})(条|篇|件|次|人次|期)", swap, text)


def _html_page(title: str, lines: list[str], chrome: str, site: str) -> bytes:
    paras = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines if line.strip())
    title_e, site_e = html.escape(title), html.escape(site)
    if chrome == "portal":
        head = (
            f'<div class="top-bar">{site_e}门户网站 | 无障碍 | 长者模式</div>'
            '<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> '
            '<a href="/hdjl/">互动交流</a></div>'
            f'<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>'
        )
        foot = f'<div class="foot">主办：{site_e} 网站标识码 9999000777 ICP备05004215号</div>'
    else:
        head = (
            f'<div class="header"><h2>{site_e}</h2></div>'
            '<div class="location">首页 &gt; 信息公开 &gt; 政府信息公开年报</div>'
        )
        foot = f'<div class="footer">版权所有：{site_e} 地址：人民路1号</div>'
    doc = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title_e}</title>"
        f'<meta name="ArticleTitle" content="{title_e}"></head><body>'
        f'{head}<div class="article"><h1>{title_e}</h1>'
        f'<div class="content">{paras}</div></div>{foot}</body></html>'
    )
    return doc.encode("utf-8")


@dataclass(frozen=True)
class _Variant:
    key: str
    title: str
    lines: list[str]
    place: str
    prefix: str
    year: int


def _variants(count: int, rng: random.Random) -> list[_Variant]:
    seeds = _seeds()
    places = _place_names(rng, count)
    if count > len(places):
        raise ValueError(f"at most {len(places)} distinct reports")
    prefixes = sorted(_SEED_PLACES)
    found = []
    for i in range(count):
        prefix = prefixes[i % len(prefixes)]
        place = places[i]
        shift = rng.randint(0, 4)
        text = seeds[prefix].replace(_SEED_PLACES[prefix], place)
        text = _perturb_figures(_shift_years(text, shift), rng)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        agency, year = _SEED_TITLES[prefix]
        name = agency.replace(_SEED_PLACES[prefix], place)
        title = f"{name}{year + shift}年政府信息公开工作年度报告"
        found.append(_Variant(f"r{i:05d}", title, lines, place, prefix, year + shift))
    return found


def make_pages(
    reports: int,
    seed: int,
    *,
    site_reports: int = 0,
    site_url: str = "",
    republished_every: int = 5,
    junk_every: int = 10,
) -> tuple[list[Page], list[Page]]:
    """Pages to publish, and pages for the loopback site's annual-report column.

    ``reports`` distinct reports are published, with a republished copy of about every
    ``republished_every``-th one and a junk page for every ``junk_every`` reports (alternating
    a notice and binary bytes), shuffled; ``site_reports`` further distinct reports are pages of
    the site (URL ``site_url`` + path), for the crawl passes to find.
    """
    rng = random.Random(seed)
    variants = _variants(reports + site_reports, rng)
    pages: list[Page] = []
    for i, v in enumerate(variants[:reports]):
        site = f"{v.place}市人民政府"
        meta = {"seed": v.prefix, "place": v.place, "title": v.title}
        pages.append(
            Page(
                key=v.key,
                kind="report",
                url=f"http://www.{i:05d}.soak.gov.cn/zfxxgk/zfxxgknb/t{i:05d}.html",
                body=_html_page(v.title, v.lines, "agency", site),
                content_type="text/html; charset=utf-8",
                report=v.key,
                meta=meta,
            )
        )
        if republished_every and rng.random() < 1 / republished_every:
            pages.append(
                Page(
                    key=f"d{i:05d}",
                    kind="republished",
                    url=f"http://portal.{i:05d}.soak.gov.cn/art/{v.year + 1}/art_{i}.html",
                    body=_html_page(v.title, v.lines, "portal", f"{v.place}市"),
                    content_type="text/html; charset=utf-8",
                    report=v.key,
                    meta=meta,
                )
            )
        if junk_every and i % junk_every == junk_every - 1:
            j = i // junk_every
            if j % 2 == 0:
                year = 2016 + rng.randint(0, 8)
                lines = [
                    line.format(place=v.place, year=year, next=year + 1, day=rng.randint(1, 28))
                    for line in _NOTICE
                ]
                body = _html_page(lines[0], lines[1:], "agency", f"{v.place}市人民政府")
                ctype = "text/html; charset=utf-8"
            else:
                body = bytes(rng.getrandbits(8) for _ in range(rng.randint(300, 3000)))
                ctype = "application/octet-stream"
            pages.append(
                Page(
                    key=f"j{j:05d}",
                    kind="junk",
                    url=f"http://www.{i:05d}.soak.gov.cn/files/f{j:05d}.bin",
                    body=body,
                    content_type=ctype,
                )
            )
    rng.shuffle(pages)
    site_pages = [
        Page(
            key=v.key,
            kind="crawled",
            url=f"{site_url}/zfxxgk/zfxxgknb/{v.year + 1}/t{v.key}.html",
            body=_html_page(v.title, v.lines, "agency", "云溪市人民政府"),
            content_type="text/html; charset=utf-8",
            report=v.key,
            meta={"seed": v.prefix, "place": v.place, "title": v.title},
        )
        for v in variants[reports:]
    ]
    return pages, site_pages


def plan_counts(total: int) -> int:
    """How many distinct reports make about ``total`` pages with the default mix (1.3 each)."""
    return max(1, round(total / 1.3))
