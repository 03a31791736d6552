"""Which file answers a browser path (plain functions; the route only sends what they pick)."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

DIST = Path(__file__).parent / "dist"
SOURCES_HASH = Path(__file__).parent / "sources.sha256"

# Served with every page of the SPA; the bundle needs nothing more (no eval, no inline script).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

# Text the bundle is made of, worth gzipping (images and fonts are compressed already); smaller files are sent
# as they are. Only the SPA's own files are compressed here: proxied API responses and the inbox's event
# stream never pass through this route.
COMPRESSIBLE = frozenset({".js", ".mjs", ".css", ".html", ".svg", ".json", ".txt", ".map"})
MIN_GZIP_BYTES = 1024


# Operations paths a service app answers itself: the gateway never serves the SPA there (a 404 problem).
OPERATIONS = frozenset({"docs", "redoc", "openapi.json", "metrics", "healthz", "readyz"})


def is_api_path(path: str) -> bool:
    """``/api`` and everything under it belongs to the API, and the operations paths to operators:
    never the SPA, always problem+json."""
    clean = path.lstrip("/")
    return clean == "api" or clean.startswith("api/") or clean.split("/", 1)[0] in OPERATIONS


def static_file(dist: Path, path: str) -> Path | None:
    """The built file for ``path`` if there is one inside ``dist`` (no escaping it with ``..``)."""
    clean = path.lstrip("/")
    if not clean:
        return None
    root = dist.resolve()
    candidate = (root / clean).resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def cache_control(dist: Path, file: Path) -> str:
    """Hashed assets under ``assets/`` never change; anything else is revalidated."""
    return IMMUTABLE if file.parent == (dist / "assets").resolve() else REVALIDATE


def accepts_gzip(accept_encoding: str) -> bool:
    """Does an ``Accept-Encoding`` header admit gzip? (``gzip;q=0`` refuses it; ``*`` admits it unless gzip is
    named with q=0.)"""
    star = False
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name.strip() == "gzip":
            return q > 0
        if name.strip() == "*":
            star = q > 0
    return star


def compressible(file: Path) -> bool:
    return file.suffix in COMPRESSIBLE


def worth_gzipping(file: Path) -> bool:
    return compressible(file) and file.stat().st_size >= MIN_GZIP_BYTES


def gzipped(file: Path) -> bytes:
    """The file gzipped, computed once per version of the file (path, size and mtime key the cache)."""
    stat = file.stat()
    return _gzip(file, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=1024)
def _gzip(file: Path, size: int, mtime_ns: int) -> bytes:
    # mtime=0: the same bytes for the same file, whichever process or restart compressed it.
    return gzip.compress(file.read_bytes(), compresslevel=6, mtime=0)
