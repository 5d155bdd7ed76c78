"""Who hears of what: in-app notifications derived from domain events."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.challenges.models import Challenge, ChallengeFollower
from commons.db import utcnow
from commons.events.models import OutboxEvent
from commons.events.outbox import EventType
from commons.formatting import format_amount
from commons.notifications.models import Notification
from commons.pledges.models import Pledge
from commons.projects.models import Membership, MembershipRole, Need, Project

_FORM_NAMES = {"support": "soutien", "finance": "financement", "resources": "ressources"}


async def _leads(session: AsyncSession, project_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(Membership.user_id).where(
                Membership.project_id == project_id, Membership.role == MembershipRole.LEAD
            )
        )
    )


async def _name(session: AsyncSession, user_id: int) -> str:
    return await session.scalar(select(User.name).where(User.id == user_id)) or "Quelqu'un"


async def _recipients_and_message(session: AsyncSession, event: OutboxEvent) -> tuple[list[int], str, str]:
    payload = event.payload
    match event.type:
        case EventType.PLEDGE_MADE | EventType.PLEDGE_WITHDRAWN:
            project = await session.get(Project, payload["project_id"])
            need = await session.get(Need, payload["need_id"])
            pledge = await session.get(Pledge, payload["pledge_id"])
            if project is None or need is None or pledge is None:
                return [], "", ""
            who = await _name(session, payload["contributor_id"])
            amount = format_amount(payload["kind"], payload["amount"])
            if event.type == EventType.PLEDGE_MADE:
                verb = f"a promis {amount}" if payload["kind"] != "skill" else f"apporte la compétence {pledge.skill}"
            else:
                verb = f"a retiré sa contribution ({amount})"
            message = f"{who} {verb} pour « {need.label} » de votre projet « {project.title} »."
            leads = [u for u in await _leads(session, project.id) if u != payload["contributor_id"]]
            return leads, message, f"/projects/{project.id}"
        case EventType.PLEDGE_CONFIRMED:
            project = await session.get(Project, payload["project_id"])
            need = await session.get(Need, payload["need_id"])
            if project is None or need is None:
                return [], "", ""
            amount = format_amount(payload["kind"], payload["amount"])
            what = f"{amount} pour « {need.label} »" if payload["kind"] != "skill" else f"« {need.label} »"
            who = await _name(session, payload["confirmed_by"])
            if payload["confirmed_by"] == payload["contributor_id"]:
                # The contributor says the money is paid: the leads check they received it.
                message = f"{who} confirme avoir versé {what} à votre projet « {project.title} »."
                return await _leads(session, project.id), message, f"/projects/{project.id}"
            message = f"{who} a confirmé votre contribution de {what} au projet « {project.title} ». Merci !"
            return [payload["contributor_id"]], message, f"/projects/{project.id}"
        case EventType.PROJECT_SETTLED | EventType.PROJECT_CANCELLED:
            project = await session.get(Project, payload["project_id"])
            if project is None:
                return [], "", ""
            link = f"/projects/{project.id}"
            if event.type == EventType.PROJECT_CANCELLED:
                message = f"Le projet « {project.title} » est annulé : votre contribution est libérée."
                return list(payload["contributor_ids"]), message, link
            if payload["kept"]:
                message = f"« {project.title} » a atteint son minimum à l'échéance : les contributions sont maintenues."
                return await _leads(session, project.id), message, link
            message = (
                f"« {project.title} » n'a pas atteint son minimum à l'échéance : "
                "les contributions promises sont libérées."
            )
            return [*payload["contributor_ids"], *await _leads(session, project.id)], message, link
        case EventType.MEMBER_JOINED:
            project = await session.get(Project, payload["project_id"])
            membership = await session.scalar(
                select(Membership).where(
                    Membership.project_id == payload["project_id"], Membership.user_id == payload["user_id"]
                )
            )
            if project is None or membership is None:
                return [], "", ""
            forms = ", ".join(_FORM_NAMES.get(f, f) for f in membership.forms)
            who = await _name(session, payload["user_id"])
            message = f"{who} a rejoint votre projet « {project.title} » ({forms})."
            leads = [u for u in await _leads(session, project.id) if u != payload["user_id"]]
            return leads, message, f"/projects/{project.id}"
        case EventType.PROJECT_LAUNCHED:
            if payload.get("challenge_id") is None:
                return [], "", ""
            project = await session.get(Project, payload["project_id"])
            challenge = await session.get(Challenge, payload["challenge_id"])
            if project is None or challenge is None:
                return [], "", ""
            followers = list(
                await session.scalars(
                    select(ChallengeFollower.user_id).where(ChallengeFollower.challenge_id == challenge.id)
                )
            )
            message = f"Nouveau projet « {project.title} » sur l'appel « {challenge.title} »."
            return [u for u in followers if u != payload["author_id"]], message, f"/projects/{project.id}"
        case EventType.CHALLENGE_CLOSED:
            challenge = await session.get(Challenge, payload["challenge_id"])
            if challenge is None:
                return [], "", ""
            project_leads = await session.scalars(
                select(Membership.user_id)
                .join(Project, Project.id == Membership.project_id)
                .where(Project.challenge_id == challenge.id, Membership.role == MembershipRole.LEAD)
                .distinct()
            )
            return (
                list(project_leads),
                f"L'appel « {challenge.title} » est clos.",
                f"/challenges/{challenge.id}",
            )
    return [], "", ""


async def notify(session: AsyncSession, event: OutboxEvent) -> None:
    """The notification consumer: one message per person concerned by the event."""
    recipients, message, link = await _recipients_and_message(session, event)
    for user_id in sorted(set(recipients)):
        session.add(Notification(user_id=user_id, event_id=event.event_id, message=message[:500], link=link))


async def notifications_for(session: AsyncSession, user: User, limit: int = 50) -> list[Notification]:
    return list(
        await session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


async def unread_count(session: AsyncSession, user: User) -> int:
    count = await session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_all_read(session: AsyncSession, user: User) -> None:
    await session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    await session.commit()
