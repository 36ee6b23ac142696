"""Crawling commands: `sites check`, `crawl`, `monitor`, `metrics`, and the crawl part of status."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from nianbao import redact
from nianbao.cli.apps import app
from nianbao.terminal import console, err, fail

if TYPE_CHECKING:
    from producers.crawler import PassResult
    from producers.sites import Site, SitesFile

sites_app = typer.Typer(help="Sites files: the government sites to monitor.", no_args_is_help=True)

SitesOption = Annotated[
    Path | None,
    typer.Option(
        "--sites",
        help="Sites file (TOML or YAML). Default: NIANBAO_SITES_FILE.",
        show_default=False,
    ),
]
OUTCOMES = ("fetched", "not_modified", "unchanged", "new", "changed", "errors", "quarantined")
STATUS = (*OUTCOMES, "empty_listings")


def load(path: Path | None) -> SitesFile:
    """The sites file at `path` (or NIANBAO_SITES_FILE), or a clear error and exit 1."""
    from nianbao.settings import get_settings
    from producers.sites import SitesFileError, load_sites

    path = path or get_settings().sites_file
    if path is None:
        raise fail(
            "no sites file given",
            "pass --sites FILE or set NIANBAO_SITES_FILE (example: deploy/sites.example.toml)",
        )
    try:
        return load_sites(path)
    except SitesFileError as exc:
        hint = (
            "fix what these lines point at in the file"
            if path.exists()
            else "check the path; deploy/sites.example.toml is a file to start from"
        )
        raise fail(str(exc), hint) from exc  # each line names the file and the problem


@sites_app.command("check")
def sites_check(
    path: Annotated[Path, typer.Argument(help="Sites file to validate.")],
    only: Annotated[
        list[str] | None, typer.Argument(help="With --probe: only these site ids.")
    ] = None,
    probe: Annotated[
        bool,
        typer.Option(
            "--probe", help="Fetch each start URL once (politely) and show what the rules find."
        ),
    ] = False,
) -> None:
    """Validate a sites file and show what each site entry resolves to."""
    sites = load(path).sites
    table = Table("id", "agency", "region", "start URLs", "allowed domains", "re-check", "delay")
    for site in sites:
        table.add_row(
            site.id,
            site.agency or "",
            site.region or "",
            "\n".join(site.start_urls),
            ", ".join(site.allowed_domains),
            _recheck(site),
            f"{site.politeness.delay:g}s ×{site.politeness.concurrency}",
        )
    console.print(table)
    console.print(f"[green]{path}: {len(sites)} site(s), all valid[/]")
    if probe:
        _probe([site for site in sites if not only or site.id in only], only or [])
    elif only:
        raise fail("site ids are for --probe", f"nianbao sites check {path} --probe {only[0]}")


def _recheck(site: Site) -> str:
    if site.recheck is None:
        return _interval(site.recheck_interval.total_seconds())
    if site.recheck.cron:
        return f"cron {site.recheck.cron}"
    seasons = ", ".join(
        f"{s.start}..{s.end} {_interval(s.every.total_seconds())}" for s in site.recheck.seasons
    )
    otherwise = site.recheck.otherwise or site.recheck_interval
    return f"{seasons}; else {_interval(otherwise.total_seconds())}"


def _probe(sites: list[Site], asked: list[str]) -> None:
    """Fetch each start URL once and print what the link rules find there."""
    from nianbao.settings import get_settings
    from producers.crawler import CrawlDefaults
    from producers.crawler.probe import Prober
    from producers.fetch import Fetcher
    from producers.politeness import LocalHostGate
    from producers.state import MemoryCrawlState

    missing = sorted(set(asked) - {site.id for site in sites})
    if missing:
        raise fail(f"no site {', '.join(map(repr, missing))} in the sites file")
    settings = get_settings()
    defaults = CrawlDefaults(
        user_agent=settings.crawl_user_agent, max_body_bytes=settings.max_body_bytes
    )
    table = Table("site", "start URL", "reports by year", "pages", "attachments", title="probe")
    notes: list[str] = []
    with Fetcher(LocalHostGate()) as fetcher:
        prober = Prober(MemoryCrawlState(), fetcher, _nowhere, _nowhere, defaults)
        for site in sites:
            with err.status(f"probing {site.id}…"):
                findings = prober.probe(site)
            for found in findings:
                years = " ".join(f"{y}:{n}" for y, n in sorted(found.reports.items(), reverse=True))
                table.add_row(
                    site.id,
                    found.url,
                    years or "[red]none[/]",
                    str(len(found.pages)),
                    str(found.attachments),
                )
                if found.problem:
                    notes.append(f"[red]{site.id}[/] {found.url}: {found.problem}")
                if found.suggestion:
                    notes.append(
                        f"[yellow]{site.id}[/] {found.url}: no title matches links.include; "
                        f'titles here suggest links = {{ include = ["{found.suggestion}"] }}'
                    )
    console.print(table)
    for note in notes:
        console.print(note)


def _nowhere(*_args: object, **_kwargs: object) -> None:
    """A probe publishes and quarantines nothing."""
    raise RuntimeError("a probe publishes nothing")


def _interval(seconds: float) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _adhoc(url: str) -> Site:
    """A site entry with the defaults for a bare listing URL, or a one-line error."""
    from pydantic import ValidationError

    from producers.sites import Site

    hint = "give a listing page's URL, like https://www.example.gov.cn/xxgk/, or a site id"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise fail(f"{url!r} is not a URL: {exc}", hint) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise fail(f"{url!r} is not an http(s) URL", hint)
    if not host:
        raise fail(f"{url!r} has no host", hint)
    try:
        return Site(id=host.lower()[:64], start_urls=[url])
    except ValidationError as exc:
        reasons = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise fail(f"{url!r} cannot be crawled: {reasons}", hint) from None


def _select(targets: list[str], sites_file: Path | None) -> list[Site]:
    if all("://" in target for target in targets):  # URLs only: no sites file needed
        return [_adhoc(target) for target in targets]
    sites = {site.id: site for site in load(sites_file).sites}
    unknown = [target for target in targets if "://" not in target and target not in sites]
    if unknown:
        raise fail(
            f"no site {', '.join(map(repr, unknown))} in the sites file",
            f"known ids: {', '.join(sites) or '(none)'}; `nianbao sites check FILE` lists them",
        )
    return [_adhoc(target) if "://" in target else sites[target] for target in targets]


def crawl(
    targets: Annotated[
        list[str], typer.Argument(help="Site ids of the sites file, or listing-page URLs.")
    ],
    sites_file: SitesOption = None,
    once: Annotated[
        bool, typer.Option("--once/--watch", help="One pass, or keep re-checking when due.")
    ] = True,
) -> None:
    """Crawl sites now, in this process: new and changed pages go onto the pages queue."""
    import workers.publishing  # noqa: F401  (wires publishing to the worker system)
    from nianbao import runtime
    from producers import schedule

    sites = _select(targets, sites_file)
    crawler = runtime.crawler()

    failed: list[str] = []

    def run(site: Site) -> None:
        with err.status(f"crawling {site.id}…"):
            result = crawler.crawl(site)
        _print_pass(result)
        if result.abandoned or result.counts["listing_errors"]:  # no success (see status)
            failed.append(site.id)

    if once:
        for site in sites:
            run(site)
        if failed:
            raise fail(
                f"the crawl pass of {', '.join(failed)} failed: a listing page or robots.txt "
                "could not be read",
                "see the errors above; `nianbao status` keeps each site's last error",
            )
    else:
        console.print("watching; Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            schedule.run(sites, runtime.crawl_state(), run, tick=30.0)


def _print_pass(result: PassResult) -> None:
    if result.busy:
        err.print(f"[yellow]{result.site_id}: another crawler is on this site; skipped[/]")
        return
    table = Table("site", *OUTCOMES, title="crawl pass" + (" (resumed)" if result.resumed else ""))
    table.add_row(result.site_id, *(str(result.counts[name]) for name in OUTCOMES))
    console.print(table)
    if result.abandoned:
        err.print(f"[yellow]{result.site_id}: robots.txt unreachable; pass stopped, try later[/]")
    elif not result.finished:
        wait = f" for {result.retry_after:.0f}s or more" if result.retry_after else ""
        err.print(f"[yellow]{result.site_id}: pass paused{wait}; the same command resumes it[/]")
    for error in result.errors[:20]:
        err.print(f"[yellow]error:[/] {escape(redact.text(error))}", soft_wrap=True)
    if len(result.errors) > 20:
        err.print(f"[yellow]… and {len(result.errors) - 20} more[/]")


def monitor(
    sites_file: SitesOption = None,
    once: Annotated[bool, typer.Option("--once", help="Send the due sites once and exit.")] = False,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics on this port.")
    ] = None,
) -> None:
    """Send each site to the crawl queue whenever its re-check interval has passed."""
    from nianbao import runtime
    from nianbao.settings import get_settings
    from producers import schedule
    from workers.crawl import crawl_request, crawl_site

    settings = get_settings()
    sites = load(sites_file).sites
    state = runtime.crawl_state()
    if metrics_port:
        from prometheus_client import start_http_server

        from producers.metrics import registry
        from workers.queue_metrics import queue_collector

        queues = queue_collector()  # None embedded: nothing waits in a queue there
        start_http_server(metrics_port, registry=registry(state, *([queues] if queues else [])))
        console.print(f"metrics on http://0.0.0.0:{metrics_port}/metrics")
    where = "in this process (embedded)" if settings.embedded else "to the crawl queue"
    console.print(f"monitoring {len(sites)} site(s); due sites are sent {where}")

    def send(site: Site) -> None:
        crawl_site.apply_async(args=[crawl_request(site)])

    def report(due: list[str]) -> None:
        if due:
            console.print(f"sent {len(due)} due site(s): {', '.join(due)}")
        elif once:
            upcoming = [(state.next_due(site.id) or 0, site.id) for site in sites]
            when, site_id = min(upcoming)
            minutes = max(0.0, when - time.time()) / 60
            console.print(f"nothing due; next: {site_id} in {minutes:.0f} min")

    try:
        schedule.run(sites, state, send, tick=settings.monitor_tick, once=once, on_tick=report)
    except KeyboardInterrupt:
        console.print("stopped")


def metrics() -> None:
    """Print the per-site crawl counters in Prometheus text format."""
    from nianbao.settings import get_settings
    from producers.metrics import exposition
    from producers.state import open_state

    with open_state(get_settings(), read_only=True) as state:  # beside a running crawler
        console.out(exposition(state), end="")


def crawl_status_table() -> Table | None:
    """Per-site crawl counters for `nianbao status`, or None when nothing was crawled."""
    from datetime import datetime

    from nianbao.settings import get_settings
    from producers.state import open_state

    with open_state(get_settings(), read_only=True) as state:  # beside a running crawler
        counters = state.counters()
    if not counters:
        return None
    table = Table("site", *STATUS, "last success", "last error", title="crawling")
    for site_id, values in sorted(counters.items()):
        success = values.get("last_success")
        when = datetime.fromtimestamp(float(success)).strftime("%Y-%m-%d %H:%M") if success else "—"
        error = redact.text(values.get("last_error") or "")
        error = error if len(error) <= 80 else error[:79] + "…"
        table.add_row(site_id, *(str(values.get(name, 0)) for name in STATUS), when, escape(error))
    return table


app.add_typer(sites_app, name="sites")
app.command()(crawl)
app.command()(monitor)
app.command()(metrics)
