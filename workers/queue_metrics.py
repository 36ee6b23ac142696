"""The queue collector: what waits in Redis, what workers hold, dead letters, quarantine, sites.

Read on every scrape (`nianbao exporter`, `nianbao monitor --metrics-port`), nothing cached:

* waiting per queue: LLEN of the queue's list and of its priority lists (kombu keeps priority N
  of queue q in the list ``q\\x06\\x16N``, N in 3, 6, 9; priority 0 is the list ``q`` itself);
* unacked per queue: kombu's ``unacked`` hash (delivery tag -> JSON [message, exchange, routing
  key]) counted by routing key: messages reserved by a worker, running, or waiting for a retry
  countdown (an ETA), none of which are in the lists any more;
* backlog = waiting + unacked: the number KEDA scales each stage on;
* oldest waiting age: the message BRPOP takes next (the tail of each list) carries the time it
  was sent in the ``nianbao_sent`` header, stamped by `workers.app.stamp_sent` on publish (in
  every process that imports the app); a message from a publisher without the stamp falls back
  to its page's ledger entry, else gives no age;
* dead letters (pending, per task) and quarantine (per reason and stage) from the database, and
  per site the last new report and the newest report year; the crawl counters come from
  `producers.metrics.CrawlCollector`.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from workers.app import SENT_HEADER
from workers.ledger import LEDGER_KEY, PRIORITY_SEP, PRIORITY_STEPS, UNACKED_KEY, page_id, page_of

log = logging.getLogger(__name__)

FAMILIES = (
    "nianbao_queue_waiting",
    "nianbao_queue_unacked",
    "nianbao_queue_backlog",
    "nianbao_queue_oldest_age_seconds",
    "nianbao_ledger_open_pages",
    "nianbao_dead_letters_pending",
    "nianbao_quarantine_pages",
    "nianbao_site_last_new_report_timestamp_seconds",
    "nianbao_site_latest_report_year",
    "nianbao_exporter_source_up",
)


def queue_keys(queue: str) -> list[str]:
    """The Redis lists kombu keeps one queue in, one per priority step."""
    return [queue, *(f"{queue}{PRIORITY_SEP}{step}" for step in PRIORITY_STEPS)]


def sent_at(raw: bytes | str | None, client: Any = None) -> float | None:
    """When a message (as kombu stores it) was sent: its stamp, else its page's ledger entry."""
    if not raw:
        return None
    try:
        message = json.loads(raw)
        stamp = (message.get("headers") or {}).get(SENT_HEADER)
        if stamp is not None:
            return float(stamp)
    except (ValueError, TypeError, AttributeError):
        return None
    if client is None:
        return None
    from workers.ledger import _task_args

    page = page_of(_task_args(raw))
    entry = client.hget(LEDGER_KEY, page_id(page)) if page is not None else None
    try:
        return float(json.loads(entry)["sent"]) if entry else None
    except (ValueError, KeyError, TypeError):
        return None


def unacked_by_queue(client: Any) -> Counter[str]:
    """Messages in kombu's unacked hash, by the routing key they were delivered with."""
    counts: Counter[str] = Counter()
    for _, value in client.hscan_iter(UNACKED_KEY, count=500):
        try:
            _message, _exchange, routing_key = json.loads(value)
        except (ValueError, TypeError):
            counts["unknown"] += 1
            continue
        counts[str(routing_key)] += 1
    return counts


def read_queues(client: Any, queues: tuple[str, ...]) -> dict[str, dict[str, float | None]]:
    """Per queue: waiting, unacked, backlog and the oldest waiting message's age (or None)."""
    pipe = client.pipeline(transaction=False)
    for queue in queues:
        for key in queue_keys(queue):
            pipe.llen(key)
            pipe.lindex(key, -1)  # kombu LPUSHes and BRPOPs: the tail is taken next
    replies = pipe.execute()
    unacked = unacked_by_queue(client)
    now = time.time()
    result: dict[str, dict[str, float | None]] = {}
    per_queue = 2 * (1 + len(PRIORITY_STEPS))
    for index, queue in enumerate(queues):
        chunk = replies[index * per_queue : (index + 1) * per_queue]
        waiting = sum(int(n) for n in chunk[0::2])
        sent = [s for s in (sent_at(raw, client) for raw in chunk[1::2]) if s is not None]
        age: float | None = 0.0 if waiting == 0 else None
        if sent:
            age = max(0.0, now - min(sent))
        result[queue] = {
            "waiting": waiting,
            "unacked": unacked.get(queue, 0),
            "backlog": waiting + unacked.get(queue, 0),
            "oldest_age": age,
        }
    return result


class QueueCollector(Collector):
    """nianbao_queue_*, dead letters, quarantine and per-site novelty, read at each scrape."""

    def __init__(self, client: Any, queues: tuple[str, ...], engine: Any = None) -> None:
        self.client = client
        self.queues = queues
        self.engine = engine  # a SQLAlchemy engine, or a callable returning one

    def describe(self) -> Iterator[Metric]:
        """Every family this collector serves, without samples (names for deploy checks)."""
        for name in FAMILIES:
            yield GaugeMetricFamily(name, name)

    def collect(self) -> Iterator[Metric]:
        """Every family; a source that cannot be read is reported down, the rest still served."""
        up = GaugeMetricFamily(
            "nianbao_exporter_source_up",
            "1 if the exporter could read this source at this scrape (redis, database).",
            labels=["source"],
        )
        try:
            yield from self._queues()
            up.add_metric(["redis"], 1)
        except Exception as exc:  # Redis down: say so, and let the database part answer
            log.warning("queue metrics: Redis unreadable (%s)", type(exc).__name__)
            up.add_metric(["redis"], 0)
        if self.engine is not None:
            try:
                yield from self._database()
                up.add_metric(["database"], 1)
            except Exception as exc:
                log.warning("queue metrics: database unreadable (%s)", type(exc).__name__)
                up.add_metric(["database"], 0)
        yield up

    def _queues(self) -> Iterator[Metric]:
        stats = read_queues(self.client, self.queues)
        docs = {
            "waiting": "Messages waiting in the queue's Redis lists (every priority).",
            "unacked": "Messages taken by workers and not acknowledged yet "
            "(reserved, running, or waiting for a retry countdown).",
            "backlog": "waiting + unacked: work the stage has not finished (KEDA scales on it).",
        }
        for name, doc in docs.items():
            family = GaugeMetricFamily(f"nianbao_queue_{name}", doc, labels=["queue"])
            for queue, values in stats.items():
                family.add_metric([queue], float(values[name] or 0))
            yield family
        age = GaugeMetricFamily(
            "nianbao_queue_oldest_age_seconds",
            "Age of the message the queue hands out next (0 when empty; absent if unstamped).",
            labels=["queue"],
        )
        for queue, values in stats.items():
            if values["oldest_age"] is not None:
                age.add_metric([queue], float(values["oldest_age"]))
        yield age
        ledger = GaugeMetricFamily(
            "nianbao_ledger_open_pages", "Pages sent into the pipeline without an outcome yet."
        )
        ledger.add_metric([], float(self.client.hlen(LEDGER_KEY)))
        yield ledger

    def _database(self) -> Iterator[Metric]:
        from nianbao.storage import gauges

        engine = self.engine() if callable(self.engine) else self.engine
        dead = GaugeMetricFamily(
            "nianbao_dead_letters_pending",
            "Dead letters not replayed yet (tasks that ran out of retries), by task.",
            labels=["task"],
        )
        for task, count in sorted(gauges.pending_dead_letters(engine).items()):
            dead.add_metric([task], float(count))
        yield dead
        quarantined = GaugeMetricFamily(
            "nianbao_quarantine_pages",
            "Pages in quarantine, by reason and stage.",
            labels=["reason", "stage"],
        )
        for (reason, stage), count in sorted(gauges.quarantine_counts(engine).items()):
            quarantined.add_metric([reason, stage], float(count))
        yield quarantined
        novelty = gauges.site_novelty(engine)
        last_new = GaugeMetricFamily(
            "nianbao_site_last_new_report_timestamp_seconds",
            "Unix time a page of the site last brought a new report or version.",
            labels=["site"],
        )
        latest = GaugeMetricFamily(
            "nianbao_site_latest_report_year",
            "The newest report year stored from the site's pages.",
            labels=["site"],
        )
        for site, values in novelty.items():
            if values.last_new is not None:
                last_new.add_metric([site], values.last_new)
            if values.latest_year is not None:
                latest.add_metric([site], float(values.latest_year))
        yield last_new
        yield latest


def queue_collector() -> QueueCollector | None:
    """The collector on the configured broker and database; None in embedded mode."""
    from nianbao import runtime
    from workers.app import QUEUES
    from workers.reliability import redis_client

    client = redis_client()
    if client is None:
        return None
    return QueueCollector(client, QUEUES, engine=lambda: runtime.repository().engine)


def exporter_registry(crawl_state: Any = None) -> CollectorRegistry:
    """The queue collector, plus the crawl counters when a crawl state is given."""
    from producers.metrics import CrawlCollector

    reg = CollectorRegistry(auto_describe=False)
    collector = queue_collector()
    if collector is not None:
        reg.register(collector)
    if crawl_state is not None:
        reg.register(CrawlCollector(crawl_state))
    return reg
