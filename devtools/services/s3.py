"""S3Server: moto in server mode on a loopback port (a thread of this process)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from devtools.services.helpers import LOOPBACK, free_port
from devtools.services.lifecycle import _START_ATTEMPTS, _live, _Service


def _moto_server_class() -> type:
    """ThreadedMotoServer that reports bind errors instead of hanging start() forever."""
    from moto.server import ThreadedMotoServer

    class _Server(ThreadedMotoServer):  # type: ignore[misc]
        error: BaseException | None = None

        def _server_entry(self) -> None:
            try:
                super()._server_entry()
            except BaseException as exc:  # e.g. port in use: unblock start()
                self.error = exc
                self._server_ready_event.set()

    return _Server


class S3Server(_Service):
    """moto in server mode on a loopback port (a thread in this process, state is global)."""

    def __init__(self, port: int | None = None, region: str = "us-east-1") -> None:
        """Prepare (not start) a server; ``port`` defaults to a free one chosen at start."""
        self._port = port
        self.region = region
        self._server: Any = None

    @property
    def port(self) -> int:
        """The TCP port (chosen on first start)."""
        if self._port is None:
            raise RuntimeError("S3Server has no port before start()")
        return self._port

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    def is_running(self) -> bool:
        """True while the server thread serves requests."""
        return self._server is not None

    def start(self) -> None:
        """Start serving (no-op if running)."""
        if self._server is not None:
            return
        fixed = self._port is not None
        attempts = 1 if fixed else _START_ATTEMPTS
        for attempt in range(attempts):
            if self._port is None or (attempt and not fixed):
                self._port = free_port()
            server = _moto_server_class()(ip_address=LOOPBACK, port=self.port, verbose=False)
            server.start()
            if server.error is None:
                self._server = server
                _live.add(self)
                return
            if attempt + 1 >= attempts:
                raise RuntimeError(f"moto server could not start on port {self.port}") from (
                    server.error
                )

    def stop(self) -> None:
        """Stop serving and free the port (S3 state lives on in-process until reset())."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        # ThreadedMotoServer.stop() only ends serve_forever(); close the listening socket
        # so the same port can be bound again by restart().
        if server._server is not None:
            server._server.server_close()

    def restart(self) -> None:
        """Stop and start on the same port."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop serving."""
        _live.discard(self)
        self.stop()

    def client(self, service: str = "s3", **kwargs: Any) -> Any:
        """A boto3 client pointed at this server with dummy credentials."""
        import boto3
        from botocore.config import Config

        kwargs.setdefault("config", Config(s3={"addressing_style": "path"}))
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name=self.region,
            **kwargs,
        )

    def create_bucket(self, name: str) -> None:
        """Create an S3 bucket."""
        params: dict[str, Any] = {"Bucket": name}
        if self.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self.client().create_bucket(**params)

    def reset(self) -> None:
        """Wipe all moto state (every service, every account) via ``/moto-api/reset``."""
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/reset", data=json.dumps({}).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
