"""The demo site's page contents: the seed reports, the republication, the decoy articles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devtools.demo_site.site_map import (
    LISTING_PATH,
    NB_COLUMN,
    NEWS_COLUMN,
    NEWS_PATH,
    SITE_NAME,
    ZCJD_COLUMN,
    ZCJD_PATH,
)


@dataclass(frozen=True)
class DemoPage:
    """One article linked from the annual-report listing, and what a pipeline should do."""

    path: str  # URL path, e.g. "/zfxxgk/zfxxgknb/201801/t20180115_1004.html"
    title: str  # the link/title text
    seed: str | None  # seed file name it renders, None for non-seed pages
    template: str  # "agency" | "portal"
    expected: str  # "report" | "duplicate" | "not_report" | "not_followed"


@dataclass(frozen=True)
class _Article:
    page: DemoPage
    date: str  # YYYY-MM-DD, shown in the listing, the PubDate meta and the info line
    source: str  # 来源 / ContentSource
    column: str  # ColumnName
    column_path: str
    lines: tuple[str, ...]  # body text, one <p> per non-empty line


@dataclass(frozen=True)
class _SeedSpec:
    prefix: str
    title: str
    date: str
    source: str
    path: str


# Titles come from the seed texts (001, 003 and 004 carry their own title lines; 000 and 002
# name the agency and year in their first paragraph). Dates are the seed's own where it has
# one (001 "发布日期:2014-12-25", 004 "发布时间: 2020-01-20"), otherwise plausible ones in the
# year after the report year (003 was 填报 2018.1.3).
_SEEDS: tuple[_SeedSpec, ...] = (
    _SeedSpec(
        "000",
        "贵州省安全生产监督管理局2017年政府信息公开工作年度报告",
        "2018-03-26",
        "贵州省安全生产监督管理局",
        "/zfxxgk/zfxxgknb/201803/t20180326_1001.html",
    ),
    _SeedSpec(
        "001",
        "伊春市安全生产监督管理局2014年政务公开工作年度报告",
        "2014-12-25",
        "伊春市应急管理局",
        "/zfxxgk/zfxxgknb/201412/t20141225_1002.html",
    ),
    _SeedSpec(
        "002",
        "罗庄区安全生产监督管理局2018年政府信息公开工作年度报告",
        "2019-03-22",
        "罗庄区安全生产监督管理局",
        "/zfxxgk/zfxxgknb/201903/t20190322_1003.html",
    ),
    _SeedSpec(
        "003",
        "温州市安全生产监督管理局2017年政府信息公开工作年度报告",
        "2018-01-15",
        "温州市安全生产监督管理局",
        "/zfxxgk/zfxxgknb/201801/t20180115_1004.html",
    ),
    _SeedSpec(
        "004",
        "四川省应急管理厅2019年政府信息公开工作年度报告",
        "2020-01-20",
        "四川省应急管理厅",
        "/zfxxgk/zfxxgknb/202001/t20200120_1005.html",
    ),
)

_DUPLICATE_OF = "003"
_DUPLICATE_PATH = "/art/2018/3/20/art_1229_5566.html"
_DUPLICATE_TITLE = "市安监局2017年政府信息公开工作年度报告"
_DUPLICATE_DATE = "2018-03-20"
_DUPLICATE_SOURCE = "温州市安监局"

_NOTICE_TITLE = "关于做好2019年政府信息公开工作年度报告编制发布工作的通知"
_NOTICE_LINES = (
    "各县（市、区）人民政府，市政府各部门、各直属机构：",
    "根据《中华人民共和国政府信息公开条例》规定，行政机关应当在每年1月31日前向本级政府信息"
    "公开工作主管部门提交本行政机关上一年度政府信息公开工作年度报告并向社会公布。为做好2019年"
    "政府信息公开工作年度报告编制发布工作，现将有关事项通知如下：",
    "一、严格按照新格式编制。各单位要按照国务院办公厅政府信息与政务公开办公室印发的年度报告"
    "格式要求编写，如实反映本机关主动公开、依申请公开、行政复议和行政诉讼等情况，统计期限为"
    "2019年1月1日至2019年12月31日，确保数据真实准确、前后一致。",
    "二、按时公开发布。各单位应于2020年1月31日前在本单位政府网站“政府信息公开年报”栏目公开"
    "年度报告全文，同时将报告电子版报送市政府办公室政务公开科。逾期未发布的，将在全市政务公开"
    "工作考核中予以扣分。",
    "云溪市人民政府办公室",
    "2019年12月10日",
)

_JIEDU_TITLE = "《2019年政府信息公开工作年度报告》解读"
_JIEDU_LINES = (
    "《云溪市应急管理局2019年政府信息公开工作年度报告》已在本网站公开发布。为便于社会公众更好地"
    "了解报告内容，现解读如下：",
    "一、主动公开情况。2019年，我局通过政府网站、政务新媒体等渠道主动公开政府信息1236条，其中"
    "安全生产执法信息312条、事故调查报告6份，重点领域信息公开进一步加强。",
    "二、依申请公开情况。全年共受理政府信息公开申请9件，均在法定期限内答复，未发生因政府信息"
    "公开引起的行政复议和行政诉讼。",
    "三、下一步工作。我局将进一步完善信息发布审核机制，加大政策解读和回应关切力度，不断提升"
    "政务公开工作水平。",
)

_NEWS_TITLE = "市安委会召开全体会议"
_NEWS_LINES = (
    "5月15日下午，市安委会召开全体会议，传达学习全国、全省安全生产电视电话会议精神，通报今年"
    "以来全市安全生产形势，部署下一阶段安全生产重点工作。",
    "会议指出，今年以来全市安全生产形势总体平稳，但部分行业领域事故隐患依然突出，各地各部门"
    "要压紧压实安全生产责任，深入开展安全生产专项整治，坚决防范遏制重特大事故发生。",
    "会议要求，要扎实做好汛期和“安全生产月”各项工作，加强应急值守，确保全市安全生产形势持续"
    "稳定。市安委会各成员单位负责人参加会议。",
)


def content_lines(text: str) -> list[str]:
    """The lines of a text that become ``<p>`` elements: every non-blank line, kept as-is."""
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]


def _find_seed(seeds_dir: Path, prefix: str) -> Path:
    found = sorted(seeds_dir.glob(f"{prefix}_*.txt"))
    if len(found) != 1:
        raise FileNotFoundError(
            f"expected exactly one seed file {prefix}_*.txt in {seeds_dir}, found {len(found)}"
        )
    return found[0]


def _build_articles(seeds_dir: Path) -> list[_Article]:
    """All articles, newest first (the order of the annual-report listing)."""
    articles: list[_Article] = []
    by_prefix: dict[str, _Article] = {}
    for spec in _SEEDS:
        seed_file = _find_seed(seeds_dir, spec.prefix)
        text = seed_file.read_text(encoding="utf-8")
        art = _Article(
            DemoPage(spec.path, spec.title, seed_file.name, "agency", "report"),
            spec.date,
            spec.source,
            NB_COLUMN,
            LISTING_PATH,
            tuple(content_lines(text)),
        )
        articles.append(art)
        by_prefix[spec.prefix] = art
    original = by_prefix[_DUPLICATE_OF]
    articles.append(
        _Article(
            DemoPage(_DUPLICATE_PATH, _DUPLICATE_TITLE, original.page.seed, "portal", "duplicate"),
            _DUPLICATE_DATE,
            _DUPLICATE_SOURCE,
            NB_COLUMN,
            LISTING_PATH,
            original.lines,
        )
    )
    articles.append(
        _Article(
            DemoPage(
                "/zfxxgk/zfxxgknb/201912/t20191210_1006.html",
                _NOTICE_TITLE,
                None,
                "agency",
                "not_report",
            ),
            "2019-12-10",
            f"{SITE_NAME}办公室",
            NB_COLUMN,
            LISTING_PATH,
            _NOTICE_LINES,
        )
    )
    articles.append(
        _Article(
            DemoPage(
                "/zfxxgk/zcjd/202001/t20200122_2001.html",
                _JIEDU_TITLE,
                None,
                "agency",
                "not_followed",
            ),
            "2020-01-22",
            "云溪市应急管理局",
            ZCJD_COLUMN,
            ZCJD_PATH,
            _JIEDU_LINES,
        )
    )
    articles.append(
        _Article(
            DemoPage(
                "/xwzx/bmdt/201905/t20190516_3001.html",
                _NEWS_TITLE,
                None,
                "agency",
                "not_followed",
            ),
            "2019-05-16",
            "云溪市应急管理局",
            NEWS_COLUMN,
            NEWS_PATH,
            _NEWS_LINES,
        )
    )
    articles.sort(key=lambda a: a.date, reverse=True)
    return articles
