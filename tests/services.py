"""The throwaway servers now live in devtools/services.py (the soak uses them too); re-exported."""

from devtools.services import *  # noqa: F403
from devtools.services import PostgresCluster, RedisServer, S3Server, free_port, wait_until

__all__ = ["PostgresCluster", "RedisServer", "S3Server", "free_port", "wait_until"]
