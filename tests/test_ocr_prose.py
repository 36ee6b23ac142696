"""OCR'd prose put right from the document's own evidence (plain text, no OCR run)."""

from __future__ import annotations

from nianbao.convert.prose import repair


def test_a_stray_character_in_an_institution_name_the_text_writes_twice_is_dropped() -> None:
    text = (
        "四川省应和急管理厅2019年政府信息公开工作年度报告\n"
        "本报告由四川省应急管理厅办公室编制。\n"
        "四川省应急管理厅\n"
    )
    assert repair(text).splitlines()[0] == "四川省应急管理厅2019年政府信息公开工作年度报告"


def test_a_name_the_text_does_not_attest_twice_is_left_as_read() -> None:
    once = "四川省应和急管理厅2019年报告\n由四川省应急管理厅编制。\n"
    assert repair(once) == once  # the corrected form is written only once: no evidence
    two_bodies = "福州市晋安区人民政府\n福州市仓山区人民政府\n福州市晋安区人民政府\n"
    assert repair(two_bodies) == two_bodies  # two real bodies, not one misread
