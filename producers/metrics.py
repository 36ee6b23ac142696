"""Per-site crawl counters as Prometheus metrics, read from the shared crawl state on scrape."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from producers.state import CrawlState

COUNTERS = {
    "fetched": "Responses with a body (HTTP 200).",
    "not_modified": "Conditional requests answered 304 Not Modified.",
    "unchanged": "Bodies fetched again whose content hash had not changed.",
    "new": "Pages published for the first time.",
    "changed": "Pages published again because their content changed.",
    "enqueued": "Pages put on the pages queue.",
    "errors": "Fetches that failed (timeouts, HTTP errors, refused bodies, blocked URLs).",
    "quarantined": "Unfetchable pages quarantined with their reason.",
    "blocked": "URLs refused by the address or domain guard.",
    "robots_disallowed": "URLs robots.txt disallowed.",
    "offsite": "Links not followed because they leave the site's allowed domains.",
    "empty_listings": "Start pages that listed no report link (wrong column or link rules?).",
    "listing_errors": "Listing pages that could not be fetched (the pass is not a success).",
    "skipped_refused": "Visits skipped because the URL was refused less than a week ago.",
    "waf_challenge": "Pages answered with a firewall's JavaScript challenge (render = browser?).",
    "tls_errors": "Fetches that failed in TLS (incomplete chain, unknown CA: see ca_bundle).",
}
TIMES = {
    "last_success": "Unix time the last complete pass over the site ended without listing errors.",
    "last_attempt": "Unix time the last pass over the site started.",
}


class CrawlCollector(Collector):
    """Collects nianbao_crawl_* metrics from the crawl state at each scrape."""

    def __init__(self, state: CrawlState) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        """One counter family per outcome and one gauge per timestamp, labelled by site."""
        sites = self.state.counters()
        for name, doc in COUNTERS.items():
            family = CounterMetricFamily(f"nianbao_crawl_{name}", doc, labels=["site"])
            for site_id, values in sorted(sites.items()):
                family.add_metric([site_id], float(values.get(name, 0) or 0))
            yield family
        for name, doc in TIMES.items():
            gauge = GaugeMetricFamily(
                f"nianbao_crawl_{name}_timestamp_seconds", doc, labels=["site"]
            )
            for site_id, values in sorted(sites.items()):
                if values.get(name):
                    gauge.add_metric([site_id], float(values[name]))
            yield gauge


def registry(state: CrawlState, *extra: Collector) -> CollectorRegistry:
    """The crawl collector and any extra ones (`nianbao monitor --metrics-port` adds the queues)."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(CrawlCollector(state))
    for collector in extra:
        reg.register(collector)
    return reg


def exposition(state: CrawlState) -> str:
    """The metrics in Prometheus text format (`nianbao metrics`)."""
    return generate_latest(registry(state)).decode()
