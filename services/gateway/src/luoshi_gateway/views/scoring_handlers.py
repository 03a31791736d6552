"""Points and rank per unit on the dashboard, once scoring publishes a ranking. Never commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.views.scoring_models import PublishedStanding
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.scoring.v1 import RankingPublished

HANDLERS = HandlerTable()


def period_key(period: str) -> tuple[int, int]:
    """Chronological; a year's ranking follows its fourth quarter's."""
    return int(period[:4]), int(period[5]) if len(period) == 6 else 5


@HANDLERS.on("scoring.ranking.published.v1")
async def on_ranking_published(*, session: AsyncSession, event: CloudEvent[RankingPublished]) -> None:
    """Keep, per unit, its place in the newest published period (a late older ranking changes nothing)."""
    ranking = event.data.ranking
    for standing in event.data.standings:
        row = await session.get(PublishedStanding, standing.org_code)
        if row is not None and period_key(row.period) > period_key(ranking.period):
            continue
        if row is None:
            row = PublishedStanding(org_code=standing.org_code)
            session.add(row)
        row.ranking_id, row.scope_org, row.tier = ranking.ranking_id, ranking.scope_org, ranking.tier
        row.period, row.points, row.rank = ranking.period, standing.points, standing.rank
        row.published_at = event.data.at
