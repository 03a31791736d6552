"""``/`` and every client-side route: the SPA's files; ``/api/...`` that nothing else answered is a 404.

Text files go gzipped to a browser that accepts it (the dashboard's first load moves about a third of
the bytes).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from luoshi_gateway.web import rules
from luoshi_kit.errors import Problem

router = APIRouter(tags=["web"])


@router.api_route("/{path:path}", methods=["GET"], include_in_schema=False)
async def spa(request: Request, path: str) -> Response:
    if rules.is_api_path(path):
        raise Problem(404, "not-found", "未找到 Not found", f"没有资源 /{path}")
    dist = request.app.state.web_dist
    file = rules.static_file(dist, path)
    if file is not None:
        return _send(request, file, {"Cache-Control": rules.cache_control(dist, file)})
    if path.startswith("assets/"):
        raise Problem(404, "not-found", "未找到 Not found", f"没有文件 /{path}")
    index = dist / "index.html"
    if not index.is_file():
        raise Problem(
            404, "not-found", "未找到 Not found", "网页界面未构建 (services/gateway/web: npm run build)"
        )
    return _send(
        request,
        index,
        {"Cache-Control": rules.REVALIDATE, "Content-Security-Policy": rules.CSP},
        media_type="text/html; charset=utf-8",
    )


def _send(request: Request, file: Path, headers: dict[str, str], media_type: str | None = None) -> Response:
    if rules.compressible(file):
        headers = {**headers, "Vary": "Accept-Encoding"}
        if rules.worth_gzipping(file) and rules.accepts_gzip(request.headers.get("accept-encoding", "")):
            kind = media_type or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            return Response(
                rules.gzipped(file), media_type=kind, headers={**headers, "Content-Encoding": "gzip"}
            )
    return FileResponse(file, media_type=media_type, headers=headers)
