"""Which file answers a browser path (plain functions; the route only sends what they pick)."""

from __future__ import annotations

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
