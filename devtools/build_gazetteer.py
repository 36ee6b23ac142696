"""Build nianbao/data/divisions.tsv.gz, the gazetteer of China's administrative divisions.

    pip install --no-deps --target /tmp/jio jionlp==1.5.31   # only its data files are read
    PYTHONPATH=/tmp/jio python -m devtools.build_gazetteer [--out PATH]

Source: the PyPI package jionlp (Apache-2.0), whose dictionary holds
* china_location.zip: province → prefecture → county with GB/T 2260 codes and short names, and
  their townships (乡/镇/街道/苏木, without codes; villages are left out);
* china_location_change.txt: county- and prefecture-level renames since 2002 (old name → new);
* phone_location.zip: each prefecture's telephone area code and main postcode.

Nothing is typed by hand: every row comes from those files. The package is located through its
installed metadata and never imported (importing it pulls in its NLP models). Output rows,
tab-separated, after '#' header lines naming source, version and vintage:

    D  code  parent_code  level  name  shorts(/)     a province, prefecture or county
    T  parent_code  names(|)                         the townships under a county or prefecture
    F  code  date  old_name                          a former name of the division `code`
    P  code  area_code  postcode                     a prefecture's (or municipality's) codes

A municipality (北京市 …) has no prefecture row: its counties hang from the province, as its
records have city null. The packaging rows 省直辖行政区划/市直辖行政区划 are dropped too, their
children hang from the level above.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

PACKAGE = "jionlp"
OUT = Path(__file__).resolve().parent.parent / "nianbao" / "data" / "divisions.tsv.gz"
_PACKAGING = ("省直辖行政区划", "市直辖行政区划", "自治区直辖县级行政区划", "省直辖县级行政区划")
_TOWNSHIP_ENDS = ("镇", "乡", "街道", "苏木")
_LEVELS = {0: "province", 1: "city", 2: "county"}


@dataclass
class Division:
    """One province, prefecture or county row as read from the source."""

    code: str
    parent: str
    level: str
    name: str
    shorts: list[str]
    towns: list[str] = field(default_factory=list)


def _package_file(relative: str) -> Path:
    """The path of a file inside the installed (never imported) source package."""
    dist = metadata.distribution(PACKAGE)
    return Path(str(dist.locate_file(f"{PACKAGE}/{relative}")))


def _zip_text(path: Path) -> tuple[str, str]:
    """The text of the single member of a zip file, and that member's date."""
    with zipfile.ZipFile(path) as archive:
        info = archive.infolist()[0]
        text = archive.read(info).decode("utf-8")
    return text.replace("\r\n", "\n"), dt.date(*info.date_time[:3]).isoformat()


def _is_township(name: str) -> bool:
    """A 镇/乡/街道/苏木 with a name ("街道" alone is an artefact of the source)."""
    return name.endswith(_TOWNSHIP_ENDS) and name not in _TOWNSHIP_ENDS


def _is_municipality(name: str) -> bool:
    """A provincial-level 直辖市 (the source repeats it as its own only prefecture)."""
    return name.endswith("市")


def read_locations(text: str) -> list[Division]:
    """Province, prefecture and county rows with their townships, parents resolved."""
    rows: list[Division] = []
    parents: list[str] = ["", "", ""]  # the code each depth's children hang from
    current: Division | None = None
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip("\t"))
        cells = line.strip().split("\t")
        if not cells[0] or depth >= 4:
            continue
        if depth == 3:
            if current is not None and _is_township(cells[0]):
                current.towns.append(cells[0])
            continue
        if len(cells) != 3:
            continue
        name, code, short = cells
        parent = parents[depth - 1] if depth else ""
        if depth == 0:
            parents = [code, code, code]
        elif name in _PACKAGING or (code == parent and depth == 1):
            parents[depth] = parent  # its children hang from the row above it
            current = _find(rows, parent) if depth == 2 else None
            continue
        elif code == parent:
            current = None  # 香港/澳门's districts carry the SAR's own code: not GB/T 2260 rows
            continue
        shorts = [s for s in short.split("/") if len(s) >= 2 and name.startswith(s) and s != name]
        current = Division(code, parent, _LEVELS[depth], name, shorts)
        rows.append(current)
        parents[depth] = code
        if depth == 1:
            parents[2] = code
    return rows


def _find(rows: list[Division], code: str) -> Division | None:
    """The last row with this code (the packaging rows reuse their parent's code)."""
    return next((row for row in reversed(rows) if row.code == code), None)


def read_changes(text: str, rows: list[Division]) -> list[tuple[str, str, str]]:
    """(current code, date, former name) for each rename whose new division is in `rows`."""
    by_path = _paths(rows)
    found = []
    for line in text.split("\n"):
        if "=>" not in line:
            continue
        old, new = line.split("=>")
        old_cells, new_cells = old.split("\t"), [c for c in new.split("\t") if c]
        old_name = old_cells[-2] if len(old_cells) == 8 else old_cells[4]
        code = by_path.get(tuple(new_cells))
        if code and old_name != new_cells[-1]:
            found.append((code, old_cells[0], old_name))
    return sorted(set(found))


def _paths(rows: list[Division]) -> dict[tuple[str, ...], str]:
    """Each division's code keyed by its names from the province down."""
    by_code = {row.code: row for row in rows}
    paths: dict[tuple[str, ...], str] = {}
    for row in rows:
        names, node = [row.name], row
        while node.parent and (node := by_code[node.parent]) is not None:
            names.insert(0, node.name)
        paths[tuple(names)] = row.code
        if len(names) == 2 and row.level == "county":  # a municipality's county
            paths[(names[0], names[0], names[1])] = row.code
    return paths


def read_phones(text: str, rows: list[Division]) -> list[tuple[str, str, str]]:
    """(prefecture code, area code, postcode) for each '省 市' header line of the phone file."""
    found = []
    for line in text.split("\n"):
        if line.startswith("\t") or line.count("\t") != 2:
            continue
        place, area, postcode = line.split("\t")
        province_short, _, city_short = place.partition(" ")
        code = _by_shorts(rows, province_short, city_short)
        if code:
            found.append((code, area.strip(), postcode.strip().zfill(6)))  # 050000 is written 50000
    return sorted(set(found))


def _by_shorts(rows: list[Division], province_short: str, city_short: str) -> str | None:
    """The prefecture (or municipality) named by a province and a city short name."""
    province = next(
        (r for r in rows if r.level == "province" and province_short in (r.name, *r.shorts)), None
    )
    if province is None:
        return None
    if province_short == city_short and _is_municipality(province.name):
        return province.code
    cities = [
        r
        for r in rows
        if r.level == "city" and r.parent == province.code and city_short in (r.name, *r.shorts)
    ]
    return cities[0].code if len(cities) == 1 else None


def render(rows, changes, phones, header: list[str]) -> str:
    """The data file's text."""
    out = io.StringIO()
    for line in header:
        out.write(f"# {line}\n")
    for row in rows:
        out.write(f"D\t{row.code}\t{row.parent}\t{row.level}\t{row.name}\t{'/'.join(row.shorts)}\n")
    for row in rows:
        if row.towns:
            out.write(f"T\t{row.code}\t{'|'.join(sorted(set(row.towns)))}\n")
    for code, date, old in changes:
        out.write(f"F\t{code}\t{date}\t{old}\n")
    for code, area, postcode in phones:
        out.write(f"P\t{code}\t{area}\t{postcode}\n")
    return out.getvalue()


def main() -> None:
    """Read the source package's files and write the gazetteer."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    version = metadata.version(PACKAGE)
    locations, vintage = _zip_text(_package_file("dictionary/china_location.zip"))
    phones_text, phones_date = _zip_text(_package_file("dictionary/phone_location.zip"))
    changes_text = _package_file("dictionary/china_location_change.txt").read_text("utf-8")
    rows = read_locations(locations)
    changes = read_changes(changes_text, rows)
    phones = read_phones(phones_text, rows)
    header = [
        "nianbao gazetteer: China's administrative divisions, GB/T 2260 codes (6 digits)",
        f"source: PyPI {PACKAGE} {version} (Apache-2.0), files in {PACKAGE}/dictionary/",
        f"vintage: china_location.txt dated {vintage}; phone_location.txt dated {phones_date}",
        "built by devtools/build_gazetteer.py; do not edit by hand",
        "rows: D code parent level name shorts | T parent townships | F code date former_name"
        " | P code area_code postcode",
    ]
    text = render(rows, changes, phones, header)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    towns = sum(len(row.towns) for row in rows)
    print(
        f"{args.out}: {len(rows)} divisions, {towns} townships, {len(changes)} former names, "
        f"{len(phones)} area codes ({args.out.stat().st_size} bytes)"
    )


if __name__ == "__main__":
    main()
