"""All configuration, in one place: environment variables with the prefix ``NIANBAO_``.

With nothing set, nianbao runs embedded: SQLite in ``./nianbao-data``, a local directory as the
object store and Celery tasks executed in-process. Set a broker, a database URL and an S3 bucket
to run distributed, with no code change.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting nianbao reads. Field docs are the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="NIANBAO_", extra="ignore")

    data_dir: Path = Field(
        Path("nianbao-data"),
        description="Working directory for the embedded defaults (SQLite file, local objects).",
    )
    broker_url: str | None = Field(
        None,
        description="Celery broker, e.g. redis://host:6379/0. Unset: tasks run in-process.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db. "
        "Unset: SQLite file in data_dir.",
    )
    object_store: Literal["local", "s3"] = Field(
        "local", description="Where raw pages and record archives go."
    )
    s3_bucket: str = Field("nianbao", description="Bucket for the s3 object store.")
    s3_endpoint_url: str | None = Field(
        None, description="S3 endpoint (MinIO, moto, ...). Unset: AWS."
    )
    s3_region: str = Field("us-east-1", description="S3 region.")
    s3_prefix: str = Field("", description="Key prefix inside the bucket.")

    max_retries: int = Field(
        5, ge=0, description="Retries of a failing task before it is dead-lettered."
    )
    retry_backoff_base: float = Field(
        2.0, gt=0, description="Seconds before the first retry; doubles on each retry."
    )
    retry_backoff_max: float = Field(
        300.0, gt=0, description="Cap of one retry delay (kept below the visibility timeout)."
    )
    max_deliveries: int = Field(
        3,
        ge=1,
        description="Deliveries of one attempt (worker killed mid-task) before dead-lettering.",
    )
    visibility_timeout: int = Field(
        1800,
        ge=60,
        description="Seconds Redis keeps an unacknowledged message before redelivering it.",
    )
    task_time_limit: int = Field(
        300,
        ge=5,
        description="Hard per-task limit in seconds; must stay below the visibility timeout.",
    )
    prefetch_multiplier: int = Field(1, ge=1, description="Messages each worker process reserves.")
    store_inline: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Store a parsed page in the task that parsed it (one broker round trip per "
        "page instead of two): auto = when the worker also consumes the store queue.",
    )
    archive_lease: float = Field(
        300.0,
        ge=5,
        description="Seconds a process may hold an owed archive write before another takes it "
        "over (above what one write can take: 4 attempts of 5 s connect + 30 s read).",
    )
    holder_heartbeat: float = Field(
        5.0,
        gt=0,
        le=300,
        description="Seconds between a worker's heartbeats; a worker silent for six of them is "
        "dead and the messages it held go back to their queues.",
    )
    reconcile_interval: float = Field(
        60.0,
        gt=0,
        description="Seconds between two looks of the workers at the page ledger for lost pages.",
    )
    reconcile_grace: float = Field(
        120.0,
        gt=0,
        description="Seconds a page may go without an outcome before the ledger looks for it.",
    )

    convert_timeout: float = Field(
        120.0,
        gt=0,
        description="Seconds one conversion of an attachment (DOC, WPS, XLS, a scan's OCR) may "
        "take, all its steps together.",
    )
    convert_memory_mb: int = Field(2048, gt=0, description="Address space of one converter (MB).")
    ocr_dpi: int = Field(300, ge=72, le=600, description="Resolution scans are OCR'd at.")
    ocr_max_pixels: int = Field(
        40_000_000, gt=0, description="Largest page or image (pixels) that is rasterised/OCR'd."
    )
    ocr_max_pages: int = Field(40, gt=0, description="Pages of a scan that are OCR'd at most.")
    ocr_languages: str = Field("chi_sim", description="Tesseract languages (chi_sim+eng ...).")
    max_body_bytes: int = Field(
        20_000_000, ge=1024, description="Larger pages are quarantined, not parsed."
    )
    parse_timeout: float = Field(
        30.0, ge=0, description="Seconds one page may take to parse before it is quarantined."
    )
    crawl_user_agent: str = Field(
        "nianbao/0.1 (government annual-report collector)",
        description="User-Agent the crawler sends.",
    )
    crawl_state_url: str | None = Field(
        None,
        description="Redis URL for crawl state (frontier, validators, schedule, host gates). "
        "Unset: the broker's Redis, or a JSON file in data_dir when embedded.",
    )
    crawl_proxy: str | None = Field(
        None,
        description="Proxy for every crawled site without its own `proxy` (http://, https:// or "
        "socks5://, credentials as user:password@; never logged). Unset: direct connections.",
    )
    crawl_browser: Path = Field(
        Path("/usr/bin/chromium"),
        description='Chromium that sites with render = "browser" are fetched through '
        "(Debian's chromium package; Playwright drives it, nothing is downloaded).",
    )
    crawl_browser_timeout: float = Field(
        45.0,
        gt=0,
        le=300,
        description='Seconds one page may take in the browser (render = "browser"), '
        "challenge and reload included; a hung or crashed browser is killed then.",
    )
    sites_file: Path | None = Field(
        None, description="Sites file (TOML or YAML) that `nianbao monitor` and crawl tasks read."
    )
    monitor_tick: float = Field(
        30.0, gt=0, description="Seconds between two looks of `nianbao monitor` for due sites."
    )
    api_token: str | None = Field(
        None,
        description="Bearer token `nianbao serve` requires on every route but /healthz. "
        "Unset: no authentication.",
    )

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        """A URL SQLAlchemy can parse (checked here: later it would fail deep in a command)."""
        if value:
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError

            try:
                make_url(value)
            except (ArgumentError, ValueError) as exc:
                raise ValueError(
                    f"not a database URL ({exc}); write it like postgresql+psycopg://USER@HOST/DB"
                ) from None
        return value

    @field_validator("broker_url", "crawl_state_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        """A URL with a scheme and a numeric port, like redis://:PASSWORD@HOST:6379/0."""
        if value:
            from urllib.parse import urlsplit

            try:
                parts = urlsplit(value)
                parts.port  # noqa: B018  (raises on a port that is not a number)
            except ValueError as exc:
                raise ValueError(f"not a URL ({exc}); write it like redis://HOST:6379/0") from None
            if not parts.scheme or "://" not in value:
                raise ValueError("not a URL; write it like redis://HOST:6379/0")
        return value

    @property
    def embedded(self) -> bool:
        """True when no broker is configured and tasks run in-process."""
        return not self.broker_url

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'nianbao.sqlite3').resolve()}"

    def check(self) -> None:
        """Fail early on settings that contradict each other (a SettingsError naming them)."""
        if self.task_time_limit >= self.visibility_timeout:
            raise SettingsError(
                f"NIANBAO_TASK_TIME_LIMIT ({self.task_time_limit}s) must be below "
                f"NIANBAO_VISIBILITY_TIMEOUT ({self.visibility_timeout}s), otherwise Redis "
                "redelivers a message while a healthy worker is still running it",
                "lower NIANBAO_TASK_TIME_LIMIT or raise NIANBAO_VISIBILITY_TIMEOUT",
            )
        # A message stays unacknowledged for its retry countdown, then while it waits behind
        # the messages prefetched before it, then while it runs: all of it under the timeout.
        held = self.retry_backoff_max + (self.prefetch_multiplier + 1) * self.task_time_limit
        if held >= self.visibility_timeout:
            raise SettingsError(
                f"NIANBAO_RETRY_BACKOFF_MAX + (NIANBAO_PREFETCH_MULTIPLIER + 1) × "
                f"NIANBAO_TASK_TIME_LIMIT = {held:g}s must stay below NIANBAO_VISIBILITY_TIMEOUT "
                f"({self.visibility_timeout}s), or Redis redelivers messages still in hand",
                "raise NIANBAO_VISIBILITY_TIMEOUT or lower one of the other three",
            )


class SettingsError(ValueError):
    """Settings that contradict each other: the message names the variables, `hint` the fix."""

    def __init__(self, message: str, hint: str) -> None:
        """Keep the fix beside the message, for the one-line error the CLI prints."""
        super().__init__(message)
        self.hint = hint


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    settings = Settings()
    settings.check()
    return settings
