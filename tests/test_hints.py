"""Sites-file hints (agency, region, level) reach the parser as fallbacks, never as overrides."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from nianbao import runtime
from nianbao.cli import app
from nianbao.core.pipeline import Hints, analyse, hint_agency, hint_level, hint_region
from schemas.messages import FetchedPage, SiteHints
from schemas.report import AnnualReport
from tests.conftest import SEEDS

SICHUAN = SEEDS / "004_3e457678c8cccf91.txt"  # 四川省应急管理厅2019年政府信息公开工作年度报告
YICHUN = SEEDS / "001_916f2ad7c54abf17.txt"  # 伊春市安全生产监督管理局 (2014)
LUOZHUANG = SEEDS / "002_dd0aca17394d444a.txt"  # 罗庄区安全生产监督管理局 (2018)
SICHUAN_HINTS = Hints(agency="四川省应急管理厅", region="四川省", level="省级")


def anonymous_sichuan() -> bytes:
    """The real Sichuan report with every mention of its agency and of its level cut out (title,
    text, signature; 全省/我省, from which a nameless report's level is read)."""
    text = SICHUAN.read_text(encoding="utf-8")
    text = text.replace("四川省应急管理厅", "").replace("应急管理厅", "")
    return re.sub(r"(?:我|本|全)(?:省|市|县|区|镇|乡|街道)", "", text).encode()


def record_of(body: bytes, hints: Hints | None = None) -> AnnualReport:
    return analyse(body, content_type="text/plain", hints=hints).record


def hint_rules(record: AnnualReport) -> dict[str, str]:
    return {w.rule: w.message for w in record.warnings if w.rule.endswith(".site_hint")}


def test_a_page_that_names_no_agency_takes_the_sites_agency() -> None:
    bare = record_of(anonymous_sichuan())
    assert bare.agency.name is None and bare.year == 2019  # the page really names no agency
    assert "agency.missing" in {w.rule for w in bare.warnings}

    record = record_of(anonymous_sichuan(), SICHUAN_HINTS)
    assert record.agency.name == "四川省应急管理厅"
    assert record.agency.level == "province"
    assert record.agency.is_department is True
    assert record.region.model_dump() == {
        "province": "四川省",
        "city": None,
        "county": None,
        "township": None,
        "code": "510000",
    }
    assert record.year == 2019 and record.title == "2019年政府信息公开工作年度报告"
    rules = hint_rules(record)
    assert set(rules) == {"agency.site_hint", "agency.level.site_hint", "region.site_hint"}
    assert "四川省应急管理厅" in rules["agency.site_hint"]
    assert "agency.missing" not in {w.rule for w in record.warnings}


def test_a_page_that_names_its_agency_keeps_it() -> None:
    own = record_of(SICHUAN.read_bytes())
    other = Hints(agency="贵州省应急管理厅", region="贵州省", level="市级")
    record = record_of(SICHUAN.read_bytes(), other)
    assert record.agency == own.agency and record.agency.name == "四川省应急管理厅"
    assert record.agency.level == "province"  # the page's, not the hinted 市级
    assert record.region == own.region and record.region.province == "四川省"
    assert hint_rules(record) == {}
    assert record.warnings == own.warnings


def test_the_hints_do_not_change_the_fingerprint() -> None:
    body = anonymous_sichuan()
    plain = analyse(body, content_type="text/plain")
    hinted = analyse(body, content_type="text/plain", hints=SICHUAN_HINTS)
    assert hinted.fingerprint == plain.fingerprint and hinted.signature == plain.signature


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("省级", "province"),
        ("国家级", "national"),
        ("县级", "county"),
        ("city", "city"),
        ("部级", None),
        ("high", None),
        ("", None),
    ],
)
def test_a_level_hint_is_used_only_when_it_is_a_level(level: str, expected: str | None) -> None:
    assert hint_level(level) == expected
    record = record_of(anonymous_sichuan(), Hints(level=level))
    assert record.agency.level == expected
    assert record.agency.name is None
    assert ("agency.level.site_hint" in hint_rules(record)) is (expected is not None)


def test_an_invalid_level_hint_falls_back_to_the_hinted_agencys_own_level() -> None:
    record = record_of(anonymous_sichuan(), Hints(agency="四川省应急管理厅", level="厅级"))
    assert record.agency.level == "province"  # from the name 四川省…, not from "厅级"


def test_the_region_hint_fills_only_the_parents_the_page_leaves_out() -> None:
    yichun = record_of(YICHUN.read_bytes(), Hints(region="黑龙江省伊春市", level="市级"))
    assert (yichun.region.province, yichun.region.city) == ("黑龙江省", "伊春市")
    assert yichun.agency.name == "伊春市安全生产监督管理局" and yichun.agency.level == "city"
    assert "province (黑龙江省)" in hint_rules(yichun)["region.site_hint"]

    luozhuang = record_of(LUOZHUANG.read_bytes(), Hints(region="山东省临沂市罗庄区"))
    assert luozhuang.region.model_dump() == {
        "province": "山东省",
        "city": "临沂市",
        "county": "罗庄区",
        "township": None,
        "code": "371311",
    }
    assert luozhuang.agency.aliases == ["罗庄区安监局"]  # the page's own reading is untouched


def test_a_region_hint_for_another_place_is_ignored() -> None:
    own = record_of(YICHUN.read_bytes())
    for region in ("浙江省温州市", "黑龙江省"):  # another city; a province that does not say 伊春市
        record = record_of(YICHUN.read_bytes(), Hints(region=region))
        assert record.region == own.region and record.region.province is None
        assert hint_rules(record) == {}
    # a provincial agency's record gets no city from a more specific hint
    sichuan = record_of(SICHUAN.read_bytes(), Hints(region="四川省成都市"))
    assert sichuan.region.city is None and hint_rules(sichuan) == {}


def test_hint_values_are_read_as_written_in_the_sites_file() -> None:
    assert hint_agency("伊春市人民政府（含伊春市应急管理局）") == "伊春市人民政府"
    assert hint_agency(" 贵州省应急管理厅（原贵州省安全生产监督管理局） ") == "贵州省应急管理厅"
    assert hint_agency("（备注）") is None and hint_agency(None) is None
    assert hint_region("全国") == dict.fromkeys(("province", "city", "county", "township"))
    assert hint_region("宁夏回族自治区") == {
        "province": "宁夏回族自治区",
        "city": None,
        "county": None,
        "township": None,
    }
    assert hint_region("长三角") is None  # not a region split_region can read: ignored
    record = record_of(
        anonymous_sichuan(), Hints(agency="应急管理部", region="全国", level="国家级")
    )
    assert record.agency.level == "national"
    assert not any(record.region.model_dump().values())


def page(**extra: object) -> FetchedPage:
    return FetchedPage(
        url="https://yjt.sc.gov.cn/a.html",
        final_url="https://yjt.sc.gov.cn/a.html",
        site_id="sc-yjt",
        fetched_at=datetime(2024, 5, 1, tzinfo=UTC),
        content_type="text/html",
        sha256="0" * 64,
        size=0,
        body_ref="raw/00/" + "0" * 64,
        **extra,  # type: ignore[arg-type]
    )


def test_hints_round_trip_through_the_fetched_page_json() -> None:
    hints = SiteHints(agency="四川省应急管理厅", region="四川省", level="省级")
    sent = page(hints=hints)
    message = json.loads(sent.model_dump_json())
    assert message["hints"] == {"agency": "四川省应急管理厅", "region": "四川省", "level": "省级"}
    received = FetchedPage.model_validate(message)
    assert received == sent and received.hints == hints
    assert FetchedPage.model_validate_json(sent.model_dump_json()).hints == hints


def test_a_message_without_hints_still_validates() -> None:
    message = json.loads(page().model_dump_json())
    assert message["hints"] is None and message["schema_version"] == 1
    del message["hints"]  # as producers sent it before hints existed
    assert FetchedPage.model_validate(message).hints is None


def test_site_hints_forbid_unknown_keys_and_are_frozen() -> None:
    with pytest.raises(ValidationError):
        SiteHints.model_validate({"agency": "x", "province": "四川省"})
    with pytest.raises(ValidationError):
        SiteHints(agency="x").agency = "y"  # type: ignore[misc]
    assert SiteHints(level="whatever").level == "whatever"  # carried as given; the parser judges


def test_the_schema_command_shows_the_hints() -> None:
    result = CliRunner().invoke(app, ["schema", "--model", "FetchedPage"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert "hints" in schema["properties"] and "hints" not in schema.get("required", [])
    site_hints = schema["$defs"]["SiteHints"]
    assert set(site_hints["properties"]) == {"agency", "region", "level"}
    assert site_hints["additionalProperties"] is False
    assert "sites file" in site_hints["description"]
    assert "does not say" in site_hints["description"]


def test_a_stored_record_carries_the_hinted_agency(embedded: dict[str, str]) -> None:
    from producers.publish import publish

    hints = SiteHints(
        agency="四川省应急管理厅（原四川省安全生产监督管理局）", region="四川省", level="省级"
    )
    publish(
        anonymous_sichuan(),
        url="https://yjt.sc.gov.cn/scyjt/xxgkgzndbg/2019.html",
        site_id="sc-yjt",
        content_type="text/plain",
        hints=hints,
    )
    publish(  # names its own agency: the (wrong) hint is ignored
        YICHUN.read_bytes(),
        url="https://yjt.sc.gov.cn/scyjt/xxgkgzndbg/yichun.html",
        site_id="sc-yjt",
        content_type="text/plain",
        hints=hints,
    )
    stored = {r.sources[0].url.rsplit("/", 1)[-1]: r for r in runtime.repository().iter_reports()}
    assert set(stored) == {"2019.html", "yichun.html"}
    sichuan = stored["2019.html"].record
    assert sichuan.agency.name == "四川省应急管理厅"
    assert (sichuan.agency.level, sichuan.region.province) == ("province", "四川省")
    assert "agency.site_hint" in {w.rule for w in sichuan.warnings}
    assert stored["2019.html"].sources[0].site_id == "sc-yjt"
    yichun = stored["yichun.html"].record
    assert yichun.agency.name == "伊春市安全生产监督管理局" and yichun.region.province is None
    assert hint_rules(yichun) == {}


def test_hints_never_rescue_a_page_that_names_neither_agency_nor_year() -> None:
    body = (
        "政府信息公开工作年度报告\n本报告由本机关编制。全文包括总体情况、主动公开政府信息情况、"
        "收到和处理政府信息公开申请情况、存在的主要问题及改进情况。\n"
    ).encode()
    plain = analyse(body, content_type="text/plain")
    hinted = analyse(body, content_type="text/plain", hints=SICHUAN_HINTS)
    assert plain.rejection is not None and plain.rejection.reason == "no_agency_or_year"
    assert hinted.rejection is not None and hinted.rejection.reason == "no_agency_or_year"
    assert hinted.record.agency.name is None
