"""The SPA's files: text goes gzipped to a browser that accepts it, with ``Vary``; hashed assets are cached
for a year; nothing else the gateway answers (the API, its problems) is compressed by this route."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from luoshi_gateway.web import rules

BIG_JS = "export const figures = [" + ",".join(str(n) for n in range(4000)) + "]\n"


@pytest.fixture
def dist(app: FastAPI, tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-abc123.js").write_text(BIG_JS)
    (tmp_path / "assets" / "tiny-abc123.js").write_text("export const a = 1\n")
    (tmp_path / "assets" / "logo-abc123.png").write_bytes(b"\x89PNG" + bytes(4000))
    (tmp_path / "index.html").write_text("<!doctype html><title>落实</title>" + "<!-- padding -->" * 100)
    app.state.web_dist = tmp_path
    return tmp_path


async def raw_get(client: httpx.AsyncClient, path: str, encoding: str | None) -> httpx.Response:
    headers = {"Accept-Encoding": encoding} if encoding is not None else {"Accept-Encoding": "identity"}
    return await client.get(path, headers=headers)


async def test_a_hashed_script_goes_gzipped_with_vary_and_long_cache(
    client: httpx.AsyncClient, dist: Path
) -> None:
    response = await raw_get(client, "/assets/index-abc123.js", "gzip, deflate, br")
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["cache-control"] == rules.IMMUTABLE
    assert "javascript" in response.headers["content-type"]
    assert response.text == BIG_JS  # httpx decoded it: the bytes are the file's
    assert int(response.headers["content-length"]) < len(BIG_JS) / 2


async def test_without_gzip_the_file_goes_as_it_is(client: httpx.AsyncClient, dist: Path) -> None:
    for encoding in ("identity", "gzip;q=0, deflate", "br"):
        response = await raw_get(client, "/assets/index-abc123.js", encoding)
        assert "content-encoding" not in response.headers, encoding
        assert response.headers["vary"] == "Accept-Encoding"
        assert int(response.headers["content-length"]) == len(BIG_JS)


async def test_small_files_and_images_are_not_compressed(client: httpx.AsyncClient, dist: Path) -> None:
    tiny = await raw_get(client, "/assets/tiny-abc123.js", "gzip")
    assert "content-encoding" not in tiny.headers and tiny.text == "export const a = 1\n"
    image = await raw_get(client, "/assets/logo-abc123.png", "gzip")
    assert "content-encoding" not in image.headers and "vary" not in image.headers


async def test_the_page_itself_is_gzipped_and_keeps_its_csp(client: httpx.AsyncClient, dist: Path) -> None:
    page = await raw_get(client, "/tasks/some-task", "gzip")
    assert page.headers["content-encoding"] == "gzip"
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == rules.REVALIDATE
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.text.startswith("<!doctype html><title>落实</title>")


async def test_api_answers_are_not_compressed_by_the_web_route(client: httpx.AsyncClient, dist: Path) -> None:
    for path in ("/api/v1/no-such-thing", "/api/nothing", "/assets/missing-abc.js"):
        response = await raw_get(client, path, "gzip")
        assert response.status_code in (401, 404), path
        assert "content-encoding" not in response.headers, path
        assert response.headers["content-type"].startswith("application/problem+json"), path


def test_gzip_is_computed_once_per_version_of_a_file(tmp_path: Path) -> None:
    file = tmp_path / "a.js"
    file.write_text("x" * 5000)
    first = rules.gzipped(file)
    assert rules.gzipped(file) is first
    assert gzip.decompress(first) == b"x" * 5000
    file.write_text("y" * 6000)
    assert gzip.decompress(rules.gzipped(file)) == b"y" * 6000


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("deflate, gzip;q=0.5", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, *", False),
        ("*", True),
        ("*;q=0", False),
        ("br, deflate", False),
        ("identity", False),
        ("", False),
        ("gzip;q=abc", False),
    ],
)
def test_accept_encoding(header: str, ok: bool) -> None:
    assert rules.accepts_gzip(header) is ok
