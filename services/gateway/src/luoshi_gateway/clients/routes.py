"""接入系统 Machine clients of other platforms (公文, 应急, 政务云 …): administrators of a scope manage them.

Thin: parse, call ``clients.service`` (permission, audit, hashing), commit, return.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Request

from luoshi_gateway.auth.deps import UserDep, auth_cache
from luoshi_gateway.clients import service
from luoshi_gateway.clients.models import MachineClient
from luoshi_gateway.clients.rules import ACTIONS
from luoshi_gateway.clients.schemas import (
    ActionOut,
    ClientCreate,
    ClientOut,
    ClientPage,
    ClientPatch,
    ClientWithSecret,
    SecretRotation,
)
from luoshi_kit.deps import SessionDep
from luoshi_kit.paging import PageDep

router = APIRouter(prefix="/api/v1/machine-clients", tags=["machine clients 接入系统"])


def _out(client: MachineClient) -> ClientOut:
    return ClientOut(
        id=client.id,
        name=client.name,
        org_code=client.org_code,
        actions=list(client.actions),
        has_public_key=bool(client.public_key_pem),
        active=client.active,
        created_by=client.created_by,
        created_at=client.created_at,
        previous_secret_until=client.previous_secret_until,
    )


def _with_secret(client: MachineClient, secret: str) -> ClientWithSecret:
    return ClientWithSecret(**_out(client).model_dump(), client_secret=secret)


@router.get("/actions", response_model=list[ActionOut], summary="可授权事项 Actions a client may be granted")
async def list_actions(_user: UserDep) -> list[ActionOut]:
    return [ActionOut(name=name, title=a.title, role=a.role) for name, a in ACTIONS.items()]


@router.post(
    "", response_model=ClientWithSecret, status_code=201, summary="登记接入系统 Register a machine client"
)
async def register_client(
    request: Request, body: ClientCreate, session: SessionDep, user: UserDep
) -> ClientWithSecret:
    async with session.begin():
        client, secret = await service.register_client(
            session=session, request=request, actor=user, data=body, now=datetime.now(UTC)
        )
    return _with_secret(client, secret)


@router.get("", response_model=ClientPage, summary="接入系统列表 Machine clients of my subtree")
async def list_clients(request: Request, session: SessionDep, user: UserDep, page: PageDep) -> ClientPage:
    clients, total, estimated = await service.list_clients(
        session=session, request=request, actor=user, page=page
    )
    return ClientPage.of([_out(c) for c in clients], total, page, estimated=estimated)


@router.get("/{client_id}", response_model=ClientOut, summary="接入系统 A machine client")
async def get_client(request: Request, client_id: str, session: SessionDep, user: UserDep) -> ClientOut:
    return _out(await service.get_client(session=session, request=request, actor=user, client_id=client_id))


@router.patch("/{client_id}", response_model=ClientOut, summary="修改接入系统 Change or deactivate a client")
async def change_client(
    request: Request, client_id: str, body: ClientPatch, session: SessionDep, user: UserDep
) -> ClientOut:
    async with session.begin():
        client = await service.get_client(session=session, request=request, actor=user, client_id=client_id)
        await service.change_client(session=session, request=request, actor=user, client=client, patch=body)
    auth_cache(request).drop(("client", client_id))
    return _out(client)


@router.post(
    "/{client_id}/secret",
    response_model=ClientWithSecret,
    summary="更换密钥 Rotate the secret (with an overlap)",
)
async def rotate_secret(
    request: Request,
    client_id: str,
    session: SessionDep,
    user: UserDep,
    body: Annotated[SecretRotation | None, Body()] = None,
) -> ClientWithSecret:
    overlap = timedelta(hours=(body or SecretRotation()).overlap_hours)
    async with session.begin():
        client = await service.get_client(session=session, request=request, actor=user, client_id=client_id)
        secret = await service.rotate_secret(
            session=session,
            request=request,
            actor=user,
            client=client,
            overlap=overlap,
            now=datetime.now(UTC),
        )
    return _with_secret(client, secret)
