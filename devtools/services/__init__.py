"""Real throwaway servers on loopback for integration tests and the soak (no mocks, no Docker).

* :class:`RedisServer` runs Debian's ``redis-server`` (optionally with an append-only file).
* :class:`PostgresCluster` runs a private PostgreSQL 15 cluster (``initdb`` + ``pg_ctl``); as root
  every PostgreSQL command runs as the ``postgres`` system user via ``runuser``.
* :class:`S3Server` runs moto in server mode (HTTP on loopback, in a thread of this process).

Every server is stopped at interpreter exit if a test forgot to, so no orphans stay behind
after a normal pytest run.
"""

from devtools.services.helpers import free_port, wait_until
from devtools.services.postgres import PostgresCluster
from devtools.services.redis_server import RedisServer
from devtools.services.s3 import S3Server

__all__ = [
    "PostgresCluster",
    "RedisServer",
    "S3Server",
    "free_port",
    "wait_until",
]
