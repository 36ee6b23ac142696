"""Who holds each unacknowledged message, so a dead worker's messages come back in a minute.

kombu's Redis transport keeps a delivered message in the ``unacked`` hash until it is
acknowledged, and gives it back to its queue only once it is older than the visibility timeout
(30 min by default): a worker killed with -9 leaves its reserved and countdown messages waiting
that long. Here every worker main process notes the delivery tags it receives (``task_received``)
under a token that it keeps alive with a short-lived heartbeat key. ``restore_orphans`` gives
back, through kombu's own restore, the messages whose holder's heartbeat has expired.

A worker that is alive but could not beat in time only gets a message run twice; every stage
is idempotent, so that costs work, not correctness.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import uuid
from typing import Any

import redis

from nianbao.settings import get_settings

log = logging.getLogger(__name__)

HOLDERS_KEY = "nianbao:holders"  # delivery tag -> holder token
DEAD_SEEN_KEY = "nianbao:holders:dead"  # holder token -> when its heartbeat was first missed
ALIVE_PREFIX = "nianbao:alive:"  # holder token -> heartbeat (expires)
UNACKED_KEY = "unacked"
UNACKED_INDEX_KEY = "unacked_index"  # kombu: delivery tag -> time it was delivered
BEATS_TO_DEAD = 6  # a holder silent for this many heartbeats is dead
UNNOTED_AFTER = 60.0  # a delivered message no holder noted this long ago is orphaned
_FORGET_BATCH = 1000  # notes of acknowledged messages forgotten per pipeline


def new_token() -> str:
    """A token for this worker process's life: host, pid and a nonce (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def beat_every() -> float:
    """Seconds between two heartbeats (NIANBAO_HOLDER_HEARTBEAT)."""
    return get_settings().holder_heartbeat


def beat_ttl() -> int:
    """Seconds a heartbeat lasts: a holder silent this long is dead."""
    return math.ceil(BEATS_TO_DEAD * beat_every())


def beat(client: redis.Redis, token: str) -> None:
    """Say this holder is alive for the next `beat_ttl` seconds."""
    client.set(f"{ALIVE_PREFIX}{token}", "1", ex=beat_ttl())


def hold(client: redis.Redis, token: str, delivery_tag: str) -> None:
    """This holder has received the message with this delivery tag."""
    client.hset(HOLDERS_KEY, delivery_tag, token)


_FORGET_IF = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
"""


def server_time(client: redis.Redis) -> float:
    """Redis's clock, the one every host shares (kombu stamps deliveries with its own host's)."""
    seconds, micros = client.time()
    return seconds + micros / 1e6


def restore_orphans(client: redis.Redis, connection: Any) -> int:
    """Requeue messages whose holder is dead; forget holders of acknowledged messages.

    A holder counts as dead when its heartbeat is gone on two looks at least a heartbeat apart
    (one missed beat is not enough). A message in ``unacked`` that no holder noted for
    UNNOTED_AFTER seconds (its worker died between taking it and noting it) is orphaned too.
    A note is deleted only if it still names the holder seen, before the message is requeued,
    so a worker that takes the message again right away keeps its own note.
    """
    forget = client.register_script(_FORGET_IF)
    now = server_time(client)
    holders = {k.decode(): v.decode() for k, v in client.hgetall(HOLDERS_KEY).items()}
    unnoted = [
        tag
        for tag in (
            t.decode() for t in client.zrangebyscore(UNACKED_INDEX_KEY, 0, now - UNNOTED_AFTER)
        )
        if tag not in holders
    ]
    if not holders and not unnoted:
        client.delete(DEAD_SEEN_KEY)
        return 0
    unacked = {k.decode() for k in client.hkeys(UNACKED_KEY)}
    acked = [(tag, token) for tag, token in holders.items() if tag not in unacked]
    for start in range(0, len(acked), _FORGET_BATCH):  # one round trip per batch, not per note
        pipe = client.pipeline(transaction=False)
        for tag, token in acked[start : start + _FORGET_BATCH]:
            # acknowledged: forget the note (unless someone noted it anew)
            forget(keys=[HOLDERS_KEY], args=[tag, token], client=pipe)
        pipe.execute()
    tokens = sorted({holders[tag] for tag in holders if tag in unacked})
    alive = dict(zip(tokens, client.mget([f"{ALIVE_PREFIX}{t}" for t in tokens]), strict=True))
    seen = {k.decode(): float(v) for k, v in client.hgetall(DEAD_SEEN_KEY).items()}
    silent = {token for token in tokens if not alive[token]}
    every = beat_every()
    dead = {token for token in silent if token in seen and now - seen[token] >= every}
    pipe = client.pipeline()
    for token in silent - set(seen):
        pipe.hset(DEAD_SEEN_KEY, token, now)
    for token in set(seen) - silent:
        pipe.hdel(DEAD_SEEN_KEY, token)
    pipe.execute()
    orphans = [
        (tag, token) for tag, token in holders.items() if tag in unacked and token in dead
    ] + [(tag, None) for tag in unnoted if tag in unacked]
    if not orphans:
        return 0
    qos = connection.default_channel.qos
    for tag, token in orphans:
        if token is not None:
            forget(keys=[HOLDERS_KEY], args=[tag, token])
        qos.restore_by_tag(tag)  # kombu's own restore: back to its queue, out of unacked
    log.warning("requeued %d message(s) held by workers that died", len(orphans))
    return len(orphans)
