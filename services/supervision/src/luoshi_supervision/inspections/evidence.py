"""Evidence of an inspection (督查证据): a note and/or one file, its type and size limited, kept in the
database with its SHA-256 (the content hash the report cites). Files are recognised by their first bytes,
not by the name or the declared type alone."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.permissions import forbidden
from luoshi_supervision.inspections.lifecycle import trace
from luoshi_supervision.inspections.models import Evidence
from luoshi_supervision.inspections.queries import get_visible
from luoshi_supervision.inspections.service import ACT_DENIED, may_act

EVIDENCE_PATH = "/api/v1/inspection-evidence"

# content type -> (extensions, magic prefix; None: plain text, UTF-8)
ALLOWED: dict[str, tuple[tuple[str, ...], bytes | None]] = {
    "application/pdf": ((".pdf",), b"%PDF-"),
    "image/jpeg": ((".jpg", ".jpeg"), b"\xff\xd8\xff"),
    "image/png": ((".png",), b"\x89PNG\r\n\x1a\n"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ((".docx",), b"PK\x03\x04"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ((".xlsx",), b"PK\x03\x04"),
    "text/plain": ((".txt",), None),
}


def _bad(detail: str) -> Problem:
    return Problem(422, "invalid-evidence", "证据文件不符合要求 Invalid evidence", detail)


def check_file(filename: str, content_type: str, content: bytes, max_bytes: int) -> str:
    """The normalised content type of an acceptable file; 413/422 otherwise."""
    if len(content) > max_bytes:
        raise Problem(
            413,
            "too-large",
            "文件过大 File too large",
            f"证据文件不能超过 {max_bytes} 字节 at most {max_bytes} bytes",
        )
    if not content:
        raise _bad("文件为空 the file is empty")
    if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in filename):
        raise _bad("文件名不能包含控制字符 the file name has control characters")
    kind = content_type.split(";")[0].strip().lower()
    if kind not in ALLOWED:
        raise _bad(f"不支持的文件类型 {kind} (允许 pdf, jpg, png, docx, xlsx, txt)")
    extensions, magic = ALLOWED[kind]
    if not filename.lower().endswith(extensions):
        raise _bad(f"文件名后缀与类型不符 the name does not fit {kind}")
    if magic is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise _bad("文本文件须为 UTF-8 a text file must be UTF-8") from None
    elif not content.startswith(magic):
        raise _bad(f"文件内容与类型不符 the content is not {kind}")
    return kind


async def add_evidence(
    *,
    session: AsyncSession,
    identity: Identity,
    inspection_id: str,
    note: str,
    filename: str | None,
    content_type: str | None,
    content: bytes | None,
    is_report: bool,
    max_bytes: int,
) -> Evidence:
    loaded = await get_visible(session=session, identity=identity, inspection_id=inspection_id, lock=True)
    if not may_act(identity, loaded, roles=("inspector", "leader", "assessor", "representative")):
        raise forbidden(ACT_DENIED)
    if loaded.inspection.state not in ("planned", "conducted"):
        raise Problem(
            409,
            "illegal-transition",
            "当前状态不允许此操作 Illegal transition",
            "已报告或撤销的督查不能再添加证据 evidence closes with the report",
        )
    if is_report and loaded.inspection.kind != "third_party":
        raise _bad("评估报告仅适用于第三方评估 is_report is for third-party assessments")
    if content is None and not note:
        raise _bad("须提供文字说明或文件 a note or a file is required")
    row = Evidence(
        id=str(uuid.uuid4()),
        inspection_id=inspection_id,
        note=note,
        is_report=is_report,
        created_by=identity.person_id,
        created_org=identity.org_code,
        created_at=utcnow(),
    )
    if content is not None:
        row.content_type = check_file(filename or "", content_type or "", content, max_bytes)
        row.filename, row.size = (filename or "")[:200], len(content)
        row.sha256 = hashlib.sha256(content).hexdigest()
        row.content = content
    session.add(row)
    trace(
        session=session,
        inspection=loaded.inspection,
        identity=identity,
        action="evidence",
        at=row.created_at,
        detail={"evidence_id": row.id, "sha256": row.sha256, "size": row.size, "is_report": is_report},
    )
    await session.flush()
    return row


async def list_evidence(*, session: AsyncSession, identity: Identity, inspection_id: str) -> list[Evidence]:
    await get_visible(session=session, identity=identity, inspection_id=inspection_id)
    query = (
        select(Evidence)
        .where(Evidence.inspection_id == inspection_id)
        .order_by(Evidence.created_at, Evidence.id)
    )
    return list((await session.scalars(query)).all())


async def evidence_file(*, session: AsyncSession, identity: Identity, evidence_id: str) -> Evidence:
    row = (
        await session.get(Evidence, evidence_id, options=[undefer(Evidence.content)])
        if len(evidence_id) <= 36
        else None
    )
    if row is None:
        raise Problem(404, "not-found", "未找到 Not found", "证据不存在或不在您的管辖范围内")
    await get_visible(session=session, identity=identity, inspection_id=row.inspection_id)
    return row
