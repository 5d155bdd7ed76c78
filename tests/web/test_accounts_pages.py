"""Sign-up, sign-in, sign-out, CSRF and the platform administration, through the pages."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services as accounts
from commons.accounts.models import Organization, OrganizationAdmin, OrganizationKind, User
from tests import factories
from tests.conftest import eventually
from tests.factories import PASSWORD, Client
from tests.web.helpers import person, post_form, read, sign_in, signed_in_person, text_of


async def test_signup_verify_login_logout_flow(client: Client, session: AsyncSession, data_dir: Path) -> None:
    assert "Créer un compte" in (await client.get("/signup")).text

    signed_up = await post_form(
        client, "/signup", {"name": "Ana", "email": "ana@example.fr", "password": PASSWORD, "next": "/me"}
    )
    assert signed_up.status_code == 200
    assert "Consultez votre boîte mail" in text_of(signed_up)

    await eventually(lambda: _has_mail(data_dir, "ana@example.fr"))
    (welcome,) = factories.mail_to(data_dir, "ana@example.fr")
    assert welcome["Subject"] == "Confirmez votre adresse e-mail sur Commons"
    verified = await client.get(factories.link_in(welcome, "/verify-email"), follow_redirects=False)
    assert (verified.status_code, verified.headers["location"]) == (303, "/login")
    user = await read(session, select(User).where(User.email == "ana@example.fr"))
    assert user.email_verified

    logged_in = await post_form(client, "/login", {"email": "ana@example.fr", "password": PASSWORD, "next": "/me"})
    assert (logged_in.status_code, logged_in.headers["location"]) == (303, "/me")
    me = await client.get("/me")
    assert "Mon espace" in me.text and "ana@example.fr" in me.text
    assert "Bonjour, Ana" in me.text  # the one-shot message
    assert "Bonjour, Ana" not in (await client.get("/me")).text

    logged_out = await post_form(client, "/logout")
    assert logged_out.status_code == 303
    assert (await client.get("/me", follow_redirects=False)).headers["location"] == "/login?next=/me"
    assert "Se connecter" in (await client.get("/")).text


async def _has_mail(data_dir: Path, address: str, count: int = 1) -> bool:
    return len(factories.mail_to(data_dir, address)) >= count


async def test_signup_with_short_password_shows_the_form_again(client: Client, session: AsyncSession) -> None:
    answer = await post_form(client, "/signup", {"name": "Ana", "email": "ana@example.fr", "password": "court"})
    assert answer.status_code == 400
    assert "au moins 10 caractères" in answer.text
    assert 'value="ana@example.fr"' in answer.text  # what was typed is kept
    assert await read(session, select(func.count(User.id))) == 0


async def test_signup_with_a_known_address_looks_the_same_and_warns_the_owner(
    client: Client, session: AsyncSession, data_dir: Path
) -> None:
    existing = await person(session, "Ana")
    fresh = await post_form(client, "/signup", {"name": "Béa", "email": "bea.neuve@example.fr", "password": PASSWORD})
    again = await post_form(client, "/signup", {"name": "Ana", "email": existing.email, "password": PASSWORD})
    assert again.status_code == fresh.status_code == 200
    assert text_of(again) == text_of(fresh).replace("Béa", "Ana")
    await eventually(lambda: _has_mail(data_dir, existing.email))
    (warning,) = factories.mail_to(data_dir, existing.email)
    assert "Tentative d'inscription" in warning["Subject"]
    assert "/password/forgot" in warning.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert await read(session, select(func.count(User.id))) == 2


async def test_wrong_password_shows_the_login_form_with_a_message(client: Client, session: AsyncSession) -> None:
    user = await person(session)
    answer = await post_form(client, "/login", {"email": user.email, "password": "pas le bon mot de passe"})
    assert answer.status_code == 403
    assert "mot de passe incorrect" in answer.text
    assert '<form method="post" action="/login"' in answer.text


async def test_sixth_wrong_login_attempt_is_refused(client: Client, session: AsyncSession) -> None:
    user = await person(session)
    for _ in range(5):
        answer = await post_form(client, "/login", {"email": user.email, "password": "mauvais mot de passe"})
        assert answer.status_code == 403
    sixth = await post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert sixth.status_code == 429
    assert "Trop de tentatives" in sixth.text
    assert int(sixth.headers["retry-after"]) > 0


async def test_a_form_posted_without_csrf_token_is_refused(client: Client, session: AsyncSession) -> None:
    user = await person(session)
    await client.get("/login")
    answer = await client.post("/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403
    assert "commons_session" not in answer.cookies


async def test_login_does_not_follow_a_next_pointing_elsewhere(client: Client, session: AsyncSession) -> None:
    user = await person(session)
    page = await client.get("/login", params={"next": "https://evil.example/steal"})
    assert "evil.example" not in page.text
    for target in ("https://evil.example", "//evil.example/x", "/\\evil.example"):
        answer = await post_form(client, "/login", {"email": user.email, "password": PASSWORD, "next": target})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/"


async def test_admin_page_is_for_platform_admins_only(client: Client, session: AsyncSession) -> None:
    user = await signed_in_person(client, session)
    assert (await client.get("/admin")).status_code == 403
    refused = await post_form(client, "/admin/organizations", {"name": "Ville de Rennes", "kind": "collectivite"})
    assert refused.status_code == 403
    assert await read(session, select(func.count(Organization.id))) == 0
    organization = await accounts.create_organization(
        session, actor=None, name="Ville de Rennes", kind=OrganizationKind.COLLECTIVITE
    )
    refused = await post_form(client, f"/admin/organizations/{organization.id}/admins", {"email": user.email})
    assert refused.status_code == 403
    assert await read(session, select(func.count(OrganizationAdmin.id))) == 0


async def test_platform_admin_creates_an_organization_and_names_its_admin(
    client: Client, session: AsyncSession
) -> None:
    admin = await factories.platform_admin(session)
    mayor = await person(session, "Maire")
    await sign_in(client, admin.email)
    page = await client.get("/admin")
    assert page.status_code == 200 and "Créer une organisation" in page.text

    created = await post_form(client, "/admin/organizations", {"name": "Ville de Rennes", "kind": "collectivite"})
    assert (created.status_code, created.headers["location"]) == (303, "/admin")
    organization_id = await read(session, select(Organization.id).where(Organization.name == "Ville de Rennes"))
    assert organization_id is not None
    added = await post_form(client, f"/admin/organizations/{organization_id}/admins", {"email": mayor.email})
    assert added.status_code == 303
    assert await read(session, select(func.count(OrganizationAdmin.id))) == 1

    unknown = await post_form(client, f"/admin/organizations/{organization_id}/admins", {"email": "x@example.fr"})
    assert unknown.status_code == 404
    assert "Aucun compte" in unknown.text
    again = await post_form(client, "/admin/organizations", {"name": "Ville de Rennes", "kind": "collectivite"})
    assert again.status_code == 409

    await sign_in(client, mayor.email)
    assert "Publier un appel" in (await client.get("/")).text
