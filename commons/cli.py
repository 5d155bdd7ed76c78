"""The ``commons`` command: serve, worker, migrate, demo, ledger, admin, allocate.

Every command but ``allocate`` (a computation on a file) first applies pending migrations,
so each works on a fresh data directory.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from commons.accounts.kinds import OrganizationKind
from commons.budgeting.cli import register as register_allocate

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from commons.settings import Settings

# The database layer, the web stack and the services are imported by the commands that use them, so
# that `commons allocate` (a computation on a file) starts in a fraction of a second.

T = TypeVar("T")


def _run_with_session(settings: Settings, use_case: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from commons.db import create_engine, create_sessionmaker

    async def run() -> T:
        engine = create_engine(settings.database_url, settings.database_timeouts)
        try:
            async with create_sessionmaker(engine)() as session:
                return await use_case(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    print(f"Base de données à jour ({_safe_url(settings.database_url)}).")
    return 0


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's cpuset), not the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    if settings.embedded_jobs and args.workers not in (None, 1):
        # Without Redis the jobs queue lives in the serving process: several processes would each run
        # their own queue and deadline sweep over one SQLite file, and a page could not see another
        # process's computation progress.
        print(
            "Plusieurs processus web demandent Redis (REDIS_URL) : sans lui, les tâches tournent dans le "
            "processus web. Lancez `commons serve` sans --workers, ou définissez REDIS_URL.",
            file=sys.stderr,
        )
        return 2
    workers = args.workers or (1 if settings.embedded_jobs else available_cores())
    mode = "tâches en processus (pas de Redis)" if settings.embedded_jobs else "tâches via Redis"
    print(
        f"Commons sur http://{args.host}:{args.port} — {_safe_url(settings.database_url)}, {mode}, "
        f"{workers} processus.",
        flush=True,
    )
    # Each uvicorn worker process builds its own application (and engine) from the environment.
    uvicorn.run(
        "commons.web.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        log_level="info",
    )
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from commons.budgeting.progress import install_board
    from commons.mail.senders import install_postman
    from commons.web.page_cache import install_page_cache
    from workers.broker import build_broker, start_worker

    if settings.embedded_jobs:
        print(
            "commons worker consomme les tâches depuis Redis : définissez REDIS_URL (et DATABASE_URL). "
            "Sans Redis, `commons serve` exécute les tâches lui-même.",
            file=sys.stderr,
        )
        return 2
    # The computations this worker runs report their progress in Redis, where the web process reads it.
    install_board(settings)
    install_postman(settings)
    # The pages this worker's events change are purged from the cache the web processes serve.
    install_page_cache(settings)
    broker = build_broker(settings)
    worker = start_worker(broker, threads=args.threads)
    print(f"Worker démarré ({args.threads} fils) sur {settings.redis_url}.", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    worker.stop()
    broker.close()
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from commons.demo import load_demo

    message = _run_with_session(settings, load_demo)
    print(message)
    return 0


def cmd_ledger_check(settings: Settings, args: argparse.Namespace) -> int:
    from commons.ledger.check import run_check

    return asyncio.run(run_check(settings.database_url))


def cmd_create_authority(settings: Settings, args: argparse.Namespace) -> int:
    from commons.accounts import services as accounts

    async def use_case(session: AsyncSession) -> str:
        user = await accounts.ensure_user(
            session, email=args.admin_email, password=args.admin_password, name=args.admin_name or args.name
        )
        organization = await accounts.create_organization(
            session, actor=None, name=args.name, kind=OrganizationKind.COLLECTIVITE
        )
        await accounts.add_organization_admin(session, actor=None, organization_id=organization.id, email=user.email)
        name, number = organization.name, organization.id
        return f"Collectivité « {name} » (id {number}) créée, administrée par {user.email}."

    print(_run_with_session(settings, use_case))
    return 0


def cmd_create_organization(settings: Settings, args: argparse.Namespace) -> int:
    from commons.accounts import services as accounts

    async def use_case(session: AsyncSession) -> str:
        organization = await accounts.create_organization(
            session, actor=None, name=args.name, kind=OrganizationKind(args.kind)
        )
        return f"Organisation « {organization.name} » ({organization.kind.value}) créée, id {organization.id}."

    print(_run_with_session(settings, use_case))
    return 0


def cmd_add_admin(settings: Settings, args: argparse.Namespace) -> int:
    from commons.accounts import services as accounts

    async def use_case(session: AsyncSession) -> str:
        await accounts.add_organization_admin(
            session, actor=None, organization_id=args.organization_id, email=args.email
        )
        return f"{args.email} administre désormais l'organisation {args.organization_id}."

    print(_run_with_session(settings, use_case))
    return 0


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from commons.accounts import services as accounts

    async def use_case(session: AsyncSession) -> str:
        user = await accounts.sign_up(
            session,
            email=args.email,
            password=args.password,
            name=args.name,
            is_platform_admin=args.platform_admin,
            email_verified=True,
        )
        role = "administrateur de la plateforme" if user.is_platform_admin else "compte"
        return f"{role.capitalize()} {user.email} créé (id {user.id})."

    print(_run_with_session(settings, use_case))
    return 0


def cmd_dead_letters(settings: Settings, args: argparse.Namespace) -> int:
    from workers.actors import QUEUE
    from workers.broker import build_broker
    from workers.dead_letters import CommonsRedisBroker, DeadLetters

    broker = build_broker(settings)
    if not isinstance(broker, CommonsRedisBroker):
        print("Sans Redis (REDIS_URL), les tâches tournent en processus : pas de file de messages en échec.")
        return 2
    dead_letters = DeadLetters(broker, QUEUE)
    try:
        if args.all:
            print(f"{dead_letters.replay_all()} message(s) remis en file.")
        elif args.replay:
            dead_letters.replay(args.replay)
            print(f"Message {args.replay} remis en file.")
        else:
            letters = dead_letters.list()
            for letter in letters:
                what = f"{letter.actor}{tuple(letter.args or ())!r}" if letter.actor else f"illisible : {letter.raw!r}"
                print(f"{letter.id}  {letter.dead_at:%Y-%m-%d %H:%M:%S}  {what}")
            print(f"{len(letters)} message(s) en échec.")
    finally:
        broker.close()
    return 0


def _safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("attendu un nombre entier positif")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="commons", description="Appels à communs et co-budgets.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="appliquer les migrations et servir l'application web")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="processus web (défaut : un par cœur disponible avec Redis, un seul sans Redis)",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="consommer les tâches depuis Redis")
    worker.add_argument("--threads", type=int, default=4)
    worker.set_defaults(func=cmd_worker)

    sub.add_parser("migrate", help="appliquer les migrations en attente").set_defaults(func=cmd_migrate)
    # Pure computation on a file: no settings, no database.
    register_allocate(sub).set_defaults(without_database=True)
    sub.add_parser("demo", help="charger le territoire de démonstration").set_defaults(func=cmd_demo)

    ledger = sub.add_parser("ledger", help="grand livre des ressources (argent et temps)").add_subparsers(
        dest="ledger_command", required=True
    )
    ledger.add_parser(
        "check", help="vérifier les invariants du grand livre (code de sortie 1 en cas de problème)"
    ).set_defaults(func=cmd_ledger_check)

    admin = sub.add_parser("admin", help="organisations et administrateurs").add_subparsers(
        dest="admin_command", required=True
    )
    authority = admin.add_parser("create-authority", help="créer une collectivité et son administrateur")
    authority.add_argument("--name", required=True)
    authority.add_argument("--admin-email", required=True)
    authority.add_argument("--admin-password", required=True)
    authority.add_argument("--admin-name", default=None)
    authority.set_defaults(func=cmd_create_authority)

    organization = admin.add_parser("create-organization", help="créer une organisation")
    organization.add_argument("--name", required=True)
    organization.add_argument("--kind", required=True, choices=[k.value for k in OrganizationKind])
    organization.set_defaults(func=cmd_create_organization)

    add_admin = admin.add_parser("add-admin", help="donner à un compte l'administration d'une organisation")
    add_admin.add_argument("--organization-id", type=int, required=True)
    add_admin.add_argument("--email", required=True)
    add_admin.set_defaults(func=cmd_add_admin)

    user = admin.add_parser("create-user", help="créer un compte")
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--platform-admin", action="store_true")
    user.set_defaults(func=cmd_create_user)

    dead_letters = admin.add_parser(
        "dead-letters", help="lister les messages que les workers n'ont pas pu traiter, ou les rejouer"
    )
    replay = dead_letters.add_mutually_exclusive_group()
    replay.add_argument("--replay", metavar="ID", help="remettre ce message en file")
    replay.add_argument("--all", action="store_true", help="remettre en file tous les messages lisibles")
    dead_letters.set_defaults(func=cmd_dead_letters)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _command(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader of the output stopped early (`commons allocate … | head`): stop writing, without a
        # traceback (Python's recipe: stdout to /dev/null, so that the flush at exit cannot fail again).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


def _command(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "without_database", False):
        pure: int = args.func(args)
        return pure
    from commons.errors import DomainError
    from commons.migrate import upgrade
    from commons.settings import load_settings

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except ValueError as error:
        # A bad environment variable: say which and how to fix it, without a traceback.
        print(f"Configuration invalide : {error}", file=sys.stderr)
        return 2
    try:
        upgrade(settings.database_url)
        code: int = args.func(settings, args)
    except DomainError as error:
        print(f"Erreur : {error.message}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
