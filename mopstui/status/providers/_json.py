"""Reading JSON payloads defensively: vendors send HTML error pages, truncated bodies, nulls."""

from __future__ import annotations

import json
from typing import Any

from . import Fetched, ParseError


def load_object(fetched: Fetched) -> dict:
    data = load_any(fetched)
    if not isinstance(data, dict):
        raise ParseError(f"JSON {type(data).__name__} where an object was expected")
    return data


def load_any(fetched: Fetched) -> Any:
    """Any JSON document (formats that send a list at the top); the errors of `load_object`."""
    body = fetched.body.strip()
    if not body:
        raise ParseError("empty body")
    if body[:1] == b"<":
        raise ParseError("HTML instead of JSON")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError("invalid UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"bad JSON ({error.msg} at {error.pos})") from None
    except ValueError as error:  # e.g. an integer too long to convert: not a JSONDecodeError
        raise ParseError(f"bad JSON ({error})") from None
    return data


def items(value: Any) -> list[dict]:
    """A list of objects; `null`, a missing key or junk entries become nothing."""
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]


def text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
