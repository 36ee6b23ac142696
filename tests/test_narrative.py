"""What the prose states: counted figures with the words that name them, contact, period."""

from __future__ import annotations

import time
from datetime import date

import pytest

from nianbao.core.narrative import contact, figures, statistics_period


def stated(text: str) -> dict[str, float]:
    """row -> value of every figure found in a text."""
    return {i.row: i.value for i in figures(text) if i.value is not None}


# --- figures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "row", "value"),
    [
        ("本局2008年共主动公开政府信息417条,其中全文电子化。", "本局2008年共主动公开政府信息", 417),
        ("2011年制作、获取政府信息总数1873条。", "制作、获取政府信息总数", 1873),
        ("2024年度我街道共收到政府信息公开申请15件。", "我街道共收到政府信息公开申请", 15),
        ("2011年政府信息公开专栏访问量达11460人次。", "政府信息公开专栏访问量", 11460),
        ("2011年刊出政务公开栏12期。", "刊出政务公开栏", 12),
        ("主动公开政务文件11份,开展政策解读活动15次。", "开展政策解读活动", 15),
        ("召开新闻发布会3场。", "召开新闻发布会", 3),
        ("收取信息处理费200元。", "收取信息处理费", 200),
    ],
)
def test_a_figure_takes_the_clause_before_it_as_its_row(text: str, row: str, value: int) -> None:
    assert stated(text)[row] == value


def test_items_of_a_list_each_get_their_own_row() -> None:
    text = "其中,发布工作动态类123条、疫情应急指挥部公告40条、人事类1条、其他信息16条。"
    assert stated(text) == {
        "发布工作动态类": 123,
        "疫情应急指挥部公告": 40,
        "人事类": 1,
        "其他信息": 16,
    }


def test_the_counted_thing_may_follow_the_unit() -> None:
    found = stated(
        "为此,专门配备了1名全职工作人员,3名兼职工作人员。截至目前共收到15564件咨询投诉件,已办结15042件。"
    )
    assert found["专门配备了全职工作人员"] == 1
    assert found["兼职工作人员"] == 3
    assert found["共收到咨询投诉件"] == 15564
    assert found["已办结"] == 15042


def test_a_title_after_the_unit_belongs_to_the_counted_thing() -> None:
    found = stated("今年累计公开了12批《2014年行政许可审批情况》和6批《行政审批情况》。")
    assert found == {
        "累计公开了《2014年行政许可审批情况》": 12,
        "《行政审批情况》": 6,
    }


def test_a_bracketed_note_after_a_figure_does_not_start_the_next_row() -> None:
    found = stated("行政执法立案1781起、处罚1776家(次)、罚款3417.04万元。")
    assert found == {"行政执法立案": 1781, "处罚": 1776, "罚款": 34_170_400}


def test_a_figure_in_brackets_is_read_from_the_bracket() -> None:
    found = stated(
        "2021年依法办理政府信息公开申请151件(含上年结转13件),办结146件,结转下年度继续办理5件。"
    )
    assert found == {
        "依法办理政府信息公开申请": 151,
        "含上年结转": 13,
        "办结": 146,
        "结转下年度继续办理": 5,
    }


def test_a_bare_verb_takes_the_clause_before_it() -> None:
    found = stated("设立“行政执法公示”专栏,进行全流程公示,全年公布631条。")
    assert found == {"进行全流程公示,全年公布": 631}
    found = stated("公示全省客货运输量统计数据,共计24条信息。")
    assert found == {"公示全省客货运输量统计数据,信息": 24}


def test_the_counted_thing_after_the_unit_runs_through_a_list() -> None:
    found = stated("2013年有约4900人次通过各种方式向我局各部门、基层所咨询涉税信息有关事务。")
    assert found == {"通过各种方式向我局各部门、基层所咨询涉税信息有关事务": 4900}
    found = stated("梳理出19 类119项公开事项、具体内容和责任单位。")
    assert found == {"梳理出": 19, "公开事项": 119}


def test_approximate_and_scaled_figures_keep_their_raw_text() -> None:
    by_raw = {
        i.raw: i for i in figures("2021年公开信息7200余条,档案1600多份,参与人数超过15万人次。")
    }
    assert by_raw["7200余"].value == 7200 and by_raw["7200余"].semantics == "approximate"
    assert by_raw["1600多"].value == 1600
    assert by_raw["15万"].value == 150_000 and by_raw["15万"].semantics == "approximate"


def test_full_width_digits_and_chinese_numerals() -> None:
    found = {i.raw: i.value for i in figures("主动公开政府信息２５４３条,到七个县区检查。")}
    assert found == {"２５４３": 2543, "七": 7}


def test_thousands_separators_but_not_clause_commas() -> None:
    assert stated("全年通过政府网站发布信息3,256条。") == {"全年通过政府网站发布信息": 3256}
    assert stated("收到申请12,3456人次参与。") == {}


def test_zero_is_a_figure() -> None:
    (found,) = figures("本局2008年度共收到政府信息公开申请0件。")
    assert found.value == 0 and found.semantics == "zero"


def test_a_count_word_may_stand_without_a_unit() -> None:
    assert stated("作为依申请公开信息数46条,不予公开信息数1402。") == {
        "作为依申请公开信息数": 46,
        "不予公开信息数": 1402,
    }


def test_an_approximate_figure_whose_unit_was_lost_ends_its_clause() -> None:
    assert stated("在门户网站主动公开政府信息260余\n二、主动公开") == {
        "在门户网站主动公开政府信息": 260
    }
    assert stated("开展活动20余年来") == {}


def test_a_figure_after_a_change_is_about_the_same_thing() -> None:
    found = stated("成员单位从原来的9个增加到34个,工作力量大幅增强。")
    assert found == {"成员单位从原来的": 9, "成员单位增加到": 34}


def test_a_measure_in_percent_is_a_figure() -> None:
    assert stated("财政预决算公开面、及时率、完整性均达到100%。") == {
        "财政预决算公开面、及时率、完整性": 100
    }


def test_a_rate_is_a_figure_but_a_share_is_not() -> None:
    assert stated("机构职能类信息37条,占总体的比例为9%;答复率100%。") == {
        "机构职能类信息": 37,
        "答复率": 100,
    }


@pytest.mark.parametrize(
    "text",
    [
        "根据《条例》第二十条第(一)项,依照国办公开办函〔2021〕30号。",  # ordinals, doc nos
        "本报告统计期限为2019年1月1日至2019年12月31日。",  # dates
        "联系电话:0591-23165255,邮编:350400。",  # phones, postcodes
        "在15个工作日内答复,3-5人参加,第3次会议。",  # durations, ranges, ordinals
        "全文包括概述、主动公开情况等六个部分组成。",  # the report's own structure
        "统一思想,进一步加强,一是完善制度。",  # numerals inside words
        "依照《条例》处理,确保项目落实。",  # unit characters that start words
        "地址:北京市西城区白广路二条2号,坚持五位一体。",  # names with numerals in them
        "共公开1 234条信息。",  # digits split by a space are not guessed at
        "发布信息数十条,培训几百人次,服务上千次。",  # vague amounts state no number
        "印发《审批八项承诺》,落实“三个一”工作机制。",  # numerals in titles and quotations
    ],
)
def test_no_figure_from_numbers_that_count_nothing(text: str) -> None:
    assert figures(text) == []


def test_a_statistics_table_flattened_into_the_prose_is_skipped() -> None:
    text = (
        "全年主动公开政府信息25条。二、主动公开政府信息情况 第二十条第(一)项信息内容本年新制作"
        "数量规章000规范性文件5.属于三类内部事务信息0000000。五、存在的主要问题及改进情况"
        "今年共办结申请3件。"
    )
    assert stated(text) == {"全年主动公开政府信息": 25, "共办结申请": 3}


def test_the_canonical_figures_carry_their_row_codes() -> None:
    found = figures("共主动公开政府信息417条,其中机构信息37条。全年收到政府信息公开申请16件。")
    codes = {i.row_code: i.value for i in found if i.row_code}
    assert codes == {"active.total": 417, "requests.received": 16}
    (fee,) = figures("全年收取政府信息公开信息处理费3940元。")
    assert fee.row_code == "fees.collected" and fee.value == 3940


def test_an_approximate_figure_is_not_coded_for_comparison_with_the_tables() -> None:
    (found,) = figures("全年共主动公开政府信息1.2万余条。")
    assert found.value == 12_000 and found.row_code is None
    (found,) = figures("全年共主动公开政府信息1.2万条。")
    assert found.row_code == "active.total"


def test_a_fact_said_twice_in_the_same_words_is_one_figure() -> None:
    assert len(figures("全年收到申请5件。全年收到申请5件。")) == 1


def test_hostile_text_is_read_in_linear_time() -> None:
    start = time.monotonic()
    assert figures("主动公开信息" + "9" * 100_000 + "条") == []
    figures("共发布信息12条、" * 20_000)
    assert time.monotonic() - start < 5


# --- contact -------------------------------------------------------------------------------


def test_the_contact_block_fields() -> None:
    info = contact(
        "如有疑问请联系(联系地址:平潭北厝镇金井湾片区管委会大楼主楼14层;邮 编:350400;"
        "电 话:0591-23165255;传真:0591-23165256;电子邮箱:pzxxgkb@163.com。"
    )
    assert info.address == "平潭北厝镇金井湾片区管委会大楼主楼14层"
    assert info.postcode == "350400"
    assert info.phones == ["0591-23165255"]
    assert info.fax == "0591-23165256"
    assert info.email == "pzxxgkb@163.com"


def test_an_address_ends_where_the_next_field_begins_and_is_no_web_address() -> None:
    assert contact("地址:中埠镇铁山路37号邮编:255000").address == "中埠镇铁山路37号"
    assert contact("(门户网站地址:http://jaq.fuzhou.gov.cn/)。").address is None


def test_labels_without_a_colon_and_em_dashes() -> None:
    info = contact("现位于南关区亚泰大街4660B号,联系电话0431—81795328,邮政编码130000。")
    assert info.phones == ["0431-81795328"] and info.postcode == "130000"


def test_every_number_labelled_phone_but_not_a_fax() -> None:
    info = contact("联系人:张某,电话:0745-2713992、13317459538。传真:0745-2713993。")
    assert info.phones == ["0745-2713992", "13317459538"]
    assert contact("传真:0745-2713993").phones == []
    assert contact("电话/传真:0578—2090823").phones == ["0578-2090823"]


def test_other_phone_labels_and_unseparated_area_codes() -> None:
    assert contact("电话(传真):0557-3022687,邮编:234000").phones == ["0557-3022687"]
    assert contact("(地址:一环北路东段101号;联系方式:023-81090002)").phones == []  # not 电话
    assert contact("联系电话:05987500615,电子邮箱:smgkb@126.com").phones == ["05987500615"]


def test_phones_labelled_later_in_the_text_are_found() -> None:
    text = (
        "门户网站地址:http://jaq.fuzhou.gov.cn/。如有疑问,可致电信息公开办公室,电话:0591-83926179。"
    )
    assert contact(text).phones == ["0591-83926179"]


def test_a_full_width_at_sign_is_normalised() -> None:
    assert contact("电子邮箱:lsxxgk＠lishui.gov.cn。").email == "lsxxgk@lishui.gov.cn"


def test_no_contact_no_fields() -> None:
    info = contact("本单位热线电话全面清理整合,12345便民服务平台正式上线。")
    assert (info.postcode, info.phones, info.email, info.fax) == (None, [], None, None)


# --- statistics period ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止。",
        "报告中所列数据统计期限从2019年1月1日到12月31日。",
        "《年报》所列数据自2019年1月1日起至2019年12月31日止。",
        "报告采用数据为2019年1月1日至2019年12月31日。",
        "本报告统计数据从2019年1月1日至2019年12月31日止。",
        "统计时间为2019.1.1—2019.12.31。",
        "本报告统计期限为2019年1月至12月。",
        "本报告所列数据统计期限为二〇一九年一月一日至十二月三十一日。",
    ],
)
def test_the_statistics_period(text: str) -> None:
    assert statistics_period(text) == (date(2019, 1, 1), date(2019, 12, 31))


def test_an_end_year_printed_wrong_leaves_the_end_unknown() -> None:
    text = "本报告中所列数据的统计期限自2020年1月1日起至202020年12月31日止。"
    assert statistics_period(text) == (date(2020, 1, 1), None)


def test_an_events_time_gives_way_to_the_statistics_period() -> None:
    text = "活动时间为2019年3月1日至5月31日。本报告所列数据统计期限为2019年1月1日至12月31日。"
    assert statistics_period(text) == (date(2019, 1, 1), date(2019, 12, 31))
    assert statistics_period("报告时段为2019年7月1日至2020年6月30日。") == (
        date(2019, 7, 1),
        date(2020, 6, 30),
    )


def test_a_range_the_figures_do_not_cover_is_not_the_period() -> None:
    assert statistics_period("2019年3月1日至5月31日开展专项检查。") == (None, None)
    assert statistics_period("统计期限为2019年13月1日至2019年12月31日。") == (None, None)
