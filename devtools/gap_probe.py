"""Probe kombu's Redis transport for messages lost when a worker is killed mid-delivery.

kombu takes a message off its list with BRPOP and records it as unacknowledged (HSET unacked)
in a second round trip. This probe floods a worker with tiny tasks that note their own id,
kills the whole worker with -9 again and again while it consumes, restarts it, waits until
nothing is left waiting or held, and then, for every task that never ran, reads Redis's
append-only file: a message in the gap shows its LPUSH and never an HSET into ``unacked``.

No page ledger is involved (these are not pages), so what it finds is the transport's own gap.

    python -m devtools.gap_probe --tasks 3000 --kills 25 --run-dir /tmp/gap
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from devtools.services import RedisServer, wait_until
from devtools.soak.accounting import grep_aof
from workers.app import app, worker_command
from workers.reliability import ReliableTask, redis_client

DONE_KEY = "nianbao:probe:done"


@app.task(name="nianbao.pages.gap_probe", base=ReliableTask, bind=True)
def note_done(self: ReliableTask) -> None:
    """Note this task's id as run."""
    client = redis_client()
    if client is not None:
        client.sadd(DONE_KEY, self.request.id or "")


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    argv = worker_command("pages", 2, "-I", "devtools.gap_probe", "--loglevel", "INFO")
    return subprocess.Popen(
        argv,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.gap_probe", description=__doc__)
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--run-dir", type=Path, default=Path("gap-probe"))
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    redis_dir = args.run_dir / "redis"
    redis_dir.mkdir(exist_ok=True)
    log = args.run_dir / "worker.log"
    with RedisServer(appendonly=True, directory=redis_dir) as redis_server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
        env |= {
            "NIANBAO_BROKER_URL": redis_server.url,
            "NIANBAO_DATA_DIR": str(args.run_dir / "data"),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        os.environ["NIANBAO_BROKER_URL"] = redis_server.url
        from workers.app import reconfigure

        reconfigure()
        client = redis_server.client()
        ids = [f"probe-{uuid.uuid4().hex[:12]}" for _ in range(args.tasks)]
        for task_id in ids:
            note_done.apply_async(task_id=task_id)
        print(f"sent {len(ids)} tasks; killing the worker {args.kills} times while it consumes")
        worker = _start_worker(env, log)
        for n in range(args.kills):
            wait_until(lambda: b"ready." in log.read_bytes(), timeout=60)
            time.sleep(rng.uniform(0.3, 1.2))  # consuming at full speed by now
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            left = client.llen("pages")
            print(f"kill {n + 1}: {client.scard(DONE_KEY)} run, {left} waiting")
            log.write_bytes(log.read_bytes().replace(b"ready.", b"ready(gone)."))
            worker = _start_worker(env, log)
            if not left:
                break
        print("draining (messages held by killed workers come back through the holders)")
        try:
            wait_until(
                lambda: client.llen("pages") == 0 and client.hlen("unacked") == 0,
                timeout=300,
                interval=1.0,
            )
        except AssertionError:
            print(
                f"not drained: {client.llen('pages')} waiting, {client.hlen('unacked')} unacked, "
                f"{client.hlen('nianbao:holders')} noted holders"
            )
        time.sleep(2)
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        done = {d.decode() for d in client.smembers(DONE_KEY)}
        lost = [task_id for task_id in ids if task_id not in done]
        aof_files = sorted(p for p in redis_dir.rglob("*.aof*") if p.is_file())
        print(f"ran {len(done)} of {len(ids)}; never ran: {len(lost)}")
        for task_id in lost:
            trail = grep_aof(aof_files, task_id)
            logged = task_id in log.read_text(errors="replace")
            print(f"  {task_id}: AOF {trail}; in the worker log: {'yes' if logged else 'no'}")
        return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
