"""Tips: filing (anonymous or named), follow-up with receipt + secret, the thread, unsealing.

Staff moves (accept, redirect, reject, investigate, conclude, create_record) are
``cases.service.act`` with the flows in ``reports/flows.py``; confidentiality rules are in
``reports/policy.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from selfservice.audit import service as audit
from selfservice.cases import service as cases
from selfservice.cases.actors import SYSTEM, Actor
from selfservice.cases.enums import CaseKind
from selfservice.cases.flows import MoveIn
from selfservice.cases.models import Case, CaseEvidence
from selfservice.cases.registry import case_type_of
from selfservice.cases.sweeps import supervisors_of
from selfservice.enums import ActorKind
from selfservice.errors import DomainError, Forbidden, NotFound, TooManyRequests, ValidationFailed
from selfservice.evidence import service as evidence_service
from selfservice.evidence.models import Evidence
from selfservice.notifications import outbox
from selfservice.otp import service as otp
from selfservice.policy import Policy
from selfservice.reports import policy as confidentiality
from selfservice.reports import seal
from selfservice.reports.categories import TipCategory, label_of, route
from selfservice.reports.enums import TipStatus
from selfservice.reports.models import Tip, TipMessage, TipReporter
from selfservice.settings import Settings
from selfservice.staff.models import Department
from selfservice.store import SharedStore, key
from selfservice.subjects.service import parse_identifier

FACTS_MIN, FACTS_MAX = 20, 5000
MESSAGE_MAX = 2000
DUPLICATE_WINDOW_DAYS = 30
DUPLICATE_SIMILARITY = 0.8
OTP_PURPOSE = "verify_tip"
REPLAY_TTL = 600
SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (32 symbols, 5 bits each)
SECRET_CHARS = 20  # 100 bits
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
_DUMMY_HASH = _HASHER.hash("not-a-secret")
_PHONE = re.compile(r"1[3-9]\d{9}")
_RECEIPT = re.compile(r"JB\d{8}-\d{4}")


@dataclass(frozen=True)
class Limit:
    limit: int
    window: int


# filing: per session/device, per address, per phone; follow-up: wrong secrets per receipt and
# per address (then both answer 429 for a while), and reporter messages per tip
LIMITS = {
    "file_device": Limit(5, 3600),
    "file_address": Limit(20, 86_400),
    "file_phone": Limit(3, 86_400),
    "wrong_receipt": Limit(5, 900),
    "wrong_address": Limit(20, 3600),
    "message_tip": Limit(20, 86_400),
}


class TipNotFound(NotFound):
    """Unknown receipt and wrong secret alike, so neither can be told apart."""

    code = "tip_not_found"
    message_zh, message_en = "受理编号或查询密码不正确", "Unknown receipt or wrong secret"


class TipLocked(TooManyRequests):
    code = "tip_locked"
    message_zh, message_en = (
        "查询密码错误次数过多，请稍后再试",
        "Too many wrong secrets, try again later",
    )


class TipRateLimited(TooManyRequests):
    code = "tip_rate_limited"
    message_zh, message_en = "提交过于频繁，请稍后再试", "Too many submissions, try again later"


class UnsealRefused(Forbidden):
    code = "unseal_forbidden"
    message_zh, message_en = (
        "仅举报信息保管员可启封举报人信息",
        "Only a report custodian may unseal",
    )


class NothingSealed(NotFound):
    code = "tip_anonymous"
    message_zh, message_en = "该举报为匿名举报，没有举报人信息", "An anonymous tip has no reporter"


@dataclass(frozen=True)
class Party:
    name: str
    identifier: str = ""
    address: str = ""


@dataclass(frozen=True)
class TipIn:
    """One tip as filed; reporter fields only when ``named``."""

    category: str
    party: Party
    facts: str
    declared: bool
    place: str = ""
    region_code: str = ""
    happened: str = ""
    named: bool = False
    reporter_name: str = ""
    phone: str = ""
    otp_code: str = ""
    account_id: int | None = None
    evidence_ids: Sequence[str] = field(default_factory=tuple)

    def check(self) -> TipIn:
        """Field problems name the field, never echo the value."""
        bad: list[dict[str, str]] = []
        if self.category not in {c.value for c in TipCategory}:
            bad.append({"field": "category", "problem": f"one of {[c.value for c in TipCategory]}"})
        if not 1 <= len(self.party.name.strip()) <= 200:
            bad.append({"field": "party.name", "problem": "1-200 chars"})
        if self.party.identifier:
            try:
                parse_identifier(self.party.identifier)
            except DomainError:
                bad.append({"field": "party.identifier", "problem": "invalid check character"})
        if not FACTS_MIN <= len(self.facts.strip()) <= FACTS_MAX:
            bad.append({"field": "facts", "problem": f"{FACTS_MIN}-{FACTS_MAX} chars"})
        if not self.declared:
            bad.append({"field": "declaration", "problem": "must be accepted"})
        if self.region_code and not re.fullmatch(r"\d{6}", self.region_code):
            bad.append({"field": "region_code", "problem": "6 digits"})
        if self.named:
            if not 1 <= len(self.reporter_name.strip()) <= 50:
                bad.append({"field": "reporter.name", "problem": "1-50 chars"})
            if not _PHONE.fullmatch(self.phone):
                bad.append({"field": "reporter.phone", "problem": "a mainland mobile number"})
            if not self.otp_code.strip():
                bad.append({"field": "reporter.otp", "problem": "required"})
        if bad:
            raise ValidationFailed(details=bad)
        return self

    def payload(self) -> dict[str, Any]:
        """What a retry must repeat exactly; the reporter's identity is left out."""
        return {
            "category": self.category,
            "party": [self.party.name.strip(), self.identifier, self.party.address.strip()],
            "facts": self.facts.strip(),
            "place": [self.place.strip(), self.region_code, self.happened.strip()],
            "named": self.named,
            "evidence": sorted(self.evidence_ids),
        }

    @property
    def identifier(self) -> str:
        return parse_identifier(self.party.identifier)[1] if self.party.identifier else ""


@dataclass(frozen=True)
class Filed:
    case: Case
    tip: Tip
    secret: str | None
    created: bool


@dataclass(frozen=True)
class Caller:
    """Where a request comes from, used only for rate limits and never stored with a tip."""

    address: str = ""
    device: str = ""
    account_id: int | None = None


def new_secret() -> str:
    raw = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_CHARS))
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_CHARS, 4))


def _normal_secret(secret: str) -> str:
    return re.sub(r"[\s-]", "", secret or "").upper()


async def _hash(secret: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, _normal_secret(secret))


async def _verify(stored: str, secret: str) -> bool:
    def check() -> bool:
        try:
            return _HASHER.verify(stored, _normal_secret(secret))
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def _digest(settings: Settings, *parts: str) -> str:
    secret = settings.secret_key.reveal().encode()
    return hmac.new(secret, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


async def _count(store: SharedStore, name: str, ident: str) -> int:
    limit = LIMITS[name]
    return await store.incr(key("tip", name, ident), ttl=limit.window)


async def _over(store: SharedStore, name: str, ident: str) -> bool:
    raw = await store.get(key("tip", name, ident))
    return raw is not None and int(raw) >= LIMITS[name].limit


async def _limit_filing(
    store: SharedStore, settings: Settings, tip_in: TipIn, caller: Caller
) -> None:
    checks = [("file_address", caller.address), ("file_device", caller.device)]
    if caller.account_id is not None:
        checks.append(("file_device", f"account:{caller.account_id}"))
    if tip_in.named:
        checks.append(("file_phone", seal.tag(tip_in.phone, key=settings.report_seal_key)))
    for name, value in checks:
        if value and await _count(store, name, _digest(settings, name, value)) > LIMITS[name].limit:
            raise TipRateLimited(details={"retry_after": LIMITS[name].window})


def _party_key(tip_in: TipIn) -> str:
    if tip_in.identifier:
        return tip_in.identifier
    name = re.sub(r"[\s（）()·,，.。]", "", tip_in.party.name).lower()
    return hashlib.sha256(name.encode()).hexdigest()[:40]


def _shingles(text: str) -> set[str]:
    plain = re.sub(r"[\s\W_]+", "", text.lower())
    return {plain[i : i + 2] for i in range(max(len(plain) - 1, 1))}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams (near-identical facts score near 1)."""
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


async def _first_of_same(tip_in: TipIn, party_key: str, today: date) -> Tip | None:
    """The earliest recent tip on the same party and category with near-identical facts."""
    since = today - timedelta(days=DUPLICATE_WINDOW_DAYS)
    candidates = (
        await Tip.filter(
            party_key=party_key,
            category=tip_in.category,
            duplicate_of_id__isnull=True,
            case__filed_on__gte=since,
        )
        .select_related("case")
        .order_by("id")
    )
    for tip in candidates:
        if similarity(tip.case.data.get("facts", ""), tip_in.facts) >= DUPLICATE_SIMILARITY:
            return tip
    return None


async def _adopt(evidence: Sequence[Evidence], owner: str) -> None:
    """Files uploaded by a signed-in reporter become the tip's own, so no row points back."""
    for row in evidence:
        row.owner, row.subject_id = owner, None
        await row.save(update_fields=["owner", "subject_id"])


def reporter_actor(receipt: str) -> Actor:
    """The reporter as the case machinery records it: no account, subject or device."""
    return Actor("reporter", receipt)


def _replay_key(settings: Settings, idempotency_key: str) -> str:
    return key("tip", "replay", _digest(settings, "replay", idempotency_key))


async def _replayed_secret(
    store: SharedStore, settings: Settings, idempotency_key: str | None
) -> str | None:
    if not idempotency_key:
        return None
    token = await store.get(_replay_key(settings, idempotency_key))
    if token is None:
        return None
    return seal.unseal_text(token, key=settings.report_seal_key, context="tip.replay")


async def file_tip(
    *,
    tip_in: TipIn,
    settings: Settings,
    store: SharedStore,
    policy: Policy,
    today: date,
    caller: Caller,
    uploader: Actor | None = None,
    idempotency_key: str | None = None,
    max_files: int = 9,
) -> Filed:
    """File a tip; a retry with the same key gets the same receipt (and, for a few minutes, the
    same secret). A near-duplicate of a recent tip is linked to it under its own receipt."""
    tip_in.check()
    scope = "tip"
    fp = cases.fingerprint(tip_in.payload())
    earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
    if earlier is not None:
        tip = await Tip.get(case_id=earlier.id)
        secret = await _replayed_secret(store, settings, idempotency_key)
        return Filed(earlier, tip, secret, False)
    await _limit_filing(store, settings, tip_in, caller)
    if tip_in.named:
        phone, code = tip_in.phone, tip_in.otp_code
        await otp.check(store=store, settings=settings, purpose=OTP_PURPOSE, phone=phone, code=code)
    category = TipCategory(tip_in.category)
    department = await route(
        category=category, jurisdiction=settings.jurisdiction, region_code=tip_in.region_code
    )
    files = (
        await evidence_service.owned(actor=uploader, evidence_ids=list(tip_in.evidence_ids))
        if uploader and tip_in.evidence_ids
        else []
    )
    secret = new_secret()
    secret_hash = await _hash(secret)
    try:
        async with in_transaction():
            filed = await _open(
                tip_in,
                department=department,
                secret_hash=secret_hash,
                seal_key=settings.report_seal_key,
                policy=policy,
                today=today,
                files=files,
                max_files=max_files,
            )
            await cases.remember(scope=scope, key=idempotency_key, fingerprint_=fp, case=filed.case)
    except IntegrityError:
        earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
        if earlier is None:
            raise
        tip = await Tip.get(case_id=earlier.id)
        return Filed(earlier, tip, await _replayed_secret(store, settings, idempotency_key), False)
    if idempotency_key:
        token = seal.seal_text(secret, key=settings.report_seal_key, context="tip.replay")
        await store.set(_replay_key(settings, idempotency_key), token, ttl=REPLAY_TTL)
    return Filed(filed.case, filed.tip, secret, True)


def filed_view(filed: Filed) -> dict[str, Any]:
    """The filing answer: receipt, the one-time secret, status and the feedback date."""
    case = filed.case
    wf = case_type_of(case.kind).workflow
    return {
        "receipt": case.receipt,
        "secret": filed.secret,
        "status": case.status,
        "status_label": wf.labels.get(case.status, case.status),
        "named": filed.tip.named,
        "feedback_due": case.step_due.isoformat()
        if case.status == TipStatus.RECEIVED and case.step_due
        else None,
    }


async def _open(
    tip_in: TipIn,
    *,
    department: Department,
    secret_hash: str,
    seal_key: bytes,
    policy: Policy,
    today: date,
    files: list[Evidence],
    max_files: int,
) -> Filed:
    """Open the case (or link it to an earlier one), the tip, the sealed reporter, the files."""
    category = TipCategory(tip_in.category)
    party_key = _party_key(tip_in)
    first = await _first_of_same(tip_in, party_key, today)
    if first is not None:
        department = await Department.get(id=first.case.department_id)
    party = {
        "name": tip_in.party.name.strip(),
        "identifier": tip_in.identifier,
        "address": tip_in.party.address.strip(),
    }
    data = {
        "category": category.value,
        "category_label": label_of(category),
        "party": party,
        "place": tip_in.place.strip(),
        "region_code": tip_in.region_code,
        "happened": tip_in.happened.strip(),
        "facts": tip_in.facts.strip(),
        "named": tip_in.named,
        "declared": True,
    }
    if first is not None:
        data["duplicate_of"] = first.case.receipt
    case, _ = await cases.open_case(
        kind=CaseKind.REPORT.value,
        actor=Actor("reporter"),
        department_id=department.id,
        policy=policy,
        today=today,
        title=f"{label_of(category)}：{party['name']}"[:200],
        data=data,
    )
    tip = await Tip.create(
        case=case,
        category=category.value,
        party_key=party_key,
        region_code=tip_in.region_code,
        named=tip_in.named,
        secret_hash=secret_hash,
        duplicate_of=first,
    )
    if tip_in.named:
        reporter = seal.Reporter(tip_in.reporter_name.strip(), tip_in.phone, tip_in.account_id)
        await TipReporter.create(tip=tip, sealed=seal.seal(reporter, key=seal_key, tip_id=tip.id))
    owner = reporter_actor(case.receipt)
    await _adopt(files, owner.owner)
    await cases.attach(case=case, evidence=files, actor=owner, max_files=max_files)
    if first is not None:
        case = await cases.act(
            actor=SYSTEM,
            case_id=case.id,
            ask=MoveIn("link", reason="同一被举报人、同一类别、内容基本相同", fields={}),
            policy=policy,
            today=today,
        )
        body = "您反映的问题已有其他举报人举报，已并案处理，处理结果将在此告知。"
    else:
        body = "您的举报已收到，处理部门将审查是否受理。"
    await TipMessage.create(tip=tip, author="platform", body=body)
    return Filed(case, tip, None, True)


async def _authorised(
    *, receipt: str, secret: str, settings: Settings, store: SharedStore, address: str
) -> tuple[Case, Tip]:
    """The tip for receipt + secret; unknown receipts and wrong secrets cost the same and answer
    the same, and both count towards the lockout."""
    normal = (receipt or "").strip().upper()
    by_receipt = _digest(settings, "wrong_receipt", normal)
    by_address = _digest(settings, "wrong_address", address) if address else ""
    if await _over(store, "wrong_receipt", by_receipt) or (
        by_address and await _over(store, "wrong_address", by_address)
    ):
        raise TipLocked()
    tip = None
    if _RECEIPT.fullmatch(normal):
        tip = await Tip.filter(case__receipt=normal).select_related("case").first()
    ok = await _verify(tip.secret_hash if tip else _DUMMY_HASH, secret)
    if tip is None or not ok:
        await _count(store, "wrong_receipt", by_receipt)
        if by_address:
            await _count(store, "wrong_address", by_address)
        raise TipNotFound()
    return tip.case, tip


async def _reporter_view(case: Case, tip: Tip) -> dict[str, Any]:
    primary = None
    if tip.duplicate_of_id:
        first = await Tip.get(id=tip.duplicate_of_id).select_related("case")
        primary = first.case
    department = await Department.get(id=(primary or case).department_id)
    messages = await TipMessage.filter(tip_id=tip.id).order_by("id")
    view = confidentiality.reporter_view(
        case=case, primary=primary, department=department.name, messages=messages
    )
    links = await CaseEvidence.filter(case_id=case.id).prefetch_related("evidence").order_by("id")
    view["evidence"] = [evidence_service.view(link.evidence) for link in links]
    return view


async def follow(
    *, receipt: str, secret: str, settings: Settings, store: SharedStore, address: str = ""
) -> dict[str, Any]:
    """Status, outcome summary and the thread, for the holder of receipt + secret."""
    case, tip = await _authorised(
        receipt=receipt, secret=secret, settings=settings, store=store, address=address
    )
    return await _reporter_view(case, tip)


async def uploader_for(
    *, receipt: str, secret: str, settings: Settings, store: SharedStore, address: str = ""
) -> Actor:
    """The evidence owner of a tip's reporter, once receipt + secret check out."""
    case, _ = await _authorised(
        receipt=receipt, secret=secret, settings=settings, store=store, address=address
    )
    return reporter_actor(case.receipt)


def _check_body(body: str, evidence_ids: Sequence[str]) -> str:
    text = (body or "").strip()
    if len(text) > MESSAGE_MAX or (not text and not evidence_ids):
        raise ValidationFailed(details=[{"field": "body", "problem": f"1-{MESSAGE_MAX} chars"}])
    return text


async def add_message(
    *,
    receipt: str,
    secret: str,
    body: str,
    settings: Settings,
    store: SharedStore,
    address: str = "",
    evidence_ids: Sequence[str] = (),
    max_files: int = 9,
) -> dict[str, Any]:
    """The reporter adds information, evidence or an answer to a staff question."""
    text = _check_body(body, evidence_ids)
    case, tip = await _authorised(
        receipt=receipt, secret=secret, settings=settings, store=store, address=address
    )
    if await _count(store, "message_tip", str(tip.id)) > LIMITS["message_tip"].limit:
        raise TipRateLimited(details={"retry_after": LIMITS["message_tip"].window})
    owner = reporter_actor(case.receipt)
    files = await evidence_service.owned(actor=owner, evidence_ids=list(evidence_ids))
    async with in_transaction():
        ids = await cases.attach(case=case, evidence=files, actor=owner, max_files=max_files)
        await TipMessage.create(tip=tip, author="reporter", body=text, attachments=ids)
        await outbox.notify_department(
            department_id=case.department_id,
            template="tip_message",
            title=f"举报人补充信息：{case.receipt}",
            body=f"举报 {case.receipt} 有举报人的新留言，请在办件页查看。",
            receipt=case.receipt,
            key=f"tip:{tip.id}:m{await TipMessage.filter(tip_id=tip.id).count()}",
        )
    return await _reporter_view(case, tip)


async def _handled(actor: Actor, receipt: str) -> tuple[Case, Tip]:
    tip = await Tip.filter(case__receipt=(receipt or "").upper()).select_related("case").first()
    if tip is None or not await confidentiality.may_handle(actor, tip.case):
        raise cases.CaseNotFound()
    return tip.case, tip


async def thread(*, actor: Actor, receipt: str) -> list[dict[str, Any]]:
    """The thread as the handling department sees it."""
    _, tip = await _handled(actor, receipt)
    messages = await TipMessage.filter(tip_id=tip.id).order_by("id")
    return [confidentiality.message_view(m) for m in messages]


async def ask_reporter(*, actor: Actor, receipt: str, body: str) -> list[dict[str, Any]]:
    """A staff question or answer to the reporter (who reads it with receipt + secret)."""
    text = _check_body(body, ())
    case, tip = await _handled(actor, receipt)
    async with in_transaction():
        count = await TipMessage.filter(tip_id=tip.id).count()
        message = await TipMessage.create(
            tip=tip, author="staff", staff_id=actor.staff_id, body=text
        )
        if tip.named:
            await outbox.enqueue(
                channel="sms_tip",
                template="tip_update",
                title="举报进展",
                receipt=case.receipt,
                send_key=f"tip:{tip.id}:staff:{count}:{message.id}",
            )
    return await thread(actor=actor, receipt=receipt)


async def unseal(*, actor: Actor, receipt: str, reason: str, settings: Settings) -> seal.Reporter:
    """A custodian learns a named reporter's identity: audited, supervisors told (no identity in
    either)."""
    tip = await Tip.filter(case__receipt=(receipt or "").upper()).select_related("case").first()
    if tip is None or not await confidentiality.may_unseal(actor, tip.case):
        raise UnsealRefused() if tip is not None and actor.kind == "staff" else TipNotFound()
    if len(reason.strip()) < confidentiality.UNSEAL_REASON_MIN:
        raise ValidationFailed(
            "启封须说明理由", "A stated reason is required", code="reason_required"
        )
    row = await TipReporter.get_or_none(tip_id=tip.id)
    if row is None:
        raise NothingSealed()
    reporter = seal.unseal(row.sealed, key=settings.report_seal_key, tip_id=tip.id)
    department = await Department.get_or_none(id=actor.department_id or 0)
    entry = await audit.append(
        actor=audit.Actor(
            ActorKind.STAFF,
            f"staff:{actor.staff_id}",
            "report_custodian",
            department.name if department else "",
        ),
        action="report.unseal",
        target=tip.case.receipt,
        purpose=reason.strip()[:500],
        data={"tip": tip.id},
    )
    await outbox.notify_staff(
        staff_ids=await supervisors_of(tip.case),
        template="tip_unsealed",
        title=f"举报人信息已启封：{tip.case.receipt}",
        body=f"举报信息保管员（工号 {actor.staff_id}）启封了举报 {tip.case.receipt} 的举报人信息。"
        f"理由：{reason.strip()[:200]}",
        receipt=tip.case.receipt,
        key=f"tip:{tip.id}:unseal:{entry.id}",
    )
    return reporter


async def send_code(
    *, phone: str, settings: Settings, store: SharedStore, sms: Any, address: str = ""
) -> otp.Issued:
    """A one-time code to the named reporter's phone (checked at filing)."""
    if not _PHONE.fullmatch(phone or ""):
        raise ValidationFailed(details=[{"field": "phone", "problem": "a mainland mobile number"}])
    return await otp.issue(
        store=store, settings=settings, sms=sms, purpose=OTP_PURPOSE, phone=phone, ip=address
    )
