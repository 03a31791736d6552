"""Decomposition (分解) through the API: a task split into quarterly subtasks down the tiers, their progress
rolled up to the parent."""

from __future__ import annotations

from .conftest import COUNTY, TOWNSHIP, outbox_payloads
from .test_task_flows import (
    CITY_PRINCIPAL,
    COUNTY_HANDLER,
    COUNTY_OFFICE,
    PROVINCE_OFFICE,
    REPORT,
    TOWNSHIP_HANDLER,
    TOWNSHIP_PRINCIPAL,
    Service,
    assert_problem,
    create,
    post,
)


async def test_decomposition_into_quarters_and_roll_up(tasking: Service) -> None:
    app, client = tasking
    task = await create(client, start_date="2098-02-10", deadline="2098-11-15", category="年度任务")
    base = f"/api/v1/tasks/{task['id']}"
    assert_problem(
        await client.post(
            f"{base}/subtasks",
            json={"items": [{"title": "x", "deadline": "2098-03-31"}]},
            headers=COUNTY_OFFICE,
        ),
        409,
        "task-not-accepted",
    )
    await post(client, f"{base}/accept", COUNTY_HANDLER)

    proposal = (
        await client.get(f"{base}/decomposition/proposal", params={"kind": "yearly"}, headers=COUNTY_OFFICE)
    ).json()
    assert proposal["period_kind"] == "quarter"
    assert [(p["label"], p["start"], p["end"]) for p in proposal["periods"]] == [
        ("2098Q1", "2098-02-10", "2098-03-31"),
        ("2098Q2", "2098-04-01", "2098-06-30"),
        ("2098Q3", "2098-07-01", "2098-09-30"),
        ("2098Q4", "2098-10-01", "2098-11-15"),
    ]
    weeks = (
        await client.get(
            f"{base}/decomposition/proposal", params={"kind": "key_phased"}, headers=COUNTY_OFFICE
        )
    ).json()
    assert weeks["periods"][0] == {
        "kind": "week",
        "label": "2098-W07",
        "start": "2098-02-10",
        "end": "2098-02-16",
    }
    assert_problem(
        await client.get(f"{base}/decomposition/proposal", params={"kind": "decade"}, headers=COUNTY_OFFICE),
        422,
        "validation",
    )

    items = proposal["items"]
    items[0] = {**items[0], "lead_unit": TOWNSHIP}  # Q1 goes down to the township: its own task to decompose
    # A handler may not decompose.
    assert_problem(
        await client.post(f"{base}/subtasks", json={"items": items}, headers=COUNTY_HANDLER), 403, "forbidden"
    )
    subtasks = await post(client, f"{base}/subtasks", COUNTY_OFFICE, {"items": items}, 201)
    assert [(s["period_label"], s["lead_unit"], s["state"]) for s in subtasks] == [
        ("2098Q1", TOWNSHIP, "assigned"),
        ("2098Q2", COUNTY, "accepted"),
        ("2098Q3", COUNTY, "accepted"),
        ("2098Q4", COUNTY, "accepted"),
    ]
    assert all(s["issuing_org"] == COUNTY and s["parent_id"] == task["id"] for s in subtasks)
    q1, q2 = subtasks[0]["id"], subtasks[1]["id"]

    # The township signs for Q1 and decomposes it further: it is the issuer of its own subtasks.
    await post(client, f"/api/v1/tasks/{q1}/accept", TOWNSHIP_HANDLER)
    months = await post(
        client,
        f"/api/v1/tasks/{q1}/subtasks",
        TOWNSHIP_PRINCIPAL,
        {
            "items": [
                {"title": "二月", "deadline": "2098-02-28", "period_kind": "month", "period_label": "2098-02"}
            ]
        },
        201,
    )
    assert months[0]["issuing_org"] == TOWNSHIP and months[0]["state"] == "accepted"

    await post(
        client,
        f"/api/v1/tasks/{months[0]['id']}/reports",
        TOWNSHIP_HANDLER,
        {**REPORT, "progress_percent": 80},
        201,
    )
    await post(client, f"/api/v1/tasks/{q2}/reports", COUNTY_HANDLER, {**REPORT, "progress_percent": 40}, 201)
    q1_now = (await client.get(f"/api/v1/tasks/{q1}", headers=COUNTY_HANDLER)).json()
    parent = (await client.get(base, headers=PROVINCE_OFFICE)).json()
    assert q1_now["progress_percent"] == 80
    assert parent["progress_percent"] == (80 + 40 + 0 + 0) // 4
    # A report on the parent records text but the percentage stays the roll-up.
    await post(client, f"{base}/reports", COUNTY_HANDLER, {**REPORT, "progress_percent": 99}, 201)
    assert (await client.get(base, headers=PROVINCE_OFFICE)).json()["progress_percent"] == 30
    assert_problem(await client.post(f"{base}/complete", headers=COUNTY_OFFICE), 409, "open-subtasks")

    children = (
        await client.get("/api/v1/tasks", params={"parent_id": task["id"]}, headers=CITY_PRINCIPAL)
    ).json()
    assert children["total"] == 4
    # The township sees its subtask (and the parent's lead unit's trace of it), not its siblings' work.
    township_view = (await client.get("/api/v1/tasks", headers=TOWNSHIP_HANDLER)).json()
    assert {t["id"] for t in township_view["items"]} == {q1, months[0]["id"]}
    trace = (await client.get(f"{base}/events", headers=COUNTY_OFFICE)).json()
    rolled = [e["detail"] for e in trace if e["action"] == "progress_rolled_up"]
    assert rolled[-1] == {"from": 20, "to": 30, "subtask_id": q2}
    # Each move of the parent is announced with its figures, so the read models (dashboard, bulletin) follow.
    announced = await outbox_payloads(app, "tasking.task.progress_rolled_up.v1", task["id"])
    assert [(e["previous_percent"], e["progress_percent"], e["subtask_id"]) for e in announced] == [
        (0, 20, months[0]["id"]),  # the month's report moved Q1, and Q1 the task
        (20, 30, q2),
    ]
    assert all(e["lagging"] is False for e in announced)  # its year has hardly begun (2098)
