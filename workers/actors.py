"""The consumers of domain events, declared as Dramatiq actors.

Each actor takes an event id, applies one effect through ``commons.events.consumers.consume``
(which makes it idempotent) and is named once and for all: the names are written into
queued messages.
"""

from __future__ import annotations

import dramatiq

from commons.budgeting.services import ESTIMATE_EVENTS, compute_result, refresh_estimates
from commons.events.consumers import Handler, consume
from commons.events.outbox import EventType
from commons.expenses.notifications import notify_expense
from commons.mail.senders import deliver
from commons.notifications.services import notify
from commons.pledges.settlement import notify_completed
from commons.projects.read_models import CHALLENGE_EVENTS, PROJECT_EVENTS, apply_event, apply_event_to_challenge
from commons.web.page_cache import purge_pages
from workers.database import sessionmaker

QUEUE = "events"


class Consumer:
    """An effect of events: its stable actor name, the events it follows, and the handler."""

    def __init__(self, name: str, events: frozenset[EventType], handler: Handler) -> None:
        self.name = name
        self.events = events
        self.handler = handler

    async def __call__(self, event_id: str) -> None:
        async with sessionmaker()() as session:
            await consume(session, consumer=self.name, event_id=event_id, handler=self.handler)


CONSUMERS = (
    Consumer("commons.read_models.refresh", PROJECT_EVENTS, apply_event),
    # Apart from the project's refresh, so no transaction holds a call's row and a project's at once.
    Consumer("commons.read_models.challenge_totals", CHALLENGE_EVENTS, apply_event_to_challenge),
    Consumer(
        "commons.notifications.notify",
        frozenset(
            {
                EventType.PLEDGE_MADE,
                EventType.PLEDGE_WITHDRAWN,
                EventType.PLEDGE_CONFIRMED,
                EventType.MEMBER_JOINED,
                EventType.PROJECT_LAUNCHED,
                EventType.PROJECT_SETTLED,
                EventType.PROJECT_CANCELLED,
                EventType.CHALLENGE_CLOSED,
            }
        ),
        notify,
    ),
    Consumer("commons.budgeting.compute_result", frozenset({EventType.ROUND_CLOSED}), compute_result),
    Consumer("commons.budgeting.refresh_estimates", ESTIMATE_EVENTS, refresh_estimates),
    Consumer(
        "commons.expenses.notify",
        frozenset(
            {
                EventType.EXPENSE_SUBMITTED,
                EventType.EXPENSE_APPROVED,
                EventType.EXPENSE_REJECTED,
                EventType.EXPENSE_WITHDRAWN,
                EventType.EXPENSE_PAID,
            }
        ),
        notify_expense,
    ),
    # Every event, since a call's page shows its projects and rounds: a purge costs less than a stale page.
    Consumer("commons.web.page_cache.purge", frozenset(EventType), purge_pages),
    Consumer("commons.notifications.project_completed", frozenset({EventType.PROJECT_COMPLETED}), notify_completed),
    Consumer("commons.mail.send", frozenset({EventType.MAIL_REQUESTED}), deliver),
)


def subscribers(event_type: str) -> list[str]:
    """The actor names an event of this type is sent to."""
    return [c.name for c in CONSUMERS if event_type in c.events]


def declare_actors(broker: dramatiq.Broker) -> None:
    for consumer in CONSUMERS:
        dramatiq.Actor(
            consumer.__call__,  # type: ignore[arg-type]  # Dramatiq's ParamSpec typing rejects bound methods
            broker=broker,
            actor_name=consumer.name,
            queue_name=QUEUE,
            priority=0,
            # An unknown event will not become known by retrying.
            options={"throws": (LookupError,), "max_retries": 10, "min_backoff": 500},
        )
