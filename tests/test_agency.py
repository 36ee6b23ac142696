"""agency.describe: level, region and division code of an issuer, from its name and the text."""

from __future__ import annotations

import time

from nianbao.core.agency import describe, places
from nianbao.core.pipeline import analyse


def region(info) -> tuple:
    return (info.province, info.city, info.county, info.township)


def test_a_municipality_is_a_province_with_no_city() -> None:
    info = describe("北京市水务局")
    assert (info.level, info.is_department, info.code) == ("province", True, "110000")
    assert region(info) == ("北京市", None, None, None)
    district = describe("北京市朝阳区人民政府")
    assert region(district) == ("北京市", None, "朝阳区", None)
    assert (district.level, district.code, district.warnings) == ("county", "110105", [])


def test_a_district_takes_the_parents_the_text_names() -> None:
    text = "根据《福建省政府信息公开办法》，福州市晋安区人民政府信息公开办编制本报告。"
    info = describe("福州市晋安区人民政府", text)
    assert region(info) == ("福建省", "福州市", "晋安区", None)
    assert (info.level, info.is_department, info.code) == ("county", False, "350111")


def test_a_parent_the_text_does_not_name_stays_null() -> None:
    info = describe("广元市人民政府以工代赈办公室", "广元市以工代赈办公室认真贯彻…")
    assert region(info) == (None, "广元市", None, None)  # 四川省 is never written: not filled
    assert (info.level, info.is_department, info.code) == ("city", True, "510800")


def test_a_county_level_city_is_a_county() -> None:
    info = describe("五常市人民政府")
    assert (info.level, info.county, info.city) == ("county", "五常市", None)
    town = describe("五常市背荫河镇政府", "链接：哈尔滨市人民政府门户网站→政府信息公开专栏")
    assert region(town) == (None, "哈尔滨市", "五常市", "背荫河镇")
    assert town.level == "township"


def test_a_township_carries_its_countys_code() -> None:
    info = describe("桃江县松木塘镇人民政府")
    assert region(info) == (None, None, "桃江县", "松木塘镇")
    assert (info.level, info.code) == ("township", "430922")
    office = describe("安吉县人民政府递铺街道办事处")  # the township after its county's government
    assert (office.county, office.township, office.level) == ("安吉县", "递铺街道", "township")


def test_a_department_inherits_its_governments_place_and_level() -> None:
    assert describe("陕西省生态环境厅").level == "province"
    assert describe("长春市朝阳区教育局").level == "county"
    bureau = describe("桃江县城乡建设局")  # 城乡 is no township
    assert (bureau.level, bureau.township, bureau.is_department) == ("county", None, True)


def test_a_bare_place_name_is_an_agency_at_its_level() -> None:
    for name in ("安徽省", "安徽"):
        info = describe(name)
        assert (info.level, info.province, info.code) == ("province", "安徽省", "340000")
    assert describe("螅镇").level == "township"


def test_an_ambiguous_name_leaves_parents_null_with_a_warning() -> None:
    info = describe("朝阳区人民政府", "2021年，我区认真贯彻落实《条例》。")
    assert region(info) == (None, None, "朝阳区", None)
    assert (info.level, info.code) == ("county", None)
    assert [rule for rule, _ in info.warnings] == ["region.ambiguous"]
    assert "北京市" in info.warnings[0][1] and "长春市" in info.warnings[0][1]
    town = describe("太平镇人民政府", "太平镇党委、政府高度重视。")
    assert (town.level, town.county, town.code) == ("township", None, None)
    assert town.warnings


def test_evidence_in_the_text_decides_between_namesakes() -> None:
    named = describe("朝阳区人民政府", "地址：北京市朝阳区日坛北路33号")
    assert (named.province, named.code, named.warnings) == ("北京市", "110105", [])
    by_city = describe("朝阳区人民政府", "长春市朝阳区政务公开办公室")
    assert (by_city.city, by_city.code) == ("长春市", "220104")
    by_phone = describe("朝阳区人民政府", "联系电话：0431-88776655")
    assert (by_phone.code, by_phone.city, by_phone.warnings) == ("220104", None, [])
    by_postcode = describe("朝阳区人民政府", "邮编：100020")
    assert (by_postcode.code, by_postcode.province) == ("110105", None)
    by_short = describe("沙头镇人民政府", "电子版可以在“中国永嘉”县政府门户网站查阅")
    assert (by_short.county, by_short.code) == ("永嘉县", "330324")


def test_a_place_under_an_unknown_parent_is_read_from_the_name_only() -> None:
    info = describe("江滨市江北区人民政府")
    assert region(info) == (None, "江滨市", "江北区", None)
    assert (info.level, info.code, info.warnings) == ("county", None, [])


def test_a_former_name_resolves_to_the_current_division() -> None:
    info = describe("襄樊市人民政府")
    assert (info.city, info.level, info.code) == ("襄樊市", "city", "420600")


def test_pingtan_zone_is_city_level_and_takes_a_cited_province() -> None:
    cited = "根据《福建省政府信息公开办法》和福建省人民政府办公厅通知要求"
    info = describe("平潭综合实验区管委会", cited)
    assert region(info) == ("福建省", "平潭综合实验区", None, None)
    assert (info.level, info.is_department, info.code) == ("city", False, None)
    assert describe("平潭综合实验区管委会", "实验区党工委、管委会").province is None
    assert describe("平潭县人民政府").province is None  # Fujian is not named


def test_an_address_does_not_change_a_provincial_agencys_level() -> None:
    info = describe("贵州省生态环境厅", "通信地址：贵阳市观山湖区林城东路；邮编：550081")
    assert (info.level, info.province, info.city) == ("province", "贵州省", None)


def test_names_without_a_place() -> None:
    assert describe("生态环境部").level == "national"
    assert describe("国家税务总局").level == "national"
    info = describe("信访局", "我局各股室")
    assert (info.level, info.code, region(info)) == (None, None, (None,) * 4)
    assert describe("上海市人民政府、上海市人民政府办公厅").code == "310000"  # the first issuer


def test_no_name_takes_the_level_the_text_speaks_of_itself_at() -> None:
    assert describe(None, "我镇严格按照条例要求，我镇政务服务中心").level == "township"
    assert describe(None, "市政府，全市各县(市)区，全市").level == "city"
    assert describe(None, "全市共受理申请").level is None  # 全市: a county-level city too
    assert describe(None, "").level is None
    assert describe(None, "2023年,我街按照条例有关要求,我街共收到申请4件").level == "township"
    # 本街头, 本街区: a street, not 我街道
    assert describe(None, "本街头设置公开栏，本街区居民可查阅").level is None


def test_places_reads_the_name_outermost_first() -> None:
    found, rest = places("福州市晋安区人民政府")
    assert [p.text for p in found] == ["福州市", "晋安区"] and rest == "人民政府"


def test_the_record_carries_the_code_and_the_ambiguity_warning() -> None:
    body = (
        "朝阳区人民政府2021年政府信息公开工作年度报告\n\n"
        "本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。\n"
        "一、总体情况\n2021年，我区认真贯彻落实。\n"
    )
    record = analyse(body.encode(), content_type="text/plain").record
    assert record.region.code is None and record.region.county == "朝阳区"
    assert "region.ambiguous" in {w.rule for w in record.warnings}
    named = analyse(body.replace("我区", "北京市朝阳区").encode(), content_type="text/plain")
    assert named.record.region.code == "110105" and named.record.region.province == "北京市"
    assert "region.ambiguous" not in {w.rule for w in named.record.warnings}


def test_a_zone_department_is_at_the_zones_level() -> None:
    info = describe("平潭综合实验区地方税务局", "依据《福建省政府信息公开办法》")
    assert (info.level, info.city, info.province, info.is_department) == (
        "city",
        "平潭综合实验区",
        "福建省",
        True,
    )
    assert describe("乌鲁木齐国家高新区管委会").city is None  # 高新区 is no 新区


def test_a_bare_level_word_gives_the_level_and_the_cited_government_the_place() -> None:
    text = "根据《平武县人民政府办公室关于2021年度政府信息公开工作年度报告编制工作的通知》要求"
    info = describe("县统计局", text)
    assert (info.level, info.county, info.code) == ("county", "平武县", "510727")
    assert describe("省交通运输厅", "本报告由省交通运输厅编制").level == "province"
    assert describe("省交通运输厅", "本报告由省交通运输厅编制").province is None
    assert describe("市场监督管理局").level is None  # 市场 is a word, not 市


def test_short_names_that_nest_and_a_bracketed_district() -> None:
    zone = describe("广东从化经济开发区管理委员会")
    assert (zone.province, zone.county, zone.level, zone.code) == (
        "广东省",
        "从化区",
        "county",
        "440117",
    )
    merged = describe("乌鲁木齐国家高新区(新市区)")
    assert (merged.county, merged.level) == ("新市区", "county")


def test_an_autonomous_prefecture_by_its_short_name_and_a_new_area() -> None:
    text = "根据《四川省人民政府办公厅关于做好政府信息公开工作的通知》"
    aba = describe("阿坝州人民政府办公室", text)
    assert (aba.province, aba.city, aba.level, aba.code) == ("四川省", "阿坝州", "city", "513200")
    town = describe("西咸新区底张街道办事处")  # 西咸新区 is neither a city nor a county
    assert (town.city, town.county, town.township, town.level) == (
        None,
        None,
        "底张街道",
        "township",
    )
    assert describe("西咸新区管委会").level is None


def test_a_place_later_in_the_name_and_words_before_it() -> None:
    info = describe("现公布清远市清新区人民政府")
    assert (info.city, info.county, info.level, info.code) == (
        "清远市",
        "清新区",
        "county",
        "441803",
    )
    branch = describe("国家税务总局北京市税务局")
    assert (branch.province, branch.level) == ("北京市", "province")


def test_cost_stays_bounded_on_a_long_text() -> None:
    """Evidence is searched in the head and tail of the text only."""
    text = "各乡镇、各部门：" * 20000 + "地址：北京市朝阳区日坛北路33号"
    describe("太平镇人民政府", text)
    start = time.perf_counter()
    info = describe("朝阳区人民政府", text)
    assert time.perf_counter() - start < 0.05
    assert info.province == "北京市"  # the tail is searched
