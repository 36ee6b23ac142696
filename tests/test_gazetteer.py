"""The gazetteer: the packaged data's shape and lookups, and describe() scored on the dev set."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.eval_region import evaluate
from nianbao.core.gazetteer import gazetteer, read
from nianbao.data import divisions_text

DEV_SET = Path(__file__).parent / "fixtures" / "dev-set"
LABELLED = Path(__file__).parent / "fixtures" / "labelled"

SAMPLE = "\n".join(
    [
        "# a hand-made sample in the data file's format",
        "D\t110000\t\tprovince\t北京市\t北京",
        "D\t110105\t110000\tcounty\t朝阳区\t朝阳",
        "D\t220000\t\tprovince\t吉林省\t吉林",
        "D\t220100\t220000\tcity\t长春市\t长春",
        "D\t220104\t220100\tcounty\t朝阳区\t朝阳",
        "D\t220102\t220100\tcounty\t南关区\t南关",
        "T\t220102\t永吉街道|桃源街道",
        "F\t220100\t1954-09-27\t新京市",
        "P\t220100\t0431\t130000",
    ]
)


def test_read_indexes_names_shorts_parents_and_codes() -> None:
    atlas = read(SAMPLE)
    assert [d.code for d in atlas.named("朝阳区")] == ["110105", "220104"]
    assert [d.name for d in atlas.shortened("吉林")] == ["吉林省"]
    (town,) = atlas.named("永吉街道")
    assert (town.level, town.code, town.parent) == ("township", None, "220102")
    assert [a.name for a in atlas.ancestors(town)] == ["南关区", "长春市", "吉林省"]
    assert atlas.above(town, "city").name == "长春市"
    assert atlas.coded(town) == "220102"  # a township has no code: its county's stands for it
    beijing_chaoyang = atlas.named("朝阳区")[0]
    assert atlas.above(beijing_chaoyang, "city") is None  # a 直辖市's district has no city
    (former,) = atlas.named("新京市")
    assert former.former and former.code == "220100" and former.level == "city"
    assert [d.name for d in atlas.by_area_code("0431")] == ["长春市"]
    assert [d.name for d in atlas.by_postcode("130041")] == ["长春市"]
    assert atlas.by_postcode("100000") == []


def test_packaged_data_names_its_source_and_vintage() -> None:
    header = [line for line in divisions_text().splitlines()[:8] if line.startswith("#")]
    assert any("source: PyPI jionlp" in line for line in header)
    assert any("vintage:" in line for line in header)


def test_packaged_gazetteer_follows_the_records_conventions() -> None:
    atlas = gazetteer()
    assert {d.code for d in atlas.named("朝阳区")} >= {"110105", "220104"}
    (haidian,) = atlas.named("海淀区")
    assert [a.name for a in atlas.ancestors(haidian)] == ["北京市"]  # 直辖市: no city
    (xiantao,) = atlas.named("仙桃市")  # directly under its province, county level
    assert xiantao.level == "county" and [a.name for a in atlas.ancestors(xiantao)] == ["湖北省"]
    (dongguan,) = atlas.named("东莞市")
    assert dongguan.level == "city"
    assert any(t.parent == dongguan.code for t in atlas.named("东坑镇"))  # towns, no counties
    assert [d.code for d in atlas.named("襄樊市")] == ["420600"]  # a former name, still found
    assert all(len(d.code) == 6 for d in atlas.provinces() if d.code)
    assert not atlas.named("中西区")  # 香港's districts carry no GB/T 2260 code of their own


@pytest.mark.parametrize(("folder", "least"), [(DEV_SET, 45), (LABELLED, 90)], ids=["dev", "ours"])
def test_describe_on_the_labels(folder: Path, least: int) -> None:
    """Each label's own agency and raw text, region fields and level compared with the label."""
    right, counted, misses, _ = evaluate(folder / "labels", folder / "raw")
    assert counted >= least
    assert right / counted >= 0.95, misses  # speed is the bench's to measure, not a test's
