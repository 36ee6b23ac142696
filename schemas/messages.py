"""Messages that cross the queue. Each is versioned; consumers reject versions they do not know."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.report import AnnualReport


class SiteHints(BaseModel):
    """The sites file's agency, region and level for a site: used only where a page does not say."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agency: str | None = Field(
        None,
        description="The site's agency, e.g. 四川省应急管理厅; a trailing （note） is dropped.",
    )
    region: str | None = Field(
        None, description="Where the agency sits, e.g. 四川省 or 浙江省温州市; 全国 for national."
    )
    level: str | None = Field(
        None,
        description="国家级, 省级, 市级, 县级, 乡镇级 or a record level (national, province, city, "
        "county, township); any other value is ignored.",
    )


class FetchedPage(BaseModel):
    """A fetched page; its body stays in the object store (a claim check, not bytes in Redis)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    url: str = Field(
        description="The URL the page was requested at (or file:// for ingested files)."
    )
    final_url: str = Field(description="The URL after redirects.")
    site_id: str = Field(description="Which monitored site (or ingest batch) it came from.")
    fetched_at: datetime
    http_status: int | None = Field(None, description="HTTP status; None for local files.")
    content_type: str = Field(description="Media type as served or sniffed, without parameters.")
    encoding: str | None = Field(None, description="Charset declared or detected at fetch time.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the raw body.")
    size: int = Field(ge=0, description="Body length in bytes.")
    body_ref: str = Field(description="Object-store key of the raw body.")
    link_text: str | None = Field(None, description="The anchor text that led to the page.")
    referrer: str | None = Field(None, description="The page that linked to this one.")
    hints: SiteHints | None = Field(
        None,
        description="The sites file's agency, region and level for the page's site: used only "
        "when the page itself does not say. None for ingested files.",
    )

    @property
    def source_url(self) -> str:
        """The URL a reader would cite: the final one after redirects."""
        return self.final_url or self.url


Stage = Literal["fetch", "load", "extract", "parse", "validate", "store"]


class ParsedPage(BaseModel):
    """What the pages stage hands to the store stage for an accepted report."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[2] = 2
    page: FetchedPage
    record: AnnualReport
    fingerprint: str = Field(description="sha256 of the normalised main text: the exact-dup key.")
    text_length: int = Field(ge=0, description="Characters of normalised main text.")
    signature: list[int] = Field(
        default_factory=list, description="MinHash signature of the normalised main text."
    )


class Rejection(BaseModel):
    """A page that is not (or not usably) a report: quarantined at once, never retried."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    page: FetchedPage
    stage: Stage
    reason: str = Field(description="Machine-readable reason, e.g. not_a_report, too_large.")
    detail: str = Field(description="What was wrong, for a person.")


class CrawlRequest(BaseModel):
    """A site due for a crawl pass, sent by `nianbao monitor` to the crawl queue."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    site: dict[str, Any] = Field(
        description="The site's entry of the sites file, validated (producers.sites.Site) as JSON."
    )
    requested_at: datetime
