"""Task lifecycle through the API: assign → accept → report → complete → review → close → archive,
return and reassign, co-unit confirmation, lists, and who may do what (decomposition has its own module)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from luoshi_tasking.ledger.models import LedgerEntry
from luoshi_tasking.reports.models import ProgressReport
from luoshi_tasking.tasks.models import CoUnitConfirmation, Task, TaskEvent

from .conftest import (
    CITY,
    COUNTY,
    DEPARTMENT,
    OTHER_CITY,
    OTHER_TOWNSHIP,
    PROVINCE,
    SIBLING_COUNTY,
    TOWNSHIP,
    count_rows,
    outbox_types,
    person,
    unique_title,
)

Service = tuple[FastAPI, httpx.AsyncClient]
MODELS = (Task, TaskEvent, CoUnitConfirmation, ProgressReport, LedgerEntry)

PROVINCE_OFFICE = person(PROVINCE, "office")
PROVINCE_HANDLER = person(PROVINCE, "handler")
CITY_PRINCIPAL = person(CITY, "principal")
COUNTY_HANDLER = person(COUNTY, "handler")
COUNTY_OFFICE = person(COUNTY, "office")
SIBLING_HANDLER = person(SIBLING_COUNTY, "handler")
SIBLING_OFFICE = person(SIBLING_COUNTY, "office")
OTHER_CITY_HANDLER = person(OTHER_CITY, "handler")
TOWNSHIP_HANDLER = person(TOWNSHIP, "handler")
TOWNSHIP_PRINCIPAL = person(TOWNSHIP, "principal")

REPORT = {
    "progress_percent": 40,
    "progress": "已完成方案制定",
    "problems": "资金未到位",
    "measures": "协调财政",
}


async def create(
    client: httpx.AsyncClient, headers: Mapping[str, str] = PROVINCE_OFFICE, **fields: Any
) -> dict[str, Any]:
    body = {"title": unique_title(), "lead_unit": COUNTY, "deadline": "2099-06-30", **fields}
    response = await client.post("/api/v1/tasks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def post(
    client: httpx.AsyncClient, path: str, headers: Mapping[str, str], body: Any = None, status: int = 200
) -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def assert_problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"urn:luoshi:problem:{slug}"


LIFECYCLE = ("assigned", "accepted", "returned", "progress_reported", "completed", "reopened", "closed")


async def lifecycle_types(app: FastAPI, task_id: str) -> list[str]:
    """The task's lifecycle events (deadline alerts the scan may add are left out)."""
    short = [t.removeprefix("tasking.task.").removesuffix(".v1") for t in await outbox_types(app, task_id)]
    return [t for t in short if t in (*LIFECYCLE, "archived", "cancelled")]


async def test_the_whole_flow_to_the_archive(tasking: Service) -> None:
    app, client = tasking
    task = await create(
        client,
        co_units=[OTHER_CITY],
        source_level="省政府",
        source_ref="黔府发〔2026〕1号",
        category="大数据",
        principal_id="p1",
        deputy_id="p2",
        handler_id="p3",
        start_date="2027-01-01",
        required_progress="每季度完成 25%",
        measures="专班推进",
        report_due_dates=["2027-03-31", "2027-06-30"],
    )
    assert task["state"] == "assigned" and task["issuing_org"] == PROVINCE
    assert task["source_level"] == "省政府" and task["report_due_dates"] == ["2027-03-31", "2027-06-30"]
    tid = task["id"]
    base = f"/api/v1/tasks/{tid}"

    assert (await post(client, f"{base}/accept", COUNTY_HANDLER, {"note": "已签收"}))["state"] == "accepted"
    await post(client, f"{base}/reports", COUNTY_HANDLER, REPORT, status=201)
    done = await post(client, f"{base}/complete", COUNTY_HANDLER)
    assert done["state"] == "completed" and done["progress_percent"] == 100

    # A handler of the issuer may not review; a reject needs a reason.
    before = await count_rows(app, *MODELS)
    assert_problem(
        await client.post(f"{base}/review", json={"decision": "approve"}, headers=PROVINCE_HANDLER),
        403,
        "forbidden",
    )
    assert_problem(
        await client.post(f"{base}/review", json={"decision": "reject"}, headers=PROVINCE_OFFICE),
        422,
        "validation",
    )
    assert await count_rows(app, *MODELS) == before

    rejected = await post(
        client, f"{base}/review", PROVINCE_OFFICE, {"decision": "reject", "reason": "佐证材料不全"}
    )
    assert rejected["state"] == "accepted" and rejected["completed_at"] is None
    assert rejected["progress_percent"] == 40  # back to the last report
    await post(client, f"{base}/complete", COUNTY_OFFICE, {"note": "已补充材料"})
    closed = await post(client, f"{base}/review", PROVINCE_OFFICE, {"decision": "approve"})
    assert closed["state"] == "closed" and closed["closed_at"]
    archived = await post(client, f"{base}/archive", PROVINCE_OFFICE)
    assert archived["state"] == "archived"
    assert_problem(await client.post(f"{base}/archive", headers=PROVINCE_OFFICE), 409, "illegal-transition")

    assert await lifecycle_types(app, tid) == [
        "assigned",
        "accepted",
        "progress_reported",
        "completed",
        "reopened",
        "completed",
        "closed",
        "archived",
    ]
    events = (await client.get(f"{base}/events", headers=COUNTY_HANDLER)).json()
    assert [(e["action"], e["actor_org"]) for e in events] == [
        ("assigned", PROVINCE),
        ("accept", COUNTY),
        ("reported", COUNTY),
        ("complete", COUNTY),
        ("reject", PROVINCE),
        ("complete", COUNTY),
        ("close", PROVINCE),
        ("archive", PROVINCE),
    ]
    assert events[4]["reason"] == "佐证材料不全"
    assert events[4]["detail"] == {"from_state": "completed", "to_state": "accepted", "progress_percent": 40}
    # The co-unit (遵义市) sees the task and its trace; 云岩区 does not.
    assert (await client.get(base, headers=OTHER_CITY_HANDLER)).status_code == 200
    assert_problem(await client.get(f"{base}/events", headers=SIBLING_HANDLER), 404, "not-found")


async def test_return_then_reassign_to_another_unit(tasking: Service) -> None:
    app, client = tasking
    task = await create(client)
    base = f"/api/v1/tasks/{task['id']}"
    assert_problem(
        await client.post(f"{base}/return", json={"reason": "  "}, headers=COUNTY_HANDLER), 422, "validation"
    )
    returned = await post(client, f"{base}/return", COUNTY_HANDLER, {"reason": "不属于本单位职责"})
    assert returned["state"] == "returned"
    assert_problem(await client.post(f"{base}/accept", headers=COUNTY_HANDLER), 409, "illegal-transition")

    before = await count_rows(app, *MODELS)
    # The lead unit may not reassign; the issuer may not assign upward or to an unknown unit.
    reassign = {"lead_unit": SIBLING_COUNTY, "reason": "改由云岩区牵头"}
    assert_problem(
        await client.post(f"{base}/reassign", json=reassign, headers=COUNTY_OFFICE), 403, "forbidden"
    )
    upward = {**reassign, "lead_unit": PROVINCE}
    assert_problem(
        await client.post(f"{base}/reassign", json=upward, headers=PROVINCE_OFFICE),
        422,
        "assign-outside-subtree",
    )
    unknown = {**reassign, "lead_unit": "520199000000"}
    assert_problem(
        await client.post(f"{base}/reassign", json=unknown, headers=PROVINCE_OFFICE), 422, "unknown-org"
    )
    assert await count_rows(app, *MODELS) == before

    again = await post(client, f"{base}/reassign", PROVINCE_OFFICE, {**reassign, "deadline": "2099-01-31"})
    assert (
        again["state"] == "assigned"
        and again["lead_unit"] == SIBLING_COUNTY
        and again["deadline"] == "2099-01-31"
    )
    # 南明区 no longer takes part: the task is hidden from it; 云岩区 signs for it.
    assert_problem(await client.get(base, headers=COUNTY_HANDLER), 404, "not-found")
    assert (await post(client, f"{base}/accept", SIBLING_HANDLER))["state"] == "accepted"
    assert_problem(
        await client.post(f"{base}/reassign", json=reassign, headers=PROVINCE_OFFICE),
        409,
        "illegal-transition",
    )
    assert await lifecycle_types(app, task["id"]) == ["assigned", "returned", "assigned", "accepted"]
    events = (await client.get(f"{base}/events", headers=PROVINCE_OFFICE)).json()
    assert events[2]["action"] == "reassign" and events[2]["detail"]["from_lead_unit"] == COUNTY


async def test_cancel_needs_the_issuer_and_a_reason(tasking: Service) -> None:
    app, client = tasking
    task = await create(client)
    base = f"/api/v1/tasks/{task['id']}"
    assert_problem(await client.post(f"{base}/cancel", json={}, headers=PROVINCE_OFFICE), 422, "validation")
    assert_problem(
        await client.post(f"{base}/cancel", json={"reason": "x"}, headers=COUNTY_OFFICE), 403, "forbidden"
    )
    assert (await post(client, f"{base}/cancel", PROVINCE_OFFICE, {"reason": "决策调整"}))[
        "state"
    ] == "cancelled"
    assert_problem(await client.post(f"{base}/accept", headers=COUNTY_HANDLER), 409, "illegal-transition")
    assert await lifecycle_types(app, task["id"]) == ["assigned", "cancelled"]


async def test_co_units_confirm_their_part(tasking: Service) -> None:
    app, client = tasking
    task = await create(client, co_units=[SIBLING_COUNTY, OTHER_CITY])
    base = f"/api/v1/tasks/{task['id']}/co-units"
    before = await count_rows(app, *MODELS)
    assert_problem(
        await client.post(f"{base}/{SIBLING_COUNTY}/confirm", headers=COUNTY_OFFICE), 403, "forbidden"
    )
    assert_problem(
        await client.post(f"{base}/{TOWNSHIP}/confirm", headers=TOWNSHIP_HANDLER), 404, "not-found"
    )
    assert_problem(await client.post(f"{base}/52-01/confirm", headers=SIBLING_HANDLER), 422, "validation")
    assert await count_rows(app, *MODELS) == before

    confirmed = await post(
        client, f"{base}/{SIBLING_COUNTY}/confirm", SIBLING_HANDLER, {"note": "配合完成"}, 201
    )
    assert confirmed["confirmed"] and confirmed["confirmed_by"] == f"p-{SIBLING_COUNTY}-handler"
    assert_problem(
        await client.post(f"{base}/{SIBLING_COUNTY}/confirm", headers=SIBLING_HANDLER),
        409,
        "already-confirmed",
    )
    status = (await client.get(base, headers=PROVINCE_OFFICE)).json()
    assert [(s["org_code"], s["confirmed"]) for s in status] == [(SIBLING_COUNTY, True), (OTHER_CITY, False)]
    events = (await client.get(f"/api/v1/tasks/{task['id']}/events", headers=PROVINCE_OFFICE)).json()
    assert events[-1]["action"] == "co_unit_confirmed" and events[-1]["actor_org"] == SIBLING_COUNTY


async def test_wrong_people_get_404_or_403_and_nothing_is_written(tasking: Service) -> None:
    app, client = tasking
    task = await create(client, co_units=[OTHER_CITY])
    base = f"/api/v1/tasks/{task['id']}"
    before = await count_rows(app, *MODELS)
    outbox_before = len(await outbox_types(app))
    hidden = [
        SIBLING_HANDLER,
        SIBLING_OFFICE,
        person(OTHER_TOWNSHIP, "principal"),
        person(DEPARTMENT, "principal"),
    ]
    for headers in hidden:  # siblings, and units below the lead unit that take no part: not even a 403
        assert_problem(await client.get(base, headers=headers), 404, "not-found")
        assert_problem(await client.post(f"{base}/accept", headers=headers), 404, "not-found")
        assert_problem(
            await client.post(f"{base}/cancel", json={"reason": "x"}, headers=headers), 404, "not-found"
        )
    # 贵阳市 sees the task (南明区 lies in it) but is neither issuer nor lead unit.
    assert (await client.get(base, headers=CITY_PRINCIPAL)).status_code == 200
    for action, body in [("accept", None), ("cancel", {"reason": "x"}), ("return", {"reason": "x"})]:
        assert_problem(
            await client.post(f"{base}/{action}", json=body, headers=CITY_PRINCIPAL), 403, "forbidden"
        )
    # The issuer may not sign for the lead unit; the co-unit may not either.
    assert_problem(await client.post(f"{base}/accept", headers=PROVINCE_OFFICE), 403, "forbidden")
    assert_problem(await client.post(f"{base}/accept", headers=OTHER_CITY_HANDLER), 403, "forbidden")
    # A handler of the issuer may not cancel.
    assert_problem(
        await client.post(f"{base}/cancel", json={"reason": "x"}, headers=PROVINCE_HANDLER), 403, "forbidden"
    )
    assert_problem(await client.get("/api/v1/tasks/no-such-task", headers=PROVINCE_OFFICE), 404, "not-found")
    assert await count_rows(app, *MODELS) == before
    assert len(await outbox_types(app)) == outbox_before


async def test_bad_input_on_every_write_route_is_refused_and_writes_nothing(tasking: Service) -> None:
    app, client = tasking
    task = await create(client, co_units=[SIBLING_COUNTY])
    base = f"/api/v1/tasks/{task['id']}"
    accepted = await create(client)
    await post(client, f"/api/v1/tasks/{accepted['id']}/accept", COUNTY_HANDLER)
    acc = f"/api/v1/tasks/{accepted['id']}"
    long_text = "字" * 2001
    cases: list[tuple[str, Mapping[str, str], Any, int, str]] = [
        (f"{base}/accept", COUNTY_HANDLER, {"note": long_text}, 422, "validation"),
        (f"{base}/accept", COUNTY_HANDLER, {"state": "closed"}, 422, "validation"),
        (f"{base}/return", COUNTY_HANDLER, {}, 422, "validation"),
        (f"{base}/return", COUNTY_HANDLER, {"reason": 42}, 422, "validation"),
        (f"{base}/reassign", PROVINCE_OFFICE, {"lead_unit": "52-01", "reason": "x"}, 422, "validation"),
        (f"{base}/reassign", PROVINCE_OFFICE, {"lead_unit": SIBLING_COUNTY}, 422, "validation"),
        (f"{base}/cancel", PROVINCE_OFFICE, {"reason": ""}, 422, "validation"),
        (
            f"{base}/co-units/{SIBLING_COUNTY}/confirm",
            SIBLING_HANDLER,
            {"note": long_text},
            422,
            "validation",
        ),
        (f"{acc}/subtasks", COUNTY_OFFICE, {"items": []}, 422, "validation"),
        (
            f"{acc}/subtasks",
            COUNTY_OFFICE,
            {"items": [{"title": "x", "deadline": "soon"}]},
            422,
            "validation",
        ),
        (
            f"{acc}/subtasks",
            COUNTY_OFFICE,
            {"items": [{"title": "x", "deadline": "2099-07-01"}]},
            422,
            "deadline-after-parent",
        ),
        (
            f"{acc}/subtasks",
            COUNTY_OFFICE,
            {"items": [{"title": "x", "deadline": "2020-01-01"}]},
            422,
            "deadline-in-past",
        ),
        (
            f"{acc}/subtasks",
            COUNTY_OFFICE,
            {"items": [{"title": "x", "deadline": "2099-01-01", "lead_unit": SIBLING_COUNTY}]},
            422,
            "assign-outside-subtree",
        ),
        (
            f"{acc}/subtasks",
            COUNTY_OFFICE,
            {
                "items": [
                    {
                        "title": "x",
                        "deadline": "2099-01-01",
                        "period_kind": "quarter",
                        "period_label": "2099Q5",
                    }
                ]
            },
            422,
            "invalid-period",
        ),
        (f"{acc}/complete", COUNTY_HANDLER, {"note": long_text}, 422, "validation"),
        (f"{acc}/review", PROVINCE_OFFICE, {"decision": "maybe"}, 422, "validation"),
        (f"{acc}/review", PROVINCE_OFFICE, {"decision": "approve"}, 409, "illegal-transition"),
        (f"{acc}/archive", PROVINCE_OFFICE, {"note": long_text}, 422, "validation"),
        (f"{acc}/archive", PROVINCE_OFFICE, None, 409, "illegal-transition"),
        (f"{acc}/reports", COUNTY_HANDLER, {**REPORT, "problems": " "}, 422, "validation"),
    ]
    before = await count_rows(app, *MODELS)
    outbox_before = len(await outbox_types(app))
    for path, headers, body, status, slug in cases:
        assert_problem(await client.post(path, json=body, headers=headers), status, slug)
    broken = await client.post(
        f"{base}/return", content=b"{not json", headers={**COUNTY_HANDLER, "content-type": "application/json"}
    )
    assert_problem(broken, 422, "validation")
    assert await count_rows(app, *MODELS) == before
    assert len(await outbox_types(app)) == outbox_before


async def test_lists_filter_page_and_sort(tasking: Service) -> None:
    app, client = tasking
    a = await create(client, category="大扶贫", deadline="2099-03-01")
    b = await create(client, category="大数据", deadline="2098-12-01", lead_unit=SIBLING_COUNTY)
    c = await create(client, category="大数据", deadline="2099-01-01", lead_unit=TOWNSHIP)
    await post(client, f"/api/v1/tasks/{a['id']}/accept", COUNTY_HANDLER)
    # An overdue task cannot be created through the API (deadline-in-past): put one in directly.
    async with app.state.sessionmaker() as session, session.begin():
        session.add(
            Task(
                id=str(uuid.uuid4()),
                title="逾期任务",
                issuing_org=PROVINCE,
                lead_unit=COUNTY,
                co_units=[],
                deadline=date(2020, 1, 1),
                created_by="seed",
                state="accepted",
                report_due_dates=[],
                required_progress="",
                measures="",
                description="",
            )
        )

    def ids(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    get = client.get
    everything = await get("/api/v1/tasks", headers=PROVINCE_OFFICE)
    assert everything.json()["total"] == 4
    assert ids(await get("/api/v1/tasks", params={"category": "大数据"}, headers=PROVINCE_OFFICE)) == [
        b["id"],
        c["id"],
    ]
    assert ids(
        await get(
            "/api/v1/tasks", params={"category": "大数据", "sort": "-deadline"}, headers=PROVINCE_OFFICE
        )
    ) == [c["id"], b["id"]]
    assert ids(
        await get("/api/v1/tasks", params={"state": "accepted", "overdue": "false"}, headers=PROVINCE_OFFICE)
    ) == [a["id"]]
    overdue = (await get("/api/v1/tasks", params={"overdue": "true"}, headers=PROVINCE_OFFICE)).json()
    assert [t["title"] for t in overdue["items"]] == ["逾期任务"]
    assert overdue["items"][0]["status"]["colour"] == "red" and overdue["items"][0]["status"]["overdue"]
    assert everything.json()["items"][-1]["status"]["colour"] == "green"
    window = {"deadline_from": "2098-12-01", "deadline_to": "2099-01-01"}
    assert ids(await get("/api/v1/tasks", params=window, headers=PROVINCE_OFFICE)) == [b["id"], c["id"]]
    assert ids(
        await get(
            "/api/v1/tasks",
            params={"state": ["assigned", "accepted"], "limit": 1, "offset": 1},
            headers=PROVINCE_OFFICE,
        )
    ) == [b["id"]]
    # org= narrows to a sub-organisation the caller sees; the county sees its own and its township's.
    narrowed = await get("/api/v1/tasks", params={"org": TOWNSHIP}, headers=PROVINCE_OFFICE)
    assert ids(narrowed) == [c["id"]]
    assert set(ids(await get("/api/v1/tasks", headers=COUNTY_HANDLER))) == {
        a["id"],
        c["id"],
        overdue["items"][0]["id"],
    }
    assert ids(await get("/api/v1/tasks", headers=OTHER_CITY_HANDLER)) == []
    assert_problem(
        await get("/api/v1/tasks", params={"org": SIBLING_COUNTY}, headers=COUNTY_HANDLER), 404, "not-found"
    )
    assert_problem(
        await get("/api/v1/tasks", params={"state": "flying"}, headers=COUNTY_HANDLER), 422, "validation"
    )
    assert_problem(
        await get("/api/v1/tasks", params={"sort": "title"}, headers=COUNTY_HANDLER), 422, "validation"
    )
