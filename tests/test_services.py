"""Self-test for tests/services.py: the throwaway servers really start, stop and restart."""

from __future__ import annotations

import psycopg
import pytest
import redis

try:  # `python -m pytest` from the repo root, or tests/ as a package
    from tests.services import PostgresCluster, RedisServer, S3Server, free_port, wait_until
except ModuleNotFoundError:  # plain `pytest`: rootdir-less prepend mode puts tests/ on sys.path
    from services import PostgresCluster, RedisServer, S3Server, free_port, wait_until

pytestmark = pytest.mark.services


def test_free_port_and_wait_until() -> None:
    """free_port gives a usable port; wait_until returns the value or raises with the message."""
    assert 1024 <= free_port() <= 65535
    assert wait_until(lambda: 42, timeout=1) == 42
    with pytest.raises(AssertionError, match="never"):
        wait_until(lambda: False, timeout=0.2, interval=0.05, message="never")


def test_redis_stop_and_restart() -> None:
    """Set/get works, a stopped server refuses connections, restart keeps the port."""
    with RedisServer() as server:
        port = server.port
        client = redis.Redis.from_url(server.url, socket_timeout=2)
        assert client.set("k", "v")
        assert client.get("k") == b"v"

        server.stop()
        assert not server.is_running()
        with pytest.raises(redis.exceptions.ConnectionError):
            client.ping()

        server.restart()
        assert server.port == port
        assert client.get("k") is None  # no persistence
        assert client.set("k", "w")
        assert client.get("k") == b"w"
        server.flushall()
        assert client.dbsize() == 0
        client.close()


def test_postgres_data_survives_restart() -> None:
    """A row committed before a stop is still there after starting again."""
    with PostgresCluster() as cluster:
        cluster.create_database("svc_test")
        assert cluster.url("svc_test").startswith("postgresql+psycopg://postgres@127.0.0.1:")
        with psycopg.connect(cluster.dsn("svc_test")) as conn:
            conn.execute("CREATE TABLE t (id int PRIMARY KEY, name text)")
            conn.execute("INSERT INTO t VALUES (1, '年报')")

        cluster.stop()
        assert not cluster.is_running()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(cluster.dsn("svc_test"), connect_timeout=2)

        cluster.start()
        assert cluster.is_running()
        with psycopg.connect(cluster.dsn("svc_test")) as conn:
            assert conn.execute("SELECT name FROM t WHERE id = 1").fetchone() == ("年报",)

        cluster.kill()  # immediate stop: crash recovery on the next start
        cluster.start()
        with psycopg.connect(cluster.dsn("svc_test")) as conn:
            assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
        cluster.drop_database("svc_test")
        data_dir = cluster.data_dir
    assert not data_dir.exists()


def test_s3_put_get_restart_reset() -> None:
    """Objects round-trip over HTTP; restart keeps the port; reset wipes buckets."""
    with S3Server() as s3:
        s3.create_bucket("nianbao-test")
        client = s3.client()
        client.put_object(Bucket="nianbao-test", Key="a/b.txt", Body="你好".encode())
        body = client.get_object(Bucket="nianbao-test", Key="a/b.txt")["Body"].read()
        assert body.decode() == "你好"

        port = s3.port
        s3.restart()
        assert s3.port == port
        # moto's state is per process, shared with other servers: look for ours only
        names = {b["Name"] for b in s3.client().list_buckets()["Buckets"]}
        assert "nianbao-test" in names

        s3.reset()
        assert "nianbao-test" not in {b["Name"] for b in s3.client().list_buckets()["Buckets"]}
