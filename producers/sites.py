"""The sites file: which government sites the monitoring crawler watches, and how politely.

A sites file is TOML (``[[sites]]`` tables) or YAML (a ``sites:`` list), with an optional
``[defaults]`` table deep-merged under every site. Every model forbids unknown keys so that a
typo is an error instead of a silently ignored setting, and `load_sites` reports every problem at
once, one per line, with a readable location such as
``sites[2] (id 'sc-yjt').politeness.delay: Input should be greater than or equal to 0 (got -1)``.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

SUFFIXES = (".toml", ".yaml", ".yml")
MIN_RECHECK = timedelta(seconds=60)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SHORT_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.I)
_SHORT = re.compile(r"\s*(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+", re.I)
_NUMBER = re.compile(r"\s*\d+(?:\.\d+)?\s*")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?")
_TIMEDELTA = TypeAdapter(timedelta)
_INTERVAL_HELP = (
    "use seconds (3600), a short form ('90s', '30m', '6h', '1d', '2w', '1h30m') "
    "or an ISO 8601 duration ('PT6H', 'P1D')"
)


# ---------------------------------------------------------------------------------------------
# field types


def _parse_interval(value: Any) -> Any:
    """Turn the short forms ("30m", "6h", "1d", "2w", "90s") and numeric strings into timedeltas."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, got a boolean; {_INTERVAL_HELP}")
    if not isinstance(value, str):
        return value  # int/float seconds and timedelta: pydantic handles them
    if _NUMBER.fullmatch(value):
        return timedelta(seconds=float(value))
    if _SHORT.fullmatch(value):
        seconds = sum(float(n) * _UNITS[unit.lower()] for n, unit in _SHORT_PART.findall(value))
        return timedelta(seconds=seconds)
    try:
        return _TIMEDELTA.validate_python(value.strip())  # ISO 8601, "1 day, 01:00:00", ...
    except ValidationError:
        raise ValueError(f"{value!r} is not a duration; {_INTERVAL_HELP}") from None


def _check_interval(value: timedelta) -> timedelta:
    """Refuse intervals shorter than a minute: rechecking faster is impolite and pointless."""
    if value < MIN_RECHECK:
        raise ValueError(
            f"must be at least {int(MIN_RECHECK.total_seconds())} seconds "
            f"(got {value.total_seconds():g} s)"
        )
    return value


Interval = Annotated[timedelta, BeforeValidator(_parse_interval), AfterValidator(_check_interval)]


def normalise_host(host: str) -> str:
    """A host or domain in comparable form: lower-case, IDNA (punycode), no brackets or end dots."""
    host = host.strip().strip("[]").strip(".").lower()
    if not host:
        raise ValueError("empty host")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"{host!r} is not a valid domain name ({exc})") from None
    return host


def _is_ip(host: str) -> bool:
    """Whether a normalised host is an IP literal (those never match subdomains)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _domain(value: str) -> str:
    """Validate and normalise one allowed_domains entry."""
    if not isinstance(value, str):
        raise ValueError("a domain must be a string")
    if any(c in value for c in "/:@?#") and not _is_ip(value.strip().strip("[]")):
        raise ValueError(f"{value!r} is not a domain name (give 'example.gov.cn', not a URL)")
    domain = normalise_host(value)
    if _is_ip(domain):
        return domain
    labels = domain.split(".")
    if not all(_LABEL.fullmatch(label) and len(label) <= 63 for label in labels):
        raise ValueError(f"{value!r} is not a valid domain name")
    if len(labels) < 2 and domain != "localhost":
        raise ValueError(
            f"{value!r} is a bare top-level domain, which would allow every site under it; "
            "name the site's own domain"
        )
    return domain


Domain = Annotated[str, AfterValidator(_domain)]


def _start_url(value: str) -> str:
    """An absolute http(s) URL with a host: the page the crawl of a site starts from."""
    url = value.strip()
    if not url or any(c.isspace() for c in url):
        raise ValueError(f"{value!r} is not a URL (empty or contains whitespace)")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{value!r} must be an absolute http:// or https:// URL")
    if not parts.hostname:
        raise ValueError(f"{value!r} has no host")
    if "@" in parts.netloc:
        raise ValueError(f"{value!r} must not contain a user name or password")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError(f"{value!r} has an invalid port") from None
    normalise_host(parts.hostname)
    return url


StartUrl = Annotated[str, AfterValidator(_start_url)]


def _network(value: str) -> str:
    """Validate one allow_addresses entry as an IP network and return it in canonical form."""
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise ValueError(
            f"{value!r} is not an IP network (use CIDR such as '127.0.0.0/8' or an address)"
        ) from None


Network = Annotated[str, AfterValidator(_network)]


def _regex(value: str) -> str:
    """Validate that a link rule compiles as a Python regular expression."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression: {exc}") from None
    return value


Regex = Annotated[str, AfterValidator(_regex)]


# ---------------------------------------------------------------------------------------------
# models


class _Strict(BaseModel):
    """Base for every sites-file model: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class LinkRules(_Strict):
    """Which anchors on a listing page are annual reports, and whether to follow attachments."""

    include: list[Regex] = Field(
        default_factory=lambda: [r"(?:政府信息公开|政务公开|信息公开).{0,8}(?:年度报告|年报)"],
        min_length=1,
    )
    exclude: list[Regex] = Field(
        default_factory=lambda: ["解读", "图解", "一图读懂", "问答", "政策解读"]
    )
    require_year: bool = True
    attachments: bool = True


class Pagination(_Strict):
    """How a listing column pages: detected, a next link, index_N pages, a query parameter."""

    style: Literal["auto", "next_link", "index_n", "query", "none"] = "auto"
    query_param: str = Field("page", min_length=1)
    next_texts: list[str] = Field(default_factory=lambda: ["下一页", "下页", "后页"])
    max_pages: int = Field(20, ge=1, le=1000)


class Politeness(_Strict):
    """Per-host limits shared by every crawler process, so a government server is never hammered."""

    delay: float = Field(2.0, ge=0)
    concurrency: int = Field(1, ge=1, le=16)
    # seconds per read; a whole request gets 6x this, and must end within a host-slot lease
    timeout: float = Field(20.0, gt=0, le=60)
    max_retries: int = Field(2, ge=0, le=10)
    max_body_bytes: int | None = Field(None, gt=0)
    obey_robots: bool = True
    user_agent: str | None = Field(None, min_length=1)


_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


def _month_day(value: str) -> str:
    """A day of the year as MM-DD (for example "01-01", "03-31"); 02-29 is refused."""
    match = _MONTH_DAY.fullmatch(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a day of the year; write MM-DD, such as '03-31'")
    month, day = int(match.group(1)), int(match.group(2))
    if (
        not 1 <= month <= 12
        or not 1 <= day <= (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    ):
        raise ValueError(f"{value!r} is not a day of the year (MM-DD; 02-29 is not allowed)")
    return f"{month:02d}-{day:02d}"


MonthDay = Annotated[str, AfterValidator(_month_day)]


def _cron(value: str) -> str:
    """A five-field cron expression croniter understands, firing at most once a minute."""
    from croniter import croniter

    expression = " ".join(str(value).split())
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ValueError(
            f"{value!r} is not a cron expression (five fields: minute hour day month weekday, "
            "such as '0 9 * 1-3 *' for 09:00 every day from January to March)"
        )
    return expression


def _proxy(value: str) -> str:
    from producers.fetch.proxy import check_proxy

    return check_proxy(value)


class Season(_Strict):
    """A stretch of the year (China Standard Time) in which a site is re-checked more often."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: MonthDay = Field(alias="from")
    end: MonthDay = Field(alias="to")
    every: Interval


class Recheck(_Strict):
    """When a site is re-checked: seasons (with `otherwise` between them), or a cron expression."""

    seasons: list[Season] = Field(default_factory=list)
    otherwise: Interval | None = None  # between seasons; default: the site's recheck_interval
    cron: Annotated[str, AfterValidator(_cron)] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Recheck:
        """Either seasons or a cron expression, not both, not neither."""
        if bool(self.seasons) == bool(self.cron):
            raise ValueError(
                "give either seasons = [{ from = 'MM-DD', to = 'MM-DD', every = '1d' }] "
                "(with otherwise = '1w') or cron = '0 9 * 1-3 *'"
            )
        if self.cron and self.otherwise is not None:
            raise ValueError("otherwise goes with seasons; a cron expression says every time")
        return self


class Tls(_Strict):
    """How the site's certificates are verified (beyond the system trust store)."""

    verify: bool = True  # false: no verification at all; a warning on every pass
    ca_bundle: str | None = Field(None, min_length=1)  # PEM: the site's CA or intermediates

    @field_validator("ca_bundle")
    @classmethod
    def _readable(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The bundle is read relative to the sites file, and must hold a PEM certificate."""
        if value is None:
            return None
        path = Path(value).expanduser()
        base = (info.context or {}).get("base")
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise ValueError(
                f"cannot read CA bundle {str(path)!r}: {exc.strerror or exc}"
            ) from None
        if "-----BEGIN CERTIFICATE-----" not in text:
            raise ValueError(
                f"{str(path)!r} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
            )
        return str(path.resolve())


class Site(_Strict):
    """One monitored site: its annual-report columns, the domains it may visit, its manners."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    agency: str | None = None
    region: str | None = None
    level: str | None = None
    # allowed_domains is declared before start_urls so the start URLs can be checked against it.
    allowed_domains: list[Domain] = Field(default_factory=list)
    start_urls: list[StartUrl] = Field(min_length=1)
    links: LinkRules = Field(default_factory=LinkRules)
    pagination: Pagination = Field(default_factory=Pagination)
    politeness: Politeness = Field(default_factory=Politeness)
    recheck_interval: Interval = timedelta(days=1)
    recheck: Recheck | None = None  # seasons or cron; recheck_interval when unset
    allow_addresses: list[Network] = Field(default_factory=list)
    proxy: Annotated[str, AfterValidator(_proxy)] | None = None  # else NIANBAO_CRAWL_PROXY
    tls: Tls = Field(default_factory=Tls)
    render: Literal["http", "browser"] = "http"  # browser: headless Chromium (WAF challenges)

    @field_validator("start_urls")
    @classmethod
    def _inside_allowed_domains(cls, urls: list[str], info: ValidationInfo) -> list[str]:
        """Every start URL's host must be inside allowed_domains when those are given."""
        domains = info.data.get("allowed_domains") or []
        if domains:
            for url in urls:
                host = urlsplit(url).hostname or ""
                if not _host_allowed(host, domains):
                    raise ValueError(
                        f"start URL {url!r} has host {host!r}, which is outside "
                        f"allowed_domains {domains}"
                    )
        return urls

    @model_validator(mode="after")
    def _fill_allowed_domains(self) -> Site:
        """With no allowed_domains given, a site may visit exactly the hosts of its start URLs."""
        if not self.allowed_domains:
            hosts: list[str] = []
            for url in self.start_urls:
                host = normalise_host(urlsplit(url).hostname or "")
                if host not in hosts:
                    hosts.append(host)
            self.allowed_domains = hosts
        return self

    def networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """allow_addresses parsed: networks this site may resolve to although private/loopback."""
        return tuple(ipaddress.ip_network(n, strict=False) for n in self.allow_addresses)

    def allows_host(self, host: str) -> bool:
        """Whether host is one of allowed_domains or a subdomain of one (IDNA, case-insensitive)."""
        try:
            return _host_allowed(host, self.allowed_domains)
        except ValueError:
            return False


def _host_allowed(host: str, domains: list[str]) -> bool:
    """Host equals a domain or ends with "." + domain; IP literals must match exactly."""
    host = normalise_host(host)
    if _is_ip(host):
        return host in domains
    return any(host == d or (not _is_ip(d) and host.endswith("." + d)) for d in domains)


class SiteDefaults(_Strict):
    """The optional [defaults] table: settings deep-merged under every site (site values win)."""

    links: LinkRules | None = None
    pagination: Pagination | None = None
    politeness: Politeness | None = None
    recheck_interval: Interval | None = None
    recheck: Recheck | None = None
    allow_addresses: list[Network] | None = None
    proxy: Annotated[str, AfterValidator(_proxy)] | None = None
    tls: Tls | None = None
    render: Literal["http", "browser"] | None = None


class SitesFile(_Strict):
    """A whole sites file: optional defaults and the list of sites, with unique ids."""

    defaults: SiteDefaults = Field(default_factory=SiteDefaults)
    sites: list[Site] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data: Any, info: ValidationInfo) -> Any:
        """Deep-merge the raw [defaults] table under each raw site before validating the sites."""
        if not isinstance(data, Mapping):
            return data
        defaults, sites = data.get("defaults"), data.get("sites")
        if not defaults or not isinstance(defaults, Mapping) or not isinstance(sites, list):
            return data
        try:
            SiteDefaults.model_validate(defaults, context=info.context)
        except ValidationError:
            return data  # reported once, under "defaults", instead of again under every site
        merged = [deep_merge(defaults, s) if isinstance(s, Mapping) else s for s in sites]
        return {**data, "sites": merged}

    @field_validator("sites")
    @classmethod
    def _unique_ids(cls, sites: list[Site]) -> list[Site]:
        """Site ids key the crawl state, so two sites must never share one."""
        if message := _duplicate_ids([s.id for s in sites]):
            raise ValueError(message)
        return sites


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge override onto base: nested tables merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(old, value)
        else:
            merged[key] = value
    return merged


def _duplicate_ids(ids: list[Any]) -> str | None:
    """A message naming every id used by more than one site, or None."""
    positions: dict[str, list[int]] = {}
    for index, site_id in enumerate(ids):
        if isinstance(site_id, str):
            positions.setdefault(site_id, []).append(index)
    dups = [
        f"{site_id!r} ({', '.join(f'sites[{i}]' for i in where)})"
        for site_id, where in positions.items()
        if len(where) > 1
    ]
    return f"duplicate site id: {'; '.join(dups)}" if dups else None


# ---------------------------------------------------------------------------------------------
# loading and error reporting


class SitesFileError(ValueError):
    """A sites file that cannot be used; the message lists every problem, one per line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        if len(problems) == 1:
            message = f"{source}: {problems[0]}"
        else:
            header = f"{source}: {len(problems)} problems in the sites file:"
            message = "\n".join([header, *(f"  {p}" for p in problems)])
        super().__init__(message)


def load_sites(path: Path | str) -> SitesFile:
    """Read and validate a .toml, .yaml or .yml sites file; SitesFileError says what is wrong."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SitesFileError(
            str(path),
            [
                f"unsupported sites file type {path.suffix or '(none)'!r}; "
                "expected .toml, .yaml or .yml"
            ],
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SitesFileError(str(path), ["no such sites file"]) from None
    except IsADirectoryError:
        raise SitesFileError(str(path), ["is a directory, not a sites file"]) from None
    except OSError as exc:
        raise SitesFileError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SitesFileError(
            str(path), [f"not UTF-8 (bad byte at offset {exc.start}); save the file as UTF-8"]
        ) from None
    data = _parse_toml(text, path) if suffix == ".toml" else _parse_yaml(text, path)
    return parse_sites(data, str(path), base=path.parent)


def _parse_toml(text: str, path: Path) -> Any:
    """tomllib with syntax errors as FILE:LINE:COL: message."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        if match := re.search(r"\s*\(at line (\d+), column (\d+)\)$", message):
            line, col = int(match.group(1)), int(match.group(2))
            message = message[: match.start()]
        elif match := re.search(r"\s*\(at end of document\)$", message):
            lines = text.split("\n")
            line, col = len(lines), len(lines[-1]) + 1
            message = message[: match.start()] + " at end of file"
        where = f"{path}:{line}:{col}" if line is not None else str(path)
        raise SitesFileError(where, [f"TOML syntax error: {message}"]) from None


def _parse_yaml(text: str, path: Path) -> Any:
    """yaml.safe_load with syntax errors as FILE:LINE:COL: message."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        message = "; ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        raise SitesFileError(where, [f"YAML syntax error: {message}"]) from None
    except yaml.YAMLError as exc:
        raise SitesFileError(str(path), [f"YAML error: {exc}"]) from None


def parse_sites(data: Any, source: str = "<data>", base: Path | None = None) -> SitesFile:
    """Validate already-parsed sites data (a mapping with "sites" and optional "defaults").

    base: where relative paths (tls.ca_bundle) are read from, the sites file's folder.
    """
    if data is None:
        raise SitesFileError(source, ["the file is empty; it needs a list of sites"])
    if not isinstance(data, Mapping):
        raise SitesFileError(
            source,
            [f"the top level must be a table/mapping with a 'sites' list, not {_kind(data)}"],
        )
    try:
        return SitesFile.model_validate(data, context={"base": base})
    except ValidationError as exc:
        problems = [_render(error, data) for error in exc.errors()]
    sites = data.get("sites")
    if isinstance(sites, list) and (
        message := _duplicate_ids([s.get("id") if isinstance(s, Mapping) else None for s in sites])
    ):
        # SitesFile only checks ids once every site is valid; report duplicates regardless.
        problems.append(f"sites: {message}")
    raise SitesFileError(source, list(dict.fromkeys(problems)))


def _kind(value: Any) -> str:
    """A short description of a YAML/TOML value's type for error messages."""
    names = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return names.get(type(value), type(value).__name__)


def _render(error: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    """One pydantic error as "LOCATION: reason (got VALUE)"."""
    loc = tuple(error["loc"])
    where = _location(loc, data)
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    kind = error["type"]
    if kind == "extra_forbidden":
        message = "unknown key (Extra inputs are not permitted; check the spelling)"
    elif kind not in ("missing", "value_error") and _is_scalar(error.get("input")):
        message += f" (got {error['input']!r})"
    return f"{where}: {message}" if where else message


def _is_scalar(value: Any) -> bool:
    """Whether a value is small enough to echo back in an error message."""
    return isinstance(value, (str, int, float, bool)) and len(repr(value)) <= 80


def _location(loc: tuple[Any, ...], data: Mapping[str, Any]) -> str:
    """A readable path such as "sites[2] (id 'sc-yjt').politeness.delay"."""
    out = ""
    sites = data.get("sites")
    for depth, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
            if depth == 1 and loc[0] == "sites" and isinstance(sites, list) and part < len(sites):
                site = sites[part]
                site_id = site.get("id") if isinstance(site, Mapping) else None
                if isinstance(site_id, str):
                    out += f" (id {site_id!r})"
        else:
            out += f".{part}" if out else str(part)
    return out
