"""``/`` and every client-side route: the SPA's files; ``/api/...`` that nothing else answered is a 404."""

from __future__ import annotations

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
        return FileResponse(file, headers={"Cache-Control": rules.cache_control(dist, file)})
    if path.startswith("assets/"):
        raise Problem(404, "not-found", "未找到 Not found", f"没有文件 /{path}")
    index = dist / "index.html"
    if not index.is_file():
        raise Problem(
            404, "not-found", "未找到 Not found", "网页界面未构建 (services/gateway/web: npm run build)"
        )
    return FileResponse(
        index,
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": rules.REVALIDATE, "Content-Security-Policy": rules.CSP},
    )
