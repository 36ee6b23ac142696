"""The issuer is read from wherever a report names it, and never from a name it only mentions."""

from __future__ import annotations

import pytest

from nianbao.core.document import Document
from nianbao.core.parse import parse


def parsed(text: str):
    return parse(Document(kind="text", text=text, encoding="utf-8"))


BODY = (
    "一、总体情况\n本机关认真贯彻政府信息公开条例。\n二、主动公开政府信息情况\n主动公开信息10条。"
)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a metadata label before the title is not part of the name
        ("标题: 平潭县人民政府2011年政府信息公开工作年度报告\n" + BODY, "平潭县人民政府"),
        # the title gives only the year; the line under it names the issuer
        (
            "2022年政府信息公开工作年度报告\n桃江县松木塘镇人民政府\n" + BODY,
            "桃江县松木塘镇人民政府",
        ),
        # a title broken over two lines, year first
        ("2024年南关区永吉街道办事处\n政府信息公开工作年度报告\n" + BODY, "南关区永吉街道办事处"),
        # spam injected before the name on a mirror
        ("spam.example.com沙头镇\n2008年政府信息公开工作年度报告\n" + BODY, "沙头镇"),
        # no title: the compiler of the report, its government when it is the government's office
        (
            "本报告由南平市人民政府信息公开工作领导小组办公室根据《条例》要求编制而成。\n" + BODY,
            "南平市人民政府",
        ),
        # no title: the subject of the opening sentence
        ("2008年，外经贸局认真贯彻落实《条例》。\n" + BODY, "外经贸局"),
        # no title, no region: "由信访局结合有关统计数据编制"
        ("根据《条例》要求，由信访局结合有关统计数据编制。\n" + BODY, "信访局"),
        # a bare place in the title, its government written out as the compiler
        (
            "福州市晋安区2016年政府信息公开工作年度报告\n本报告由福州市晋安区人民政府信息公开办编制。\n"
            + BODY,
            "福州市晋安区人民政府",
        ),
    ],
)
def test_the_issuer_is_found_where_the_report_names_it(text: str, name: str) -> None:
    assert parsed(text).agency.name == name


def test_a_bare_place_stays_as_written_when_nothing_writes_its_government() -> None:
    report = parsed(
        "2018年，安徽省全面贯彻党的十九大精神。\n" + BODY + "\n安徽省人民政府网站发布。"
    )
    assert report.agency.name == "安徽省"


def test_a_collective_is_never_read_as_the_issuer() -> None:
    text = (
        "平潭县人民政府2011年政府信息公开工作年度报告\n"
        "根据平潭县人民政府、平潭县各乡镇人民政府的年度报告编制。\n" + BODY
    )
    assert parsed(text).agency.name == "平潭县人民政府"


def test_a_title_naming_an_office_keeps_the_office() -> None:
    text = "江西省人民政府办公厅2019年政府信息公开工作年度报告\n" + BODY
    assert parsed(text).agency.name == "江西省人民政府办公厅"


def test_a_notice_addressed_to_its_recipients_is_not_a_report() -> None:
    text = (
        "各县市区人民政府，市直各单位：\n现就2021年政府信息公开工作年度报告编制有关事项通知如下：\n"
        + BODY
    )
    report = parsed(text)
    assert report.is_report is False and "notice" in (report.reason or "")


def test_a_report_without_its_title_is_known_by_its_sections() -> None:
    report = parsed("2018年，安徽省全面贯彻党的十九大精神。\n" + BODY)
    assert report.is_report is True and report.year == 2018


def test_tone_marked_pinyin_glosses_are_removed() -> None:
    report = parsed("2008年，外經(jīng)貿(mào)局認真貫徹落實《條例》。\n" + BODY)
    assert report.agency.name == "外经贸局"


def test_a_breadcrumb_naming_the_report_column_is_no_wrapped_report() -> None:
    text = (
        "首页 > 信息公开 > 政府信息公开年报\n"
        "关于做好2019年政府信息公开工作年度报告编制发布工作的通知\n"
        "各县（市、区）人民政府，市政府各部门：\n现将有关事项通知如下：请按时公开年度报告。"
    )
    assert parsed(text).is_report is False


def test_a_notice_that_publishes_a_report_yields_the_report() -> None:
    text = (
        "贺州市人民政府办公室关于公布\n贺州市2009年度政府信息公开工作年度报告的通知\n"
        "各县（区）人民政府：\n现予公布。\n贺州市2009年度政府信息公开工作年度报告\n" + BODY
    )
    report = parsed(text)
    assert report.is_report is True and report.year == 2009
    assert report.title == "贺州市2009年度政府信息公开工作年度报告"


def test_an_office_whose_own_report_it_is_stays_the_office() -> None:
    text = (
        "根据《条例》规定，现公布清远市清新区人民政府办公室（以下简称区政府办公室）"
        "2022年政府信息公开工作年度报告。\n" + BODY
    )
    assert parsed(text).agency.name == "清远市清新区人民政府办公室"
