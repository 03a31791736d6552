"""HTTP routes of task-list spreadsheets (.xlsx import, ledger export, template): thin."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from pydantic import BaseModel

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.errors import Problem
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.permissions import Authenticated
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_tasking.spreadsheets import service
from luoshi_tasking.spreadsheets.xlsx import XLSX_MEDIA_TYPE, write_template
from luoshi_tasking.tasks.rules import Assigner

MAX_BYTES = 5 * 1024 * 1024


class ImportResult(BaseModel):
    created: int
    task_ids: list[str]


def _xlsx(body: bytes, ascii_name: str, name: str) -> Response:
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition})


def _too_large() -> Problem:
    return Problem(413, "import-too-large", "文件过大 File too large", "文件不能超过 5 MB")


router = APIRouter(prefix="/api/v1/tasks", tags=["spreadsheets 台账导入导出"])
IMPORT_PATH = "/api/v1/tasks/import"  # an upload path: the kit's body limit lets up to 5 MB + 64 KB in


async def _read_upload(file: UploadFile) -> bytes:
    if file.size is not None and file.size > MAX_BYTES:
        raise _too_large()
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_large()
    if not data:
        raise Problem(422, "import-empty", "文件没有数据 Empty file", "上传的文件是空的")
    if not (file.filename or "").lower().endswith(".xlsx") or not data.startswith(b"PK\x03\x04"):
        raise Problem(
            415,
            "import-not-xlsx",
            "文件类型不支持 Unsupported file type",
            "请上传 Excel .xlsx 文件 (不支持 .xls/.csv)",
        )
    return data


@router.post(
    "/import",
    status_code=201,
    response_model=ImportResult,
    summary="导入任务清单 Import a task list (.xlsx, all or nothing)",
    responses={422: {"description": "逐行列出错误单元格 (如 F7), 未导入任何任务"}},
)
async def import_tasks(
    file: Annotated[UploadFile, File(description="任务清单 .xlsx (见导入模板)")],
    request: Request,
    session: SessionDep,
    identity: Assigner,
    key: IdempotencyKeyDep,
) -> Response:
    data = await _read_upload(file)

    async def work() -> ImportResult:
        tasks = await service.import_tasks(session=session, identity=identity, data=data)
        return ImportResult(created=len(tasks), task_ids=[t.id for t in tasks])

    # The fingerprint is the file's content: a retry sends it again under another multipart boundary.
    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=data, status_code=201, work=work
    )


@router.get(
    "/import/template",
    summary="导入模板 The import template",
    response_class=Response,
    dependencies=[Authenticated],
)
async def import_template() -> Response:
    today = business_today()
    body = write_template(example_deadline=date(today.year, 12, 31))
    return _xlsx(body, "task-import-template.xlsx", "重点工作任务导入模板.xlsx")


@router.get("/export", summary="导出台账 The unit's ledger as .xlsx", response_class=Response)
async def export_ledger(
    org: Annotated[str, Query(pattern=CODE_PATTERN, description="单位代码")],
    session: SessionDep,
    identity: IdentityDep,
) -> Response:
    today = business_today()
    body = await service.export_ledger(session=session, identity=identity, org=org, today=today)
    stamp = today.isoformat()
    return _xlsx(body, f"ledger-{org}-{stamp}.xlsx", f"任务台账-{org}-{stamp}.xlsx")
