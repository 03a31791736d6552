"""The committed web bundle (luoshi_gateway/web/dist) is built from the sources as they are.

``npm run build`` in services/gateway/web writes the sources' hash next to the bundle; this test recomputes it
the same way as ``scripts/hash.mjs`` (sha256 over, for each file in sorted path order: path, NUL, bytes, NUL).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "services" / "gateway" / "web"
DOMAIN = ROOT / "services" / "gateway" / "src" / "luoshi_gateway" / "web"


def sources_hash(web: Path = WEB) -> str:
    files = [web / "index.html", web / "package-lock.json", web / "vite.config.ts"]
    files += [p for p in (web / "src").rglob("*") if p.is_file()]
    digest = hashlib.sha256()
    for rel in sorted(p.relative_to(web).as_posix() for p in files):
        digest.update(rel.encode())
        digest.update(b"\0")
        digest.update((web / rel).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_committed_bundle_matches_its_sources() -> None:
    recorded = (DOMAIN / "sources.sha256").read_text().strip()
    assert recorded == sources_hash(), (
        "the committed web bundle is stale: run `npm ci && npm run build` in services/gateway/web and commit "
        "services/gateway/src/luoshi_gateway/web/{dist,sources.sha256}"
    )


def test_index_loads_only_hashed_local_assets() -> None:
    index = (DOMAIN / "dist" / "index.html").read_text()
    assert "<script>" not in index and '<script type="module">' not in index, "no inline script (CSP)"
    refs = re.findall(r'(?:src|href)="([^"]+)"', index)
    assert refs, index
    for ref in refs:
        if ref.startswith("data:"):
            continue
        assert ref.startswith("/assets/"), f"{ref}: only the bundle's own files, nothing from a CDN"
        assert (DOMAIN / "dist" / ref.lstrip("/")).is_file(), ref


def test_bundle_uses_no_eval_and_no_remote_origin() -> None:
    for js in (DOMAIN / "dist" / "assets").glob("*.js"):
        text = js.read_text(errors="replace")
        assert "new Function(" not in text and not re.search(r"\beval\(", text), (
            f"{js.name}: eval breaks the CSP"
        )
        assert not re.search(r"https?://(?:cdn|unpkg|fonts\.googleapis|cdnjs)", text), (
            f"{js.name}: remote asset"
        )
