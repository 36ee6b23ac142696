"""Review commands: quarantined pages (list, show, replay) and coverage per site and agency."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nianbao.cli.apps import app
from nianbao.cli.crawl import SitesOption
from nianbao.terminal import console, err, fail

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from nianbao.core.coverage import Coverage
    from nianbao.storage.objects import ObjectStore
    from nianbao.storage.tables import QuarantineRow

quarantine_app = typer.Typer(
    help="Quarantined pages: list, show and replay them (after a parser fix).",
    no_args_is_help=True,
)
app.add_typer(quarantine_app, name="quarantine")

_AGO = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _since(value: str | None) -> datetime | None:
    """--since: an ISO date or time (UTC unless it says), or an age such as 30m, 12h, 7d, 2w."""
    if not value:
        return None
    if found := _AGO.match(value.strip()):
        return datetime.now(UTC) - timedelta(**{_UNITS[found[2]]: int(found[1])})
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise fail(
            f"--since {value!r} is neither a date nor an age",
            "give 2027-01-31, 2027-01-31T08:00 or an age such as 30m, 12h, 7d, 2w",
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _when(value: datetime | None) -> str:
    """A stored time as UTC minutes (SQLite hands it back without its zone)."""
    if value is None:
        return "—"
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


@quarantine_app.command("list")
def quarantine_list(
    reason: Annotated[str | None, typer.Option(help="Only this reason (e.g. too_large).")] = None,
    site: Annotated[str | None, typer.Option(help="Only pages of this site id.")] = None,
    since: Annotated[
        str | None, typer.Option(help="First quarantined since: a date/time or an age (7d).")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Closed entries too (pages stored after a replay).")
    ] = False,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 100,
) -> None:
    """Quarantined pages, newest first: open ones unless --all."""
    from nianbao import runtime
    from nianbao.storage.repository.quarantine import OPEN

    rows = runtime.repository().list_quarantine(
        limit,
        reason=reason,
        site=site,
        since=_since(since),
        status=None if show_all else OPEN,
    )
    table = Table("id", "status", "reason", "stage", "site", "url", "quarantined", "replays")
    for row in rows:
        table.add_row(
            str(row.id),
            row.status,
            escape(row.reason),
            row.stage,
            escape(row.site_id),
            escape(row.url),
            _when(row.first_seen),
            str(row.replays),
        )
    console.print(table)
    if rows:
        err.print("[dim]one entry: nianbao quarantine show ID; again: quarantine replay ID…[/]")


def raw_page_location(store: ObjectStore, key: str, expires: int) -> str:
    """Where a person gets the raw page: a file path, or a presigned S3 URL valid `expires` s."""
    from nianbao.storage.objects import S3ObjectStore

    if isinstance(store, S3ObjectStore):
        return store.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": store.bucket, "Key": store.prefix + key},
            ExpiresIn=expires,
        )
    return store.location(key)


def _entry(row: QuarantineRow, store: ObjectStore, expires: int) -> dict[str, Any]:
    """A quarantine entry as `show` prints it."""
    page = row.message.get("page", {})
    kept = store.exists(row.raw_ref)
    return {
        "id": row.id,
        "status": row.status,
        "reason": row.reason,
        "detail": row.detail,
        "stage": row.stage,
        "url": row.url,
        "final_url": page.get("final_url"),
        "site": row.site_id,
        "content_type": page.get("content_type"),
        "size": page.get("size"),
        "sha256": row.page_sha256,
        "quarantined": _when(row.first_seen),
        "last_rejected": _when(row.last_seen),
        "replays": row.replays,
        "closed": _when(row.closed_at) if row.closed_at else None,
        "raw_page": raw_page_location(store, row.raw_ref, expires) if kept else None,
        "raw_page_key": row.raw_ref,
    }


@quarantine_app.command("show")
def quarantine_show(
    entry_id: Annotated[int, typer.Argument(metavar="ID", help="Quarantine entry id.")],
    expires: Annotated[
        int, typer.Option(help="Seconds a presigned S3 URL stays valid.", min=1)
    ] = 3600,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """One quarantined page: reason, detail, stage, URL, site, when, and where its raw page is."""
    from nianbao import runtime

    row = runtime.repository().get_quarantine(entry_id)
    if row is None:
        raise fail(f"no quarantine entry {entry_id}", "see: nianbao quarantine list --all")
    entry = _entry(row, runtime.object_store(), expires)
    if as_json:
        print(json.dumps(entry, ensure_ascii=False))
        return
    width = max(map(len, entry))
    for name, value in entry.items():  # unwrapped lines: a path or a presigned URL stays whole
        if name == "raw_page" and value is None:
            value = "[red]not in the object store[/]"
        elif name == "raw_page" and row.stage == "fetch":
            value = escape(str(value)) + " [dim](empty: the crawler refused the body)[/]"
        else:
            value = "—" if value is None else escape(str(value))
        console.print(f"[bold]{name:<{width}}[/]  {value}", soft_wrap=True, highlight=False)


def _replayable(rows: list[QuarantineRow], store: ObjectStore) -> list[QuarantineRow]:
    """The entries whose page can go through the pages queue again; says why for the others."""
    chosen = []
    for row in rows:
        if row.stage == "fetch":
            err.print(
                f"[yellow]skipped {row.id}[/]: refused at fetch ({escape(row.reason)}), no body "
                "was kept; crawl its site again instead"
            )
        elif not store.exists(row.raw_ref):
            err.print(f"[yellow]skipped {row.id}[/]: its raw page is no longer in the object store")
        else:
            chosen.append(row)
    return chosen


@quarantine_app.command("replay")
def quarantine_replay(
    ids: Annotated[list[int] | None, typer.Argument(metavar="ID...", help="Entry ids.")] = None,
    reason: Annotated[str | None, typer.Option(help="Every open entry of this reason.")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Every open entry.")] = False,
) -> None:
    """Send quarantined pages through the pages queue again (after a parser fix).

    A page that is stored this time closes its entry; one rejected again keeps its entry open
    with the new reason. Nothing is stored twice.
    """
    from nianbao import runtime
    from nianbao.settings import get_settings
    from nianbao.storage.repository.quarantine import OPEN
    from schemas.tasks import PROCESS_PAGE
    from workers.publishing import send

    if sum((bool(ids), reason is not None, replay_all)) != 1:
        raise fail(
            "name what to replay, one way",
            "nianbao quarantine replay ID... | --reason REASON | --all",
        )
    repo, store = runtime.repository(), runtime.object_store()
    if ids:
        rows = [row for i in ids if (row := repo.get_quarantine(i)) is not None]
        unknown = sorted(set(ids) - {row.id for row in rows})
        closed = [row.id for row in rows if row.status != OPEN]
        if unknown or closed:
            what = f"no entry {unknown}" if unknown else f"already closed: {closed}"
            raise fail(what, "see: nianbao quarantine list")
    else:
        rows = repo.list_quarantine(None, reason=reason, status=OPEN)[::-1]  # oldest first
    rows = _replayable(rows, store)
    pages = repo.claim_replays([row.id for row in rows])
    for page in pages:
        send(PROCESS_PAGE, page)
    if not get_settings().embedded:
        console.print(
            f"sent {len(pages)} page(s) to the pages queue; "
            "what stays open: nianbao quarantine list"
        )
        return
    # embedded: each page went through every stage in-process, so the outcome is known
    after = [repo.get_quarantine(row.id) for row in rows]
    table = Table("id", "url", "outcome")
    for row in after:
        assert row is not None
        outcome = (
            "[green]stored, closed[/]"
            if row.status != OPEN
            else f"[red]quarantined again[/]: {escape(row.reason)}"
        )
        table.add_row(str(row.id), escape(row.url), outcome)
    console.print(table)
    stored = sum(row is not None and row.status != OPEN for row in after)
    console.print(f"replayed {len(pages)}: {stored} stored, {len(pages) - stored} still open")


# ---- coverage -------------------------------------------------------------------------------


def _stored_years(engine: Engine) -> list[tuple[str | None, str | None, int | None, str]]:
    """(agency key, agency name, report year, site id) of every stored report and source."""
    from sqlalchemy import select

    from nianbao.storage.tables import ReportRow, SourceRow

    query = (
        select(ReportRow.agency_key, ReportRow.agency_name, ReportRow.year, SourceRow.site_id)
        .join(SourceRow, SourceRow.report_id == ReportRow.id)
        .distinct()
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


def _stamp(value: float | str | int | None) -> str | None:
    """A Unix time as an ISO date and time (UTC), or None."""
    if not value:
        return None
    return datetime.fromtimestamp(float(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _row(cov: Coverage) -> dict[str, Any]:
    """The coverage part of one JSON row."""
    return {
        "stored": list(cov.stored),
        "missing": list(cov.missing),
        "year": cov.year,
        "due": cov.due.isoformat(),
        "status": cov.status,
        "flagged": cov.flagged,
    }


def coverage_report(
    sites: list[Any], rows: list[tuple[Any, ...]], crawl: dict[str, Any], novelty: dict[str, Any],
    today: date, year: int | None,
) -> dict[str, Any]:  # fmt: skip
    """Coverage of each site of the sites file and each agency stored, as plain data."""
    from nianbao.core.coverage import coverage, is_government

    by_site: dict[str, set[int]] = defaultdict(set)
    agencies: dict[str, dict[str, Any]] = {}
    for key, name, report_year, site_id in rows:
        if report_year is not None:
            by_site[site_id].add(report_year)
        agency = agencies.setdefault(
            key or name or "", {"agency": name, "years": set(), "sites": set()}
        )
        agency["agency"] = agency["agency"] or name
        agency["sites"].add(site_id)
        if report_year is not None:
            agency["years"].add(report_year)
    site_rows = []
    for site in sites:
        cov = coverage(by_site[site.id], today, government=is_government(site.agency), year=year)
        seen = novelty.get(site.id)
        site_rows.append(
            {
                "site": site.id,
                "agency": site.agency,
                **_row(cov),
                "last_success": _stamp(crawl.get(site.id, {}).get("last_success")),
                "last_new": _stamp(seen.last_new if seen else None),
            }
        )
    agency_rows = []
    for found in sorted(agencies.values(), key=lambda a: a["agency"] or "\uffff"):
        cov = coverage(found["years"], today, government=is_government(found["agency"]), year=year)
        agency_rows.append(
            {"agency": found["agency"], "sites": sorted(found["sites"]), **_row(cov)}
        )
    checked = today.year - 1 if year is None else year
    return {"as_of": today.isoformat(), "year": checked, "sites": site_rows,
            "agencies": agency_rows}  # fmt: skip


def _status(entry: dict[str, Any]) -> str:
    """The checked year's status, coloured: stored green, overdue red, not yet due dim."""
    if entry["status"] == "stored":
        return "[green]stored[/]"
    if entry["status"] == "overdue":
        return f"[bold red]OVERDUE[/] since {entry['due']}"
    return f"[dim]due {entry['due']}[/]"


def _day(stamp: str | None) -> str:
    """An ISO time as its day, or never."""
    return stamp[:10] if stamp else "never"


def _print_coverage(report: dict[str, Any]) -> None:
    """The coverage report as two rich tables: sites, then agencies."""
    from nianbao.core.coverage import year_ranges

    year = report["year"]
    if report["sites"]:
        table = Table(title=f"sites (as of {report['as_of']})")
        table.add_column("site", no_wrap=True)
        for name in ("agency", "stored", "missing"):
            table.add_column(name, overflow="fold")
        table.add_column(f"{year} report", no_wrap=True)
        table.add_column("last success", no_wrap=True)
        table.add_column("last new", no_wrap=True)
        for entry in report["sites"]:
            table.add_row(
                escape(entry["site"]),
                escape(entry["agency"] or "—"),
                year_ranges(entry["stored"]),
                year_ranges(entry["missing"]),
                _status(entry),
                _day(entry["last_success"]),
                _day(entry["last_new"]),
            )
        console.print(table)
    else:
        err.print("[dim]no sites file: pass --sites FILE (or set NIANBAO_SITES_FILE) for sites[/]")
    table = Table(title="agencies stored")
    for name in ("agency", "sites", "stored", "missing"):
        table.add_column(name, overflow="fold")
    table.add_column(f"{year} report", no_wrap=True)
    for entry in report["agencies"]:
        table.add_row(
            escape(entry["agency"] or "(agency unknown)"),
            escape(", ".join(entry["sites"])),
            year_ranges(entry["stored"]),
            year_ranges(entry["missing"]),
            _status(entry),
        )
    console.print(table)
    flagged = sum(e["flagged"] for e in report["sites"] + report["agencies"])
    if flagged:
        console.print(
            f"[bold red]{flagged} overdue[/]: the {year} report is missing after its due date"
        )


@app.command()
def coverage(
    year: Annotated[
        int | None, typer.Option(help="Report year to check (default: last year).", min=2008)
    ] = None,
    sites_file: SitesOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Check as of this date (default: today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Report years stored and missing per site and agency; overdue reports flagged.

    Due dates: report years to 2018 by 31 March of the next year; from 2019 by 31 January
    (a government's own report by 31 March).
    """
    from nianbao import runtime
    from nianbao.cli.crawl import load
    from nianbao.settings import get_settings
    from nianbao.storage.gauges import site_novelty
    from producers.state import open_state

    try:
        today = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise fail(f"--as-of {as_of!r} is not a date", "give a date such as 2027-02-01") from None
    settings = get_settings()
    path: Path | None = sites_file or settings.sites_file
    sites = load(path).sites if path else []
    engine = runtime.repository().engine
    with open_state(settings, read_only=True) as state:
        crawl = state.counters()
    report = coverage_report(sites, _stored_years(engine), crawl, site_novelty(engine), today, year)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    _print_coverage(report)
