"""The inbox pages (issue 9, item 4): newest first, and ``next_cursor`` reaches every older message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from luoshi_kit.identity import Identity
from luoshi_kit.testing import TEST_SECRET, identity_headers, running_service
from luoshi_notification.config import NotificationSettings
from luoshi_notification.inbox.models import Notification
from luoshi_notification.main import create_app

ME = Identity(
    person_id="p-1", username="h", display_name="承办人", org_code="520102000000", roles=["handler"]
)
OTHER = "p-2"


async def test_the_inbox_pages_through_250_messages(postgres_url: str, vhost_amqp_url: str) -> None:
    settings = NotificationSettings(
        database_url=postgres_url, amqp_url=vhost_amqp_url, internal_secret=TEST_SECRET
    )
    async with running_service(create_app, settings) as (app, client):
        start = datetime(2026, 1, 1, tzinfo=UTC)
        async with app.state.sessionmaker() as session, session.begin():
            for i in range(250):
                # Pairs share a timestamp: the cursor must break ties by id, not skip or repeat.
                at = start + timedelta(minutes=i // 2)
                for recipient in (ME.person_id, OTHER):
                    session.add(
                        Notification(
                            id=str(uuid.uuid4()),
                            recipient_id=recipient,
                            kind="task.assigned",
                            title=f"消息 {i}",
                            body="",
                            subject=None,
                            org_code=ME.org_code,
                            event_id=str(uuid.uuid4()),
                            created_at=at,
                        )
                    )
        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            params: dict[str, str | int] = {"limit": 40, **({"before": cursor} if cursor else {})}
            response = await client.get("/api/v1/notifications", params=params, headers=identity_headers(ME))
            assert response.status_code == 200, response.text
            page = response.json()
            assert page["unread"] == 250 and page["limit"] == 40
            seen += [item["title"] for item in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 7
        assert len(seen) == 250 and len(set(seen)) == 250
        stamps = [int(t.split()[1]) // 2 for t in seen]
        assert stamps == sorted(stamps, reverse=True)  # newest first, across pages

        bad = await client.get("/api/v1/notifications?before=not*a*cursor", headers=identity_headers(ME))
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
        forged = await client.get("/api/v1/notifications?before=Zm9v", headers=identity_headers(ME))
        assert forged.status_code == 422, forged.text
        too_many = await client.get("/api/v1/notifications?limit=201", headers=identity_headers(ME))
        assert too_many.status_code == 422
