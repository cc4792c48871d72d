"""Report tests reuse the objection world and add a custodian and a county department."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "objections"))

from tip_factories import make_tip_world

from selfservice import db
from selfservice.accounts.enums import AccountKind
from selfservice.accounts.models import Account
from selfservice.auth.tokens import Principal, issue_access_token


@pytest.fixture
async def http(make_app, database, redis_url):
    """An app on the tip world (real Redis) and an auth header per role."""
    tw = await make_tip_world()
    account = await Account.create(kind=AccountKind.PHONE, subject=tw.w.subject)
    await db.close()
    app = make_app(database, redis_url=redis_url)
    settings = app.ctx.settings

    def auth(principal: Principal) -> dict[str, str]:
        token = issue_access_token(settings=settings, principal=principal)
        return {"authorization": f"Bearer {token}"}

    heads = {
        "subject": auth(
            Principal(
                kind="subject", subject_id=tw.w.subject.id, account_id=account.id, scopes=("all",)
            )
        ),
        "handler": auth(tw.w.principal(tw.w.handler)),
        "supervisor": auth(tw.w.principal(tw.w.supervisor)),
        "credit": auth(tw.w.principal(tw.w.credit)),
        "outsider": auth(tw.w.principal(tw.w.outsider)),
        "custodian": auth(tw.w.principal(tw.custodian)),
        "auditor": auth(tw.w.principal(tw.auditor)),
        "admin": auth(tw.w.principal(tw.admin)),
    }
    return app, tw, heads, database
