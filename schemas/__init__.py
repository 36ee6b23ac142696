"""Pydantic models of every message that crosses the queue and of the stored record."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from schemas.messages import FetchedPage, ParsedPage, Rejection
from schemas.report import (
    Agency,
    AnnualReport,
    Contact,
    Indicator,
    Period,
    Region,
    ReportSource,
    Section,
    StoredReport,
    ValidationWarning,
)

__all__ = [
    "Agency",
    "AnnualReport",
    "Contact",
    "FetchedPage",
    "Indicator",
    "ParsedPage",
    "Period",
    "Region",
    "Rejection",
    "ReportSource",
    "Section",
    "StoredReport",
    "ValidationWarning",
    "json_schemas",
]

PUBLIC_MODELS: dict[str, type[BaseModel]] = {
    "FetchedPage": FetchedPage,
    "ParsedPage": ParsedPage,
    "Rejection": Rejection,
    "AnnualReport": AnnualReport,
    "StoredReport": StoredReport,
}


def json_schemas() -> dict[str, Any]:
    """JSON Schema of every public model, keyed by model name."""
    return {name: model.model_json_schema() for name, model in PUBLIC_MODELS.items()}
