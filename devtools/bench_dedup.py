"""`nianbao bench --dedup`: decisions on the calibration set, and the index at scale.

Scale uses synthetic signatures (random MinHash values, so no two collide by accident) in a real
database through the repository's own candidate lookup: the cost per lookup should stay nearly
flat from 10k to 1M stored reports, because a lookup is BANDS index probes plus one read per
candidate, whatever the size of the index.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from nianbao.core import similarity
from nianbao.core.dedup import Identity
from nianbao.storage.migrate import upgrade
from nianbao.storage.repository import Repository, make_engine
from nianbao.storage.tables import BandRow, ReportRow, VersionRow


def calibration(on_pair: Callable[[str], None] | None = None) -> list[tuple[str, str, str, float]]:
    """(pair, expected, decided, similarity) for every calibration pair, on a fresh database."""
    from devtools.calibrate import pairs, to_message

    results = []
    for pair in pairs():
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{tmp}/calibration.sqlite3")
            upgrade(engine)
            repo = Repository(engine)
            first = to_message(pair.first, "https://a.gov.cn/1.html")
            second = to_message(pair.second, "https://b.gov.cn/2.html")
            repo.save_report(first)
            decided = repo.save_report(second).decision
            sim = similarity.estimate(first.signature, second.signature)
            engine.dispose()
        results.append((pair.name, pair.expected, decided, sim))
        if on_pair:
            on_pair(pair.name)
    return results


def precision_recall(results: list[tuple[str, str, str, float]]) -> tuple[float, float]:
    """Of 'same report' decisions (exact, near, version): precision and recall."""
    same = {"exact_duplicate", "near_duplicate", "new_version"}
    tp = sum(e in same and d == e for _, e, d, _ in results)
    predicted = sum(d in same for _, _, d, _ in results)
    actual = sum(e in same for _, e, _, _ in results)
    return (tp / predicted if predicted else 1.0, tp / actual if actual else 1.0)


def _fill(repo: Repository, start: int, stop: int, rng: random.Random) -> list[list[int]]:
    """Insert synthetic reports start..stop-1; returns a sample of their signatures."""
    now = datetime.now(UTC)
    sample: list[list[int]] = []
    batch = 20_000
    with repo.engine.begin() as conn:
        for low in range(start, stop, batch):
            high = min(stop, low + batch)
            sigs = [[rng.getrandbits(32) for _ in range(similarity.NUM_PERM)]
                    for _ in range(low, high)]  # fmt: skip
            sample.extend(sigs[:5])
            conn.execute(insert(ReportRow), [
                {"id": i + 1, "fingerprint": f"{i:064x}", "schema_version": 1, "title": None,
                 "agency_name": f"机关{i}", "agency_key": f"机关{i}", "year": 2000 + i % 25,
                 "format": None, "published_on": None, "text_length": 0, "record": {},
                 "current_version": 1, "created_at": now, "updated_at": now}
                for i in range(low, high)])  # fmt: skip
            conn.execute(insert(VersionRow), [
                {"id": i + 1, "report_id": i + 1, "version": 1, "fingerprint": f"{i:064x}",
                 "signature": similarity.pack(sig), "figures": "", "agency_key": f"机关{i}",
                 "regions": [None] * 4, "year": 2000 + i % 25, "record": {}, "text_length": 0,
                 "decision": "new", "similarity": None, "created_at": now}
                for i, sig in zip(range(low, high), sigs, strict=True)])  # fmt: skip
            conn.execute(insert(BandRow), [
                {"band": band, "key": key, "version_id": i + 1}
                for i, sig in zip(range(low, high), sigs, strict=True)
                for band, key in enumerate(similarity.band_keys(sig))])  # fmt: skip
    return sample


def scale(
    sizes: list[int], lookups: int = 200, url: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> list[dict[str, float]]:  # fmt: skip
    """Insert up to each size, then time lookups of near copies of stored signatures."""
    rng = random.Random(7)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "scale.sqlite3"
        engine = make_engine(url or f"sqlite:///{db_path}")
        upgrade(engine)
        repo = Repository(engine)
        stored, sample = 0, []
        for size in sizes:
            if on_step:
                on_step(f"inserting up to {size:,}")
            start = time.perf_counter()
            sample += _fill(repo, stored, size, rng)
            insert_ms = (time.perf_counter() - start) * 1000 / (size - stored)
            stored = size
            timings, found = [], 0
            for _ in range(lookups):
                target = list(rng.choice(sample))
                for position in rng.sample(range(similarity.NUM_PERM), 12):  # a near copy
                    target[position] = rng.getrandbits(32)
                who = Identity(None, (None,) * 4, None, "")
                begin = time.perf_counter()
                with repo.session() as session:
                    candidates = repo._candidates(session, who, target)
                timings.append((time.perf_counter() - begin) * 1000)
                found += any(similarity.estimate(target, c.signature) > 0.8 for c in candidates)
            timings.sort()
            size_bytes = os.path.getsize(db_path) if url is None else float("nan")
            rows.append({
                "stored": size, "insert_ms": insert_ms,
                "lookup_ms": statistics.median(timings),
                "lookup_p95_ms": timings[int(len(timings) * 0.95) - 1],
                "found": found / lookups, "bytes_per_report": size_bytes / size,
            })  # fmt: skip
        engine.dispose()
    return rows
