"""Tips through the case machinery: the table, routing, every status path, the feedback clock,
the credit record of a substantiated tip, duplicate linking (both databases)."""

from __future__ import annotations

from datetime import date

import pytest
from tip_factories import FACTS, FILED, file, make_tip_world

from selfservice.calendar import get_calendar
from selfservice.cases import service as cases
from selfservice.cases import sweeps
from selfservice.cases.flows import MoveIn
from selfservice.cases.models import Case, CaseTransition
from selfservice.cases.registry import case_type_of
from selfservice.cases.workflow import BadCaseTransition, ReasonRequired
from selfservice.errors import ValidationFailed
from selfservice.notifications.models import OutboxMessage
from selfservice.policy import load_policy
from selfservice.records.models import CreditRecord
from selfservice.reports import service
from selfservice.reports.enums import TipStatus
from selfservice.reports.models import Tip, TipMessage, TipReporter
from selfservice.reports.workflow import OPEN, WORKFLOW
from selfservice.store import MemoryStore

POLICY = load_policy("kunming")


def test_the_table_is_complete():
    assert case_type_of("report").workflow is WORKFLOW and case_type_of("report").prefix == "JB"
    assert WORKFLOW.final == {"redirected", "rejected", "concluded", "linked"}
    for status in OPEN:
        assert (status, "escalate") in WORKFLOW.table
        assert WORKFLOW.table[(status, "escalate")].public is False
    for action in ("redirect", "reject", "conclude"):
        source = next(m.source for m in WORKFLOW.moves if m.action == action)
        assert WORKFLOW.table[(source, action)].reason_required
    expected = {
        ("received", "accept"): "accepted",
        ("received", "redirect"): "redirected",
        ("received", "reject"): "rejected",
        ("received", "link"): "linked",
        ("accepted", "investigate"): "investigating",
        ("investigating", "conclude"): "concluded",
        ("concluded", "create_record"): "concluded",
    }
    for key, target in expected.items():
        assert WORKFLOW.table[key].target == target
    assert WORKFLOW.steps["received"].rule_id == "report.feedback_days"


def test_the_feedback_rule_is_a_labelled_platform_commitment():
    rule = POLICY.rule("report.feedback_days", FILED)
    assert rule.value == 5 and "平台承诺" in rule.title and "平台承诺" in rule.source


async def _move(tw, case, action, by=None, **kw):
    return await cases.act(
        actor=tw.w.staff(by or tw.w.handler),
        receipt=case.receipt,
        ask=MoveIn(action, **kw),
        policy=POLICY,
        today=FILED,
    )


async def test_routing_by_category_and_place(database, settings):
    tw = await make_tip_world()
    county = await file(settings, region_code="530102")
    assert county.case.department_id == tw.county.id
    city = await file(settings, facts="另一件事情：" + FACTS[::-1])
    assert city.case.department_id == tw.w.provider.id
    tax = await file(
        settings, category="tax", facts="该公司长期以个人账户收取货款，隐瞒销售收入逃避缴纳税款。"
    )
    assert tax.case.department_id == tw.w.acting_dept.id  # KM-SW
    nobody = await file(
        settings,
        category="work_safety",
        facts="工地脚手架没有防护网，工人不戴安全帽，多次险些发生事故。",
    )
    assert nobody.case.department_id == tw.w.credit_office.id  # no KM-YJGL: the credit office


async def test_anonymous_tip_keeps_no_reporter_and_answers_receipt_and_secret(database, settings):
    await make_tip_world()
    filed = await file(settings)
    assert filed.created and filed.case.receipt.startswith("JB20261202-")
    assert len(filed.secret.replace("-", "")) == 20  # 100 bits over a 32-symbol alphabet
    tip = await Tip.get(case_id=filed.case.id)
    assert tip.named is False and tip.secret_hash.startswith("$argon2id$")
    assert filed.secret.replace("-", "") not in tip.secret_hash
    assert not await TipReporter.exists(tip_id=tip.id)
    assert filed.case.subject_id is None and filed.case.account_id is None
    first = await CaseTransition.get(case_id=filed.case.id, action="file")
    assert (first.actor_kind, first.actor_id) == ("reporter", "")


async def test_named_tip_is_sealed_under_the_report_key(database, settings):
    from tip_factories import REPORTER_NAME, REPORTER_PHONE

    from selfservice.crypto import DecryptionError
    from selfservice.reports import seal

    await make_tip_world()
    filed = await file(settings, named=True)
    row = await TipReporter.get(tip_id=filed.tip.id)
    assert REPORTER_PHONE not in row.sealed and REPORTER_NAME not in row.sealed
    back = seal.unseal(row.sealed, key=settings.report_seal_key, tip_id=filed.tip.id)
    assert (back.name, back.phone) == (REPORTER_NAME, REPORTER_PHONE)
    assert REPORTER_PHONE not in repr(back)
    with pytest.raises(DecryptionError):
        seal.unseal(row.sealed, key=settings.data_key, tip_id=filed.tip.id)
    with pytest.raises(DecryptionError):  # bound to its tip
        seal.unseal(row.sealed, key=settings.report_seal_key, tip_id=filed.tip.id + 1)


async def test_a_named_tip_needs_the_right_code(database, settings):
    from selfservice.otp.service import InvalidCode

    await make_tip_world()
    with pytest.raises(InvalidCode):
        await file(settings, named=True, otp_code="000000")
    assert await Case.filter(kind="report").count() == 0


async def test_bad_input_names_fields_never_values(database, settings):
    await make_tip_world()
    with pytest.raises(ValidationFailed) as caught:
        await file(
            settings,
            facts="太短",
            declared=False,
            category="gossip",
            party=service.Party("某公司", "91530100MA6K0R1X6X"),
            named=True,
            reporter_name="柏知远",
            phone="12345",
            otp_code="1",
        )
    fields = {d["field"] for d in caught.value.details}
    assert fields == {
        "facts",
        "declaration",
        "category",
        "party.identifier",
        "reporter.phone",
    }
    assert "柏知远" not in str(caught.value.to_dict()) and "12345" not in str(caught.value.details)


async def test_accept_investigate_conclude_substantiated_creates_a_record(database, settings):
    tw = await make_tip_world()
    filed = await file(settings, named=True)
    case = await _move(tw, filed.case, "accept")
    assert case.status == TipStatus.ACCEPTED
    case = await _move(tw, case, "investigate")
    with pytest.raises(ReasonRequired):
        await _move(tw, case, "conclude", outcome="substantiated")
    with pytest.raises(ValidationFailed):
        await _move(tw, case, "conclude", outcome="maybe", reason="查实")
    case = await _move(tw, case, "conclude", outcome="substantiated", reason="现场检查查实")
    assert case.status == "concluded" and case.closed_on == FILED
    assert case.data["outcome"] == "substantiated"
    with pytest.raises(ValidationFailed) as caught:
        await _move(tw, case, "create_record", fields={"title": "销售过期食品"})
    assert "fields.document_number" in {d["field"] for d in caught.value.details}
    fields = {
        "document_number": "KM市监罚〔2026〕88号",
        "catalogue_class": "administrative_penalty",
        "severity": "general",
        "title": "销售过期食品",
        "finding_date": "2026-12-01",
    }
    case = await _move(tw, case, "create_record", fields=fields)
    tip = await Tip.get(case_id=case.id)
    record = await CreditRecord.get(id=tip.record_id)
    assert record.subject_id == tw.w.subject.id and record.provider_id == tw.w.provider.id
    assert case.data["record_id"] == record.id
    with pytest.raises(ValidationFailed):  # once only
        await _move(tw, case, "create_record", fields=fields)
    bodies = [m.body for m in await TipMessage.filter(tip_id=tip.id).order_by("id")]
    assert bodies[1:] == [
        "您的举报已受理（立案），处理部门将组织调查核实。",
        "您的举报已进入调查核实阶段。",
        "核查结论：举报属实。现场检查查实",
    ]
    sms = await OutboxMessage.filter(channel="sms_tip").values_list("receipt", "body")
    assert sms and all(r == case.receipt and b == "" for r, b in sms)


async def test_unsubstantiated_redirect_reject_paths(database, settings):
    tw = await make_tip_world()
    one = await file(settings)
    await _move(tw, one.case, "accept")
    await _move(tw, one.case, "investigate")
    done = await _move(tw, one.case, "conclude", outcome="unsubstantiated", reason="未发现问题")
    with pytest.raises(ValidationFailed):
        await _move(tw, done, "create_record", fields={})

    two = await file(
        settings,
        category="consumer_rights",
        facts="商场拒绝退换有质量问题的电视机，多次协商无果，要求赔偿被拒。",
    )
    with pytest.raises(ReasonRequired):
        await _move(tw, two.case, "redirect")
    gone = await _move(tw, two.case, "redirect", reason="消费纠纷请拨打12315或登录全国12315平台")
    assert gone.status == "redirected" and gone.closed_on
    last = await TipMessage.filter(tip_id=two.tip.id).order_by("-id").first()
    assert "12315" in last.body and "请按以下途径反映" in last.body

    three = await file(
        settings, category="other", facts="隔壁邻居经常吵架，声音很大，希望有关部门管一管这件事情。"
    )
    assert three.case.department_id == tw.w.credit_office.id
    refused = await _move(tw, three.case, "reject", by=tw.w.credit, reason="不属于失信行为")
    assert refused.status == "rejected"
    with pytest.raises(BadCaseTransition):
        await _move(tw, refused, "accept", by=tw.w.credit)


async def test_the_five_working_day_feedback_clock_reminds_and_escalates(database, settings):
    tw = await make_tip_world()
    filed = await file(settings, named=True)
    due = get_calendar().deadline(FILED, 5).due
    assert filed.case.step == "feedback" and filed.case.step_due == due == date(2026, 12, 9)
    reminded = await sweeps.sweep(today=date(2026, 12, 7), policy=POLICY)
    assert reminded["reminded"] == 1
    late = await sweeps.sweep(today=date(2026, 12, 10), policy=POLICY)
    assert late["escalated"] == 1
    escalation = await CaseTransition.get(case_id=filed.case.id, action="escalate")
    assert escalation.actor_kind == "system"
    to = await OutboxMessage.filter(template="deadline_escalation").values_list(
        "staff_id", flat=True
    )
    assert tw.w.supervisor.id in to
    accepted = await _move(tw, filed.case, "accept")
    assert accepted.step == "investigate" and accepted.step_due is None


async def test_near_identical_tip_is_linked_to_the_first(database, settings):
    tw = await make_tip_world()
    first = await file(settings, region_code="530102")
    again = await file(settings, facts=FACTS.replace("多名顾客", "好几名顾客"))
    assert again.case.receipt != first.case.receipt and again.secret != first.secret
    assert again.case.status == "linked" and again.tip.duplicate_of_id == first.tip.id
    assert again.case.department_id == tw.county.id
    assert again.case.data["duplicate_of"] == first.case.receipt
    other_category = await file(settings, category="product_quality")
    assert other_category.case.status == "received"
    different = await file(
        settings, facts="该店使用地沟油炸制食品，油锅里的油一个月都不换，气味刺鼻。"
    )
    assert different.case.status == "received"
    later = await file(settings, today=date(2027, 1, 15))
    assert later.case.status == "received"
    # the reporter of the linked tip follows the first tip's progress, without its receipt
    await _move(tw, first.case, "accept", by=tw.w.supervisor)
    view = await service.follow(
        receipt=again.case.receipt, secret=again.secret, settings=settings, store=MemoryStore()
    )
    assert view["status_label"] == "已并案处理" and view["progress_label"] == "已受理"
    assert first.case.receipt not in str(view)


def test_similarity_is_near_one_for_near_identical_facts():
    assert service.similarity(FACTS, FACTS.replace("多名", "好几名")) > 0.8
    assert service.similarity(FACTS, "完全不同的一件事情，与餐馆无关。") < 0.3
