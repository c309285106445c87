"""JSON bodies without unpaired surrogates.

JSON text may spell a lone surrogate (``"\\ud933"``), which is not Unicode text: neither SQLite nor
PostgreSQL can store it. Like any UTF-8 decoder meeting an invalid sequence, the parser replaces each one
with U+FFFD, so such input is never a server error and never reaches the database.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return (
            value.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _has_lone(value) else value
        )
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _has_lone(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class SafeJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return _clean(json.loads(request.body))
