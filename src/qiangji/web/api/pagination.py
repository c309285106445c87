"""Limit/offset pages with a bounded page size (every list endpoint is paginated)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Query, Schema
from pydantic import Field

MAX_LIMIT = 200


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10**9)


PageQuery = Query[PageParams]


def page(qs: QuerySet[Any], params: PageParams, convert: Any) -> dict[str, Any]:
    rows = qs[params.offset : params.offset + params.limit]
    return {
        "count": qs.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": [convert(row) for row in rows],
    }
