"""A test-only case kind (table + flows + registry entry) runs through the generic machinery."""

from __future__ import annotations

from datetime import date

import pytest
from objection_factories import make_world
from tortoise.transactions import in_transaction

from selfservice import db
from selfservice.audit.models import AuditLog
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.cases import service as cases
from selfservice.cases import sweeps
from selfservice.cases.flows import Effect, MoveContext
from selfservice.cases.models import Case, CaseTransition
from selfservice.cases.registry import CASE_TYPES, CaseType, register, unregister
from selfservice.cases.workflow import Move, Step, Workflow
from selfservice.notifications.models import OutboxMessage
from selfservice.policy import load_policy

STAFF = frozenset({"handler", "supervisor", "credit_office"})
SUBJECT = frozenset({"subject"})
OPEN = ("submitted", "reviewed")


async def close_flow(*, ctx: MoveContext) -> Effect:
    ctx.case.data = {**ctx.case.data, "note": ctx.ask.reason}
    return Effect(data={"note": ctx.ask.reason}, notice=f"结论：{ctx.ask.reason}")


INSPECTION = CaseType(
    kind="inspection",
    prefix="TT",
    label_zh="测试办件",
    scope="inspection",
    workflow=Workflow(
        kind="inspection",
        initial="submitted",
        labels={"submitted": "待审查", "reviewed": "已审查", "closed": "已办结", "gone": "已撤回"},
        moves=(
            Move("review", "submitted", "reviewed", STAFF, "审查"),
            Move("close", "reviewed", "closed", STAFF, "办结", reason_required=True),
            *(Move("withdraw", s, "gone", SUBJECT, "撤回") for s in OPEN),
            *(
                Move("escalate", s, s, frozenset({"system"}), "超期提醒", public=False)
                for s in OPEN
            ),
        ),
        steps={
            "submitted": Step("review", "审查", "objection.provider_answer_days"),
            "reviewed": Step("close", "办结"),
        },
        final_rule_id="objection.decision_days",
        decisions=frozenset({"closed"}),
    ),
    flows={"close": close_flow},
    notices={"close": "测试办件已办结", "withdraw": "测试办件已撤回"},
)
FILED = date(2026, 11, 20)


@pytest.fixture
def inspection_kind():
    register(INSPECTION)
    yield INSPECTION
    unregister(INSPECTION.kind)


async def _open(w, policy) -> Case:
    async with in_transaction():
        case, _ = await cases.open_case(
            kind="inspection",
            actor=w.subject_actor(),
            department_id=w.provider.id,
            policy=policy,
            today=FILED,
            subject_id=w.subject.id,
            title="测试",
        )
    return case


def test_a_kind_is_checked_when_registered():
    with pytest.raises(ValueError, match="flows for actions not in the table"):
        CaseType(**{**INSPECTION.__dict__, "flows": {"nope": close_flow}})
    with pytest.raises(ValueError, match="prefix"):
        CaseType(**{**INSPECTION.__dict__, "prefix": "T1"})
    with pytest.raises(ValueError, match="already used"):
        register(CaseType(**{**INSPECTION.__dict__, "kind": "twin", "prefix": "YY"}))
    assert "twin" not in CASE_TYPES


async def test_generic_staff_endpoint_progress_and_sweep_handle_a_new_kind(
    inspection_kind, make_app, database
):
    w = await make_world()
    policy = load_policy("kunming")
    case = await _open(w, policy)
    late = await _open(w, policy)
    assert case.receipt.startswith("TT20261120-") and case.due and case.step_due
    await db.close()
    app = make_app(database)
    settings = app.ctx.settings

    def auth(principal: Principal) -> dict[str, str]:
        return {
            "authorization": f"Bearer {issue_access_token(settings=settings, principal=principal)}"
        }

    handler = auth(w.principal(w.handler))
    subject = auth(Principal(kind="subject", subject_id=w.subject.id, scopes=("all",)))
    agent = auth(Principal(kind="subject", subject_id=w.subject.id, scopes=("records:read",)))
    client = app.asgi_client

    _, queue = await client.get("/api/v1/staff/queue?kind=inspection", headers=handler)
    assert queue.status == 200, queue.text
    assert {c["receipt"] for c in queue.json["items"]} == {case.receipt, late.receipt}
    _, page = await client.get(f"/api/v1/staff/cases/{case.receipt}", headers=handler)
    assert page.json["kind_label"] == "测试办件"
    assert {a["action"] for a in page.json["allowed"]} == {"review"}
    url = f"/api/v1/staff/cases/{case.receipt}/transitions"
    _, res = await client.post(url, json={"action": "review"}, headers=handler)
    assert res.status == 200 and res.json["status"] == "reviewed", res.text
    _, res = await client.post(url, json={"action": "close"}, headers=handler)
    assert res.status == 422 and res.json["error"]["code"] == "reason_required"
    _, res = await client.post(url, json={"action": "close", "reason": "无问题"}, headers=handler)
    assert res.status == 200 and res.json["status"] == "closed"
    assert res.json["data"]["note"] == "无问题"

    _, mine = await client.get(f"/api/v1/cases/{case.receipt}", headers=subject)
    assert mine.json["status_label"] == "已办结"
    assert [t["action"] for t in mine.json["timeline"]] == ["file", "review", "close"]

    # the subject's own withdrawal goes through the generic route, and the kind's agent scope
    _, denied = await client.post(f"/api/v1/cases/{late.receipt}/withdraw", json={}, headers=agent)
    assert denied.status == 403
    _, gone = await client.post(f"/api/v1/cases/{late.receipt}/withdraw", json={}, headers=subject)
    assert gone.status == 200 and gone.json["status"] == "gone", gone.text

    await db.connect(database)
    titles = set(await OutboxMessage.all().values_list("title", flat=True))
    assert {"测试办件已办结", "测试办件已撤回"} <= titles
    actions = set(await AuditLog.all().values_list("action", flat=True))
    assert {"inspection.review", "inspection.close"} <= actions


async def test_deadline_sweep_escalates_a_new_kind(inspection_kind, database):
    w = await make_world()
    policy = load_policy("kunming")
    case = await _open(w, policy)
    later = date(2027, 3, 1)
    counts = await sweeps.sweep(today=later, policy=policy)
    assert counts["escalated"] == 1
    escalation = await CaseTransition.get(case_id=case.id, action="escalate")
    assert escalation.actor_kind == "system" and escalation.data["step"] == "review"
    assert (await sweeps.sweep(today=later, policy=policy))["escalated"] == 0
