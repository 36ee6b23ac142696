"""Dedup decisions on the calibration set, through the real store path (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from devtools.calibrate import Page, pairs
from devtools.calibrate import to_message as parsed
from nianbao.core import similarity
from nianbao.core.dedup import Candidate, agency_key, decide, identity, same_identity
from nianbao.core.pipeline import analyse
from nianbao.core.similarity import signature
from nianbao.storage.migrate import upgrade
from nianbao.storage.repository import Repository, make_engine

PAIRS = pairs()


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path) -> Repository:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/dedup.sqlite3"
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    return Repository(engine)


@pytest.mark.parametrize("pair", PAIRS, ids=[p.name for p in PAIRS])
def test_calibration_pair_decision(repo: Repository, pair) -> None:
    first = repo.save_report(parsed(pair.first, "https://a.gov.cn/nb/1.html"))
    second = repo.save_report(parsed(pair.second, "https://b.gov.cn/nb/2.html"))
    assert first.decision == "new"
    assert second.decision == pair.expected
    merged = pair.expected in {"exact_duplicate", "near_duplicate", "new_version"}
    assert (second.report_id == first.report_id) is merged
    assert repo.counts()["reports"] == (1 if merged else 2)


def test_redelivery_changes_nothing_and_decisions_keep_evidence(repo: Repository) -> None:
    pair = next(p for p in PAIRS if p.name == "three sentences edited")
    original = parsed(pair.first, "https://a.gov.cn/nb/1.html")
    copy = parsed(pair.second, "https://b.gov.cn/nb/2.html")
    assert repo.save_report(original).decision == "new"
    assert repo.save_report(copy).decision == "near_duplicate"
    before = repo.counts()
    assert repo.save_report(copy).decision == "redelivery"
    assert repo.save_report(original).decision == "redelivery"
    assert repo.counts() == before
    stored = repo.get_report(1)
    assert stored is not None and [s.decision for s in stored.sources] == ["new", "near_duplicate"]
    near = stored.sources[1]
    assert near.method == "minhash" and near.similarity is not None and near.similarity >= 0.8
    assert near.version == 1


def test_corrected_republication_is_a_new_version(repo: Repository) -> None:
    pair = next(p for p in PAIRS if p.expected == "new_version")
    repo.save_report(parsed(pair.first, "https://a.gov.cn/nb/1.html"))
    result = repo.save_report(parsed(pair.second, "https://a.gov.cn/nb/1.html"))  # same URL
    assert result.decision == "new_version"
    stored = repo.get_report(result.report_id)
    assert stored is not None
    assert stored.current_version == 2 and [v.version for v in stored.versions] == [1, 2]
    weibo = [i.value for i in stored.record.indicators if i.row_code == "active.weibo"]
    old = [i.value for i in stored.versions[0].record.indicators if i.row_code == "active.weibo"]
    assert (weibo, old) == ([986.0], [968.0])  # the latest is current, history stays
    assert [s.version for s in stored.sources] == [1, 2]


def test_repetition_vs_previous_year_is_recorded_either_order(repo: Repository) -> None:
    pair = next(p for p in PAIRS if p.name.startswith("next year"))
    later = repo.save_report(parsed(pair.second, "https://a.gov.cn/nb/2018.html"))
    earlier = repo.save_report(parsed(pair.first, "https://a.gov.cn/nb/2017.html"))
    assert later.report_id != earlier.report_id
    stored = repo.get_report(later.report_id)
    assert stored is not None and stored.previous_year_report_id == earlier.report_id
    assert stored.repetition_vs_previous_year is not None
    assert 0.85 <= stored.repetition_vs_previous_year < 1.0
    assert repo.get_report(earlier.report_id).repetition_vs_previous_year is None  # type: ignore[union-attr]


def test_identity_rules() -> None:
    assert agency_key("淮安市洪泽区人民政府") == agency_key("洪泽区人民政府") == "洪泽区人民政府"
    record = analyse(PAIRS[0].first.body, content_type="text/html").record
    me = identity(record)
    other_city = me.__class__("鼓楼区人民政府", (None, "南京市", "鼓楼区", None), 2019, "")
    same_name = me.__class__("鼓楼区人民政府", (None, "福州市", "鼓楼区", None), 2019, "")
    assert not same_identity(other_city, same_name)
    unknown = me.__class__(None, (None,) * 4, None, "")
    assert (
        decide(
            unknown, signature("x" * 100), [Candidate(1, 1, unknown, signature("x" * 100))]
        ).decision
        == "new"
    )


def test_signatures_are_fixed_values_that_estimate_jaccard() -> None:
    """Scheme 2 is pinned: stored signatures must agree across processes, machines, numpy
    releases. A change here changes every stored signature: bump SIGNATURE_VERSION."""
    text = "政府信息公开工作年度报告"
    assert signature(text)[:4] == [123741269, 1146347430, 163501082, 299978951]
    assert similarity.band_keys(signature(text))[:2] == [2496239760094612161, 2056428061904853890]
    assert signature("") == [similarity.EMPTY] * similarity.NUM_PERM  # as scheme 1: no shingle
    assert signature("年报") == signature("年报") != signature("报年")  # short: one shingle
    twice, thrice = "一二三四五" * 2, "一二三四五" * 3
    assert signature(twice) == signature(thrice)  # the same shingle set
    assert all(0 <= v < 2**32 for v in signature(text * 3))
    for pair in PAIRS[5:9]:  # edited, corrected, next year, another agency
        first, second = pair.first, pair.second
        estimated = similarity.estimate(*(analyse(p.body, content_type=p.content_type).signature
                                          for p in (first, second)))  # fmt: skip
        exact = similarity.jaccard(_folded(first), _folded(second))
        assert estimated == pytest.approx(exact, abs=0.05)


def test_band_keys_name_their_scheme() -> None:
    """The same values signed by two schemes never share a band (scheme 1 hashed no version)."""
    import hashlib

    sig = signature("政府信息公开工作年度报告")
    scheme_1 = [
        int.from_bytes(
            hashlib.blake2b(bytes([band]) + similarity.pack(sig[band * 4 : band * 4 + 4]),
                            digest_size=8).digest(), "little", signed=True) >> 1
        for band in range(similarity.BANDS)
    ]  # fmt: skip
    assert not set(scheme_1) & set(similarity.band_keys(sig))


def _folded(page: Page) -> str:
    """The folded text a page's signature is computed on (as `analyse` folds it)."""
    from nianbao.core.extract import extract
    from nianbao.core.fingerprint import folded_content
    from nianbao.core.parse import parse

    doc = extract(page.body, page.content_type)
    return folded_content(parse(doc).main_text, doc.tables)


def test_consumers_see_versions_sources_and_repetition(embedded, tmp_path) -> None:
    """Through ingest and the CLI, as a downstream consumer reads it."""
    import json

    from typer.testing import CliRunner

    from nianbao.cli import app

    original = next(p for p in PAIRS if p.expected == "new_version")
    next_year = next(p for p in PAIRS if p.name.startswith("next year"))
    near = next(p for p in PAIRS if p.name == "three sentences edited")
    files = {
        "a/2017.txt": original.first.body,
        "b/2017-copy.txt": near.second.body,
        "a/2017-corrected.txt": original.second.body,
        "a/2018.txt": next_year.second.body,
    }
    runner = CliRunner()
    for name, body in files.items():  # one at a time: the order is the publication order
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(body)
        assert runner.invoke(app, ["ingest", str(path)]).exit_code == 0
    out = tmp_path / "export.jsonl"
    assert runner.invoke(app, ["export", "--out", str(out)]).exit_code == 0
    reports = {r["record"]["year"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert sorted(reports) == [2017, 2018]
    wenzhou = reports[2017]
    assert wenzhou["current_version"] == 2 and len(wenzhou["versions"]) == 2
    assert [s["decision"] for s in wenzhou["sources"]] == ["new", "near_duplicate", "new_version"]
    assert all(s["first_seen"] and s["last_seen"] for s in wenzhou["sources"])
    assert reports[2018]["previous_year_report_id"] == wenzhou["id"]
    assert reports[2018]["repetition_vs_previous_year"] > 0.8
    shown = json.loads(runner.invoke(app, ["reports", "show", str(wenzhou["id"])]).output)
    assert shown["versions"][0]["record"]["indicators"] != shown["record"]["indicators"]


@pytest.mark.parametrize(
    ("old", "new"), [("\t968\n", "\t96.8\n"), ("\t968\n", "\t9680\n")], ids=["decimal", "digit"]
)
def test_a_corrected_decimal_is_never_an_exact_copy(repo: Repository, old: str, new: str) -> None:
    from devtools.calibrate import _seed, _text

    text = _seed("003")
    repo.save_report(parsed(_text(text), "https://a.gov.cn/1.html"))
    second = repo.save_report(parsed(_text(text.replace(old, new, 1)), "https://a.gov.cn/2.html"))
    assert second.decision == "new_version"


def test_a_figure_moved_to_the_next_column_is_not_the_same_key() -> None:
    from nianbao.core.document import Table
    from nianbao.core.fingerprint import folded_content

    issued = Table((("信息内容", "本年制发件数", "本年废止件数"), ("规章", "1", "")))
    repealed = Table((("信息内容", "本年制发件数", "本年废止件数"), ("规章", "", "1")))
    assert folded_content("正文", [issued]) != folded_content("正文", [repealed])


def test_identity_survives_blank_and_number_under_one_code() -> None:
    from schemas.report import AnnualReport, Indicator

    cells = [Indicator(table="legacy_stats", row=f"r{i}", row_code="x", column="统计数",
                       column_code="value", value=v, raw=str(v or ""),
                       semantics="blank" if v is None else "number") for i, v in enumerate(
                           [None, 3.0])]  # fmt: skip
    assert identity(AnnualReport(is_report=True, indicators=cells)).figures


def test_repetition_never_links_namesakes_in_other_cities(repo: Repository) -> None:
    """南京市鼓楼区 and 福州市鼓楼区 share an agency key; a region both state must agree."""
    from devtools.calibrate import _next_year, _seed, _text

    text = _seed("003")
    nanjing = text.replace("温州市安全生产监督管理局", "南京市鼓楼区安全生产监督管理局")
    fuzhou = _next_year(text, 2017).replace(
        "温州市安全生产监督管理局", "福州市鼓楼区安全生产监督管理局"
    )
    repo.save_report(parsed(_text(nanjing), "https://nj.gov.cn/2017.html"))
    later = repo.save_report(parsed(_text(fuzhou), "https://fz.gov.cn/2018.html"))
    stored = repo.get_report(later.report_id)
    assert stored is not None and stored.record.region.city == "福州市"
    assert stored.previous_year_report_id is None and stored.repetition_vs_previous_year is None


def test_a_near_duplicate_keeps_what_it_says_differently(repo: Repository) -> None:
    pair = next(p for p in PAIRS if p.name == "three sentences edited")
    original = parsed(pair.first, "https://a.gov.cn/nb/1.html")
    copy = parsed(pair.second, "https://b.gov.cn/nb/2.html")
    retitled = copy.model_copy(
        update={"record": copy.record.model_copy(update={"title": "另一个标题"})}
    )
    repo.save_report(original)
    assert repo.save_report(retitled).decision == "near_duplicate"
    stored = repo.get_report(1)
    assert stored is not None
    near = stored.sources[1]
    assert near.differences is not None and near.differences["title"] == "另一个标题"
    # the fields it agrees on (nested objects included) are not differences
    same = {k: v for k, v in near.differences.items() if v == original.record.model_dump(
        mode="json")[k]}  # fmt: skip
    assert same == {}


def test_storing_a_page_closes_its_own_open_quarantine_entry_only(repo: Repository) -> None:
    from schemas.messages import Rejection

    pair = next(p for p in PAIRS if p.name == "three sentences edited")
    page, other = (parsed(pair.first, "https://a.gov.cn/nb/1.html"),
                   parsed(pair.second, "https://b.gov.cn/nb/2.html"))  # fmt: skip
    for message in (page, other):
        repo.save_rejection(Rejection(page=message.page, stage="parse", reason="parse_timeout",
                                      detail="slow"))  # fmt: skip
    repo.save_report(page)
    status = {e.url: e.status for e in repo.list_quarantine(None, status=None)}
    assert status == {page.page.url: "closed", other.page.url: "open"}
