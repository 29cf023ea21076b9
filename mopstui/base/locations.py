"""Where a war-room lives: an SQLite file's path, or a PostgreSQL server's URL. Tiny on purpose:
the config reads it without loading the store."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def shown(url: str) -> str:
    """The URL as messages show it: never a password, even one that slipped in."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def url_problem(url: str) -> str | None:
    """What is wrong with a war-room URL, or None."""
    parts = urlsplit(url)
    if parts.password is not None or "password=" in parts.query:
        return (
            "the database URL holds a password: put it in ~/.pgpass or PGPASSWORD, never in a config or on a "
            "command line (others can read them)"
        )
    if not parts.path.strip("/") and "dbname=" not in parts.query:
        return "the database URL names no database (postgresql://HOST/DBNAME)"
    return None
