"""The sites file: loading, defaults, normalisation, round-trips and readable errors."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any

import pytest

from producers.sites import (
    LinkRules,
    Politeness,
    Site,
    SitesFile,
    SitesFileError,
    load_sites,
    parse_sites,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "deploy" / "sites.example.toml"

SAMPLE_TOML = """\
[defaults]
recheck_interval = "6h"
allow_addresses = ["127.0.0.0/8"]

[defaults.politeness]
delay = 4.5
timeout = 30

[defaults.links]
exclude = ["解读"]

[[sites]]
id = "sc-yjt"
agency = "四川省应急管理厅"
region = "四川省"
level = "省级"
start_urls = ["https://yjt.sc.gov.cn/scyjt/xxgkgzndbg/"]

[sites.politeness]
delay = 1.0

[[sites]]
id = "yc-gov"
start_urls = ["https://www.yc.gov.cn/"]
allowed_domains = ["YC.gov.cn."]
recheck_interval = 7200

[sites.pagination]
style = "index_n"
max_pages = 5
"""

SAMPLE_YAML = """\
defaults:
  recheck_interval: 6h
  allow_addresses: [127.0.0.0/8]
  politeness: {delay: 4.5, timeout: 30}
  links:
    exclude: [解读]
sites:
  - id: sc-yjt
    agency: 四川省应急管理厅
    region: 四川省
    level: 省级
    start_urls: ["https://yjt.sc.gov.cn/scyjt/xxgkgzndbg/"]
    politeness: {delay: 1.0}
  - id: yc-gov
    start_urls: ["https://www.yc.gov.cn/"]
    allowed_domains: [YC.gov.cn.]
    recheck_interval: 7200
    pagination: {style: index_n, max_pages: 5}
"""


def site(**fields: Any) -> dict[str, Any]:
    """A minimal valid raw site, with fields overridden."""
    return {"id": "t", "start_urls": ["https://www.example.gov.cn/nb/"], **fields}


def problems(data: Any) -> str:
    """The SitesFileError message parse_sites raises for data."""
    with pytest.raises(SitesFileError) as caught:
        parse_sites(data, "sites.toml")
    return str(caught.value)


def write(tmp_path: Path, name: str, text: str) -> Path:
    """A file with text in tmp_path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the example file ---------------------------------------------------------------------------


def test_example_file_loads_and_names_the_seed_agencies() -> None:
    sites = load_sites(EXAMPLE).sites
    hosts = {h for s in sites for h in s.allowed_domains}
    for host in (
        "yjt.sc.gov.cn",
        "yjgl.guizhou.gov.cn",
        "yc.gov.cn",
        "yjglj.wenzhou.gov.cn",
        "www.luozhuang.gov.cn",
        "www.mem.gov.cn",
        "www.gov.cn",
        "beijing.gov.cn",
        "shanghai.gov.cn",
    ):
        assert host in hosts
    ids = [s.id for s in sites]
    assert len(ids) == len(set(ids))
    for s in sites:
        assert s.agency and s.region
        assert s.level in {"国家级", "省级", "市级", "县级"}
        assert all(s.allows_host(u.split("/")[2]) for u in s.start_urls)
        assert all(u.startswith(("http://", "https://")) for u in s.start_urls)
        assert s.recheck_interval >= timedelta(hours=12)


def test_example_file_applies_its_defaults() -> None:
    by_id = {s.id: s for s in load_sites(EXAMPLE).sites}
    sc = by_id["sc-yjt"]
    assert (sc.politeness.delay, sc.politeness.timeout) == (3.0, 30.0)
    assert "通知" in sc.links.exclude
    assert sc.recheck_interval == timedelta(days=1)
    county = by_id["ly-luozhuang"]
    assert county.politeness.delay == 5.0  # the site's own value wins
    assert county.politeness.timeout == 30.0  # the rest of the table still comes from defaults
    assert county.recheck_interval == timedelta(days=2)
    mem = by_id["mem"]
    assert any("工作)?(?:年度)?报告" in rule for rule in mem.links.include)
    assert mem.links.exclude == sc.links.exclude
    assert (mem.pagination.style, mem.pagination.max_pages) == ("index_n", 20)


def test_every_example_site_round_trips_through_json() -> None:
    for s in load_sites(EXAMPLE).sites:
        again = Site.model_validate(json.loads(json.dumps(s.model_dump(mode="json"))))
        assert again == s


# --- defaults, formats, round-trips ------------------------------------------------------------


def test_defaults_are_deep_merged_under_each_site() -> None:
    data = {
        "defaults": {
            "politeness": {"delay": 7, "max_retries": 4},
            "links": {"exclude": ["解读"], "require_year": False},
            "recheck_interval": "2h",
        },
        "sites": [
            site(id="a", politeness={"delay": 1}, links={"exclude": ["图解"]}),
            site(id="b", recheck_interval="1d"),
        ],
    }
    original = copy.deepcopy(data)
    a, b = parse_sites(data).sites
    assert data == original  # the caller's data is not modified
    assert (a.politeness.delay, a.politeness.max_retries) == (1.0, 4)
    assert a.links.exclude == ["图解"]  # lists are replaced, not concatenated
    assert a.links.require_year is False
    assert a.links.include == LinkRules().include
    assert a.recheck_interval == timedelta(hours=2)
    assert (b.politeness.delay, b.recheck_interval) == (7.0, timedelta(days=1))


def test_without_defaults_sites_get_the_model_defaults() -> None:
    (s,) = parse_sites({"sites": [site()]}).sites
    assert s.politeness == Politeness()
    assert s.recheck_interval == timedelta(days=1)
    assert s.allowed_domains == ["www.example.gov.cn"]
    assert s.networks() == ()


def test_toml_and_yaml_load_the_same_data(tmp_path: Path) -> None:
    from_toml = load_sites(write(tmp_path, "sites.toml", SAMPLE_TOML))
    from_yaml = load_sites(write(tmp_path, "sites.yaml", SAMPLE_YAML))
    from_yml = load_sites(write(tmp_path, "sites.yml", SAMPLE_YAML))
    assert from_toml == from_yaml == from_yml
    sc, yc = from_toml.sites
    assert (sc.politeness.delay, sc.politeness.timeout) == (1.0, 30.0)
    assert sc.recheck_interval == timedelta(hours=6)
    assert yc.recheck_interval == timedelta(hours=2)
    assert yc.allowed_domains == ["yc.gov.cn"]
    assert yc.networks() == (IPv4Network("127.0.0.0/8"),)
    assert (yc.pagination.style, yc.pagination.max_pages) == ("index_n", 5)


def test_a_fully_specified_site_round_trips_through_json() -> None:
    s = Site.model_validate(
        site(
            id="full.site_1",
            agency="某市人民政府",
            region="某省某市",
            level="市级",
            start_urls=["https://www.例子.中国/nb/", "https://sub.xn--fsqu00a.xn--fiqs8s/a?page=2"],
            allowed_domains=["例子.中国"],
            links={"include": ["年报"], "exclude": [], "require_year": False, "attachments": False},
            pagination={"style": "query", "query_param": "p", "next_texts": ["下一页"]},
            politeness={"delay": 0, "concurrency": 3, "max_body_bytes": 1000, "user_agent": "x"},
            recheck_interval="1h30m",
            allow_addresses=["10.1.2.3/8", "::1", "fd00::/8"],
        )
    )
    assert s.allowed_domains == ["xn--fsqu00a.xn--fiqs8s"]
    assert s.recheck_interval == timedelta(minutes=90)
    assert s.allow_addresses == ["10.0.0.0/8", "::1/128", "fd00::/8"]
    assert s.networks() == (
        IPv4Network("10.0.0.0/8"),
        IPv6Network("::1/128"),
        IPv6Network("fd00::/8"),
    )
    dumped = json.loads(json.dumps(s.model_dump(mode="json")))
    assert Site.model_validate(dumped) == s


def test_a_local_test_site_on_an_ip_address() -> None:
    s = Site.model_validate(
        site(start_urls=["http://127.0.0.1:8123/nb/"], allow_addresses=["127.0.0.0/8"])
    )
    assert s.allowed_domains == ["127.0.0.1"]
    assert s.allows_host("127.0.0.1")
    assert not s.allows_host("x.127.0.0.1")
    assert not s.allows_host("127.0.0.2")
    v6 = Site.model_validate(site(start_urls=["http://[::1]:8123/"]))
    assert v6.allowed_domains == ["::1"]
    assert v6.allows_host("[::1]") and v6.allows_host("::1")


# --- allows_host --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("yc.gov.cn", True),
        ("www.yc.gov.cn", True),
        ("a.b.yc.gov.cn", True),
        ("WWW.YC.GOV.CN", True),
        ("www.yc.gov.cn.", True),
        ("evil-yc.gov.cn", False),
        ("evilyc.gov.cn", False),
        ("yc.gov.cn.evil.com", False),
        ("gov.cn", False),
        ("www.mem.gov.cn", True),
        ("mem.gov.cn", False),
        ("", False),
        ("..", False),
    ],
)
def test_allows_host_matches_domains_and_their_subdomains(host: str, allowed: bool) -> None:
    s = Site.model_validate(
        site(start_urls=["https://www.yc.gov.cn/"], allowed_domains=["yc.gov.cn", "www.mem.gov.cn"])
    )
    assert s.allows_host(host) is allowed


def test_domains_are_normalised() -> None:
    s = Site.model_validate(
        site(
            start_urls=["https://www.yc.gov.cn/"],
            allowed_domains=[" .YC.Gov.CN. ", "政府.中国"],
        )
    )
    assert s.allowed_domains == ["yc.gov.cn", "政府.中国".encode("idna").decode()]
    assert s.allows_host("www.政府.中国")
    assert s.allows_host("WWW." + "政府.中国".encode("idna").decode().upper())


# --- recheck_interval ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3600, timedelta(hours=1)),
        (90.5, timedelta(seconds=90.5)),
        ("3600", timedelta(hours=1)),
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("1d", timedelta(days=1)),
        ("2w", timedelta(weeks=2)),
        ("1.5h", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        ("6H", timedelta(hours=6)),
        ("PT6H", timedelta(hours=6)),
        ("P1D", timedelta(days=1)),
        ("P2W", timedelta(weeks=2)),
        ("PT60S", timedelta(minutes=1)),
    ],
)
def test_recheck_interval_accepts_seconds_short_forms_and_iso(value: Any, expected: Any) -> None:
    s = Site.model_validate(site(recheck_interval=value))
    assert s.recheck_interval == expected
    assert Site.model_validate(s.model_dump(mode="json")) == s


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("10s", "must be at least 60 seconds (got 10 s)"),
        (59, "must be at least 60 seconds (got 59 s)"),
        ("PT30S", "must be at least 60 seconds"),
        (-3600, "must be at least 60 seconds"),
        ("soon", "'soon' is not a duration"),
        ("6 hours", "'6 hours' is not a duration"),
        ("1x", "'1x' is not a duration"),
        ("", "'' is not a duration"),
        (True, "got a boolean"),
        ([1], "recheck_interval: "),
    ],
)
def test_recheck_interval_rejections(value: Any, reason: str) -> None:
    message = problems({"sites": [site(id="x", recheck_interval=value)]})
    assert "sites[0] (id 'x').recheck_interval: " in message
    assert reason in message


# --- readable errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "location", "reason"),
    [
        (
            site(id="sc-yjt", politeness={"delay": -1}),
            "sites[0] (id 'sc-yjt').politeness.delay",
            "Input should be greater than or equal to 0 (got -1)",
        ),
        (
            site(politness={"delay": 1}),
            "sites[0] (id 't').politness",
            "unknown key",
        ),
        (site(links={"includ": ["x"]}), "sites[0] (id 't').links.includ", "unknown key"),
        (site(pagination={"stlye": "auto"}), "sites[0] (id 't').pagination.stlye", "unknown key"),
        (
            site(pagination={"style": "infinite"}),
            "sites[0] (id 't').pagination.style",
            "Input should be 'auto', 'next_link', 'index_n', 'query' or 'none'",
        ),
        (
            site(politeness={"concurrency": 17}),
            "sites[0] (id 't').politeness.concurrency",
            "less than or equal to 16",
        ),
        (site(id="SC YJT"), "sites[0] (id 'SC YJT').id", "String should match pattern"),
        ({"start_urls": ["https://a.gov.cn/"]}, "sites[0].id", "Field required"),
        (site(start_urls=[]), "sites[0] (id 't').start_urls", "at least 1 item"),
        (
            site(start_urls=["https://a.gov.cn/", "ftp://a.gov.cn/nb/"]),
            "sites[0] (id 't').start_urls[1]",
            "'ftp://a.gov.cn/nb/' must be an absolute http:// or https:// URL",
        ),
        (
            site(start_urls=["/zfxxgk/nb/"]),
            "sites[0] (id 't').start_urls[0]",
            "must be an absolute http:// or https:// URL",
        ),
        (
            site(start_urls=["https://user:pw@a.gov.cn/"]),
            "sites[0] (id 't').start_urls[0]",
            "must not contain a user name or password",
        ),
        (
            site(start_urls=["https://a.gov.cn:99999/"]),
            "sites[0] (id 't').start_urls[0]",
            "invalid port",
        ),
        (
            site(
                id="yc",
                start_urls=["https://www.yc.gov.cn/", "https://evil-yc.gov.cn/nb/"],
                allowed_domains=["yc.gov.cn"],
            ),
            "sites[0] (id 'yc').start_urls",
            "'https://evil-yc.gov.cn/nb/' has host 'evil-yc.gov.cn', which is outside "
            "allowed_domains ['yc.gov.cn']",
        ),
        (
            site(allowed_domains=["https://www.example.gov.cn/"]),
            "sites[0] (id 't').allowed_domains[0]",
            "is not a domain name",
        ),
        (
            site(allowed_domains=["cn"]),
            "sites[0] (id 't').allowed_domains[0]",
            "'cn' is a bare top-level domain",
        ),
        (
            site(allow_addresses=["127.0.0.0/8", "localhost"]),
            "sites[0] (id 't').allow_addresses[1]",
            "'localhost' is not an IP network",
        ),
        (
            site(allow_addresses=["10.0.0.0/33"]),
            "sites[0] (id 't').allow_addresses[0]",
            "'10.0.0.0/33' is not an IP network",
        ),
        (
            site(links={"include": ["(年报"]}),
            "sites[0] (id 't').links.include[0]",
            "'(年报' is not a valid regular expression",
        ),
        (site(politeness={"max_body_bytes": 0}), "politeness.max_body_bytes", "greater than 0"),
    ],
)
def test_each_problem_has_a_location_and_a_reason(raw: Any, location: str, reason: str) -> None:
    message = problems({"sites": [raw]})
    assert f"{location}: " in message
    line = next(line for line in message.splitlines() if f"{location}: " in line)
    assert reason in line


def test_the_message_names_the_site_by_index_and_id() -> None:
    message = problems(
        {
            "sites": [
                site(id="a"),
                site(id="b"),
                site(id="sc-yjt", politeness={"delay": -0.5}),
            ]
        }
    )
    assert message == (
        "sites.toml: sites[2] (id 'sc-yjt').politeness.delay: "
        "Input should be greater than or equal to 0 (got -0.5)"
    )


def test_every_problem_is_reported_one_per_line() -> None:
    message = problems(
        {
            "defaults": {"politeness": {"dely": 1}},
            "sites": [
                site(id="a", politeness={"delay": -1}),
                site(id="a", recheck_interval="10s", extra=1),
                site(id="c", allow_addresses=["nope"]),
            ],
        }
    )
    assert message.splitlines() == [
        "sites.toml: 6 problems in the sites file:",
        "  defaults.politeness.dely: unknown key (Extra inputs are not permitted; "
        "check the spelling)",
        "  sites[0] (id 'a').politeness.delay: Input should be greater than or equal to 0 (got -1)",
        "  sites[1] (id 'a').recheck_interval: must be at least 60 seconds (got 10 s)",
        "  sites[1] (id 'a').extra: unknown key (Extra inputs are not permitted; "
        "check the spelling)",
        "  sites[2] (id 'c').allow_addresses[0]: 'nope' is not an IP network "
        "(use CIDR such as '127.0.0.0/8' or an address)",
        "  sites: duplicate site id: 'a' (sites[0], sites[1])",
    ]


def test_duplicate_ids_are_named() -> None:
    message = problems({"sites": [site(id="x"), site(id="y"), site(id="x"), site(id="y")]})
    assert message == (
        "sites.toml: sites: duplicate site id: 'x' (sites[0], sites[2]); 'y' (sites[1], sites[3])"
    )
    with pytest.raises(ValueError, match="duplicate site id: 'x'"):
        SitesFile.model_validate({"sites": [site(id="x"), site(id="x")]})


def test_unknown_keys_in_defaults_and_at_the_top_are_errors() -> None:
    message = problems({"defaults": {"id": "x", "politeness": {"dely": 1}}, "sites": [site()]})
    assert "defaults.id: unknown key" in message
    assert "defaults.politeness.dely: unknown key" in message
    assert "sites[0]" not in message  # a bad defaults table is reported once, not per site
    assert "site: unknown key" in problems({"site": [site()]})
    assert "sites: Field required" in problems({"site": [site()]})


def test_a_bad_default_value_is_reported_under_defaults() -> None:
    message = problems({"defaults": {"recheck_interval": "1s"}, "sites": [site(), site(id="u")]})
    assert message == "sites.toml: defaults.recheck_interval: must be at least 60 seconds (got 1 s)"


def test_the_top_level_must_be_a_mapping_with_sites() -> None:
    assert "top level must be a table/mapping" in problems([site()])
    assert "the file is empty" in problems(None)
    assert "sites: List should have at least 1 item" in problems({"sites": []})
    assert "sites[0]: Input should be a valid dictionary" in problems({"sites": ["x"]})


# --- files --------------------------------------------------------------------------------------


def test_toml_syntax_errors_give_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "sites.toml", '[[sites]]\nid = "a"\nstart_urls = = 1\n')
    with pytest.raises(SitesFileError) as caught:
        load_sites(path)
    assert str(caught.value).startswith(f"{path}:3:14: TOML syntax error: ")


def test_toml_error_at_end_of_file_still_has_a_position(tmp_path: Path) -> None:
    path = write(tmp_path, "sites.toml", '[[sites]]\nid = "a"\nstart_urls = ["x",\n')
    with pytest.raises(SitesFileError) as caught:
        load_sites(path)
    assert str(caught.value).startswith(f"{path}:4:1: TOML syntax error: ")


def test_yaml_syntax_errors_give_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "sites.yaml", "sites:\n  - id: a\n    start_urls: [x,\n  foo: : bar\n")
    with pytest.raises(SitesFileError) as caught:
        load_sites(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:4:")
    assert "YAML syntax error: " in message


def test_semantic_errors_in_a_file_name_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, "sites.yml", "sites:\n  - id: a\n    start_urls: ['https://a.gov.cn/']\n"
    )
    assert load_sites(path).sites[0].id == "a"
    path.write_text("sites:\n  - id: a\n    start_urls: []\n", encoding="utf-8")
    with pytest.raises(SitesFileError) as caught:
        load_sites(path)
    assert str(caught.value).startswith(f"{path}: sites[0] (id 'a').start_urls: ")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(SitesFileError) as caught:
        load_sites(path)
    assert str(caught.value) == f"{path}: no such sites file"


def test_unknown_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "sites.json", "{}")
    with pytest.raises(SitesFileError) as caught:
        load_sites(path)
    assert "unsupported sites file type '.json'" in str(caught.value)
    assert "expected .toml, .yaml or .yml" in str(caught.value)


def test_directory_and_non_utf8_files(tmp_path: Path) -> None:
    (tmp_path / "d.toml").mkdir()
    with pytest.raises(SitesFileError, match="is a directory"):
        load_sites(tmp_path / "d.toml")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('[[sites]]\nagency = "四川省"\n'.encode("gbk"))
    with pytest.raises(SitesFileError, match="not UTF-8"):
        load_sites(gbk)


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE_TOML.encode())
    assert [s.id for s in load_sites(path).sites] == ["sc-yjt", "yc-gov"]


def test_an_empty_yaml_file(tmp_path: Path) -> None:
    with pytest.raises(SitesFileError, match="the file is empty"):
        load_sites(write(tmp_path, "sites.yaml", "# nothing yet\n"))
