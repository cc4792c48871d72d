"""Enterprise agents (经办人): request with an authorisation letter, staff decision, scoped expiry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from selfservice.accounts.enums import AGENT_SCOPES, ALL_SCOPES, AgentStatus
from selfservice.accounts.models import Account, AgentAuthorisation
from selfservice.audit import service as audit
from selfservice.auth.sessions import authorisation_active
from selfservice.auth.tokens import Principal
from selfservice.enums import ActorKind, SubjectKind
from selfservice.errors import Conflict, Forbidden, NotFound, ValidationFailed
from selfservice.evidence.models import Evidence
from selfservice.evidence.service import LETTER_REF
from selfservice.identifiers import is_valid_uscc, normalize_uscc
from selfservice.staff import scope
from selfservice.subjects.models import Subject
from selfservice.transitions import StateTable
from selfservice.verification.service import VerificationFailed, account_actor

MAX_LETTER_BYTES = 5 * 1024 * 1024
MAX_VALID_DAYS = 365
LETTER_KINDS = frozenset({"pdf", "jpeg", "png"})
DECIDERS = frozenset({"credit_office", "admin"})


class BadTransition(Conflict):
    code = "agent_bad_transition"
    message_zh, message_en = "该授权当前状态不允许此操作", "Not allowed in the current state"


TABLE = StateTable(
    AgentStatus,
    {
        AgentStatus.PENDING: {AgentStatus.APPROVED, AgentStatus.REJECTED},
        AgentStatus.APPROVED: {AgentStatus.REVOKED},
        AgentStatus.REJECTED: set(),
        AgentStatus.REVOKED: set(),
    },
    error=BadTransition,
)


class BadLetter(ValidationFailed):
    code = "agent_bad_letter"
    message_zh = "授权委托书须为不超过5MB的PDF、JPEG或PNG文件"
    message_en = "The authorisation letter must be a PDF, JPEG or PNG of at most 5 MB"


class PersonNotVerified(Forbidden):
    code = "not_verified"
    message_zh, message_en = "请先完成本人实名核验", "Verify your own identity first"


class OutsideScope(Forbidden):
    code = "agent_scope_denied"
    message_zh, message_en = "该授权不包含此项操作", "Outside the agent's granted scopes"


def require_scope(granted: Iterable[str], *needed: str) -> None:
    """The one check of what an agent may do: ``granted`` must hold one of ``needed``.

    A verified subject acting for itself holds ``all``; routes and chat skills call only this.
    """
    held = set(granted)
    if ALL_SCOPES in held or held & set(needed):
        return
    raise OutsideScope()


def _transition(auth: AgentAuthorisation, to: AgentStatus) -> None:
    auth.status = TABLE.check(auth.status, to)


def _check_letter(letter: Evidence) -> None:
    if letter.kind not in LETTER_KINDS or letter.size > MAX_LETTER_BYTES:
        raise BadLetter()


def check_requester(account: Account) -> None:
    """Only a person who verified their own identity may ask to act for an enterprise."""
    if not account.person_index:
        raise PersonNotVerified()


def _scopes(requested: list[str]) -> list[str]:
    scopes = sorted(set(requested))
    if not scopes or any(s not in AGENT_SCOPES for s in scopes):
        raise ValidationFailed(details=[{"field": "scopes", "problem": f"one of {AGENT_SCOPES}"}])
    return scopes


def status_of(auth: AgentAuthorisation) -> str:
    """The stored state, with an approved authorisation past its end shown as ``expired``."""
    if auth.status == AgentStatus.APPROVED and not authorisation_active(auth):
        return "expired"
    return auth.status.value


async def request(
    *,
    account: Account,
    uscc: str,
    enterprise_name: str,
    scopes: list[str],
    letter: Evidence,
) -> AgentAuthorisation:
    """File an agent request; the enterprise must match exactly (same generic answer otherwise).

    ``letter`` is the authorisation letter, already received through the evidence upload path.
    """
    check_requester(account)
    wanted = _scopes(scopes)
    _check_letter(letter)
    code = normalize_uscc(uscc)
    enterprise = await Subject.get_or_none(uscc=code) if is_valid_uscc(code) else None
    if (
        enterprise is None
        or enterprise.kind == SubjectKind.NATURAL_PERSON
        or enterprise.name != "".join(enterprise_name.split())
    ):
        raise VerificationFailed()
    auth = await AgentAuthorisation.create(
        account=account,
        enterprise=enterprise,
        agent_name=account.person_name or "",
        agent_person_index=account.person_index,
        requested_scopes=wanted,
        letter_path=f"{LETTER_REF}{letter.id}",
        letter_sha256=letter.sha256,
        letter_content_type=letter.media_type,
    )
    await audit.append(
        actor=account_actor(account),
        action="agent.requested",
        target=f"agent_authorisation:{auth.id}",
        subject_id=enterprise.id,
        purpose="agent authorisation request",
        data={"scopes": wanted},
    )
    return auth


async def get_for_account(*, account: Account, authorisation_id: int) -> AgentAuthorisation:
    """One of the account's own requests; anyone else's is NotFound (existence never leaks)."""
    auth = await AgentAuthorisation.get_or_none(id=authorisation_id, account_id=account.id)
    if auth is None:
        raise NotFound()
    return auth


async def list_for_account(*, account: Account) -> list[AgentAuthorisation]:
    return await AgentAuthorisation.filter(account_id=account.id).order_by("-id")


async def active_for_account(*, account: Account, authorisation_id: int) -> AgentAuthorisation:
    """An approved, unexpired authorisation of this account, for acting as the enterprise."""
    auth = await get_for_account(account=account, authorisation_id=authorisation_id)
    if not authorisation_active(auth):
        raise NotFound()
    return auth


async def _in_staff_scope(principal: Principal, authorisation_id: int) -> AgentAuthorisation:
    if not set(principal.roles) & DECIDERS:
        raise Forbidden()
    auth = await AgentAuthorisation.get_or_none(id=authorisation_id).prefetch_related("enterprise")
    if auth is None or not await scope.subject_in_scope(principal, auth.enterprise):
        raise NotFound()
    return auth


async def pending_for_staff(*, principal: Principal) -> list[AgentAuthorisation]:
    """Pending requests for enterprises within the staff member's scope."""
    if not set(principal.roles) & DECIDERS:
        raise Forbidden()
    rows = await AgentAuthorisation.filter(status=AgentStatus.PENDING).prefetch_related(
        "enterprise"
    )
    return [r for r in rows if await scope.subject_in_scope(principal, r.enterprise)]


async def decide(
    *,
    principal: Principal,
    actor: audit.Actor,
    authorisation_id: int,
    approve: bool,
    reason: str,
    scopes: list[str] | None = None,
    valid_days: int = 180,
) -> AgentAuthorisation:
    """Approve (with scopes and an end date) or reject (with a reason) a pending request."""
    auth = await _in_staff_scope(principal, authorisation_id)
    now = datetime.now(UTC)
    if approve:
        granted = _scopes(scopes if scopes is not None else auth.requested_scopes)
        if not 1 <= valid_days <= MAX_VALID_DAYS:
            raise ValidationFailed(
                details=[{"field": "valid_days", "problem": f"1..{MAX_VALID_DAYS}"}]
            )
        _transition(auth, AgentStatus.APPROVED)
        auth.granted_scopes, auth.valid_until = granted, now + timedelta(days=valid_days)
    else:
        if not reason.strip():
            raise ValidationFailed(details=[{"field": "reason", "problem": "required"}])
        _transition(auth, AgentStatus.REJECTED)
    auth.decided_at, auth.decided_by_id, auth.reason = now, principal.staff_id, reason
    await auth.save()
    await audit.append(
        actor=actor,
        action="agent.approved" if approve else "agent.rejected",
        target=f"agent_authorisation:{auth.id}",
        subject_id=auth.enterprise_id,
        purpose=reason or "agent authorisation decision",
        data={"scopes": auth.granted_scopes, "valid_days": valid_days if approve else 0},
    )
    return auth


async def revoke(
    *, principal: Principal, actor: audit.Actor, authorisation_id: int, reason: str
) -> AgentAuthorisation:
    auth = await _in_staff_scope(principal, authorisation_id)
    _transition(auth, AgentStatus.REVOKED)
    auth.reason = reason
    await auth.save(update_fields=["status", "reason"])
    await audit.append(
        actor=actor,
        action="agent.revoked",
        target=f"agent_authorisation:{auth.id}",
        subject_id=auth.enterprise_id,
        purpose=reason,
    )
    return auth


def view(auth: AgentAuthorisation) -> dict:
    """What the agent and staff may see: no file path, no identity numbers."""
    return {
        "id": auth.id,
        "enterprise_id": auth.enterprise_id,
        "status": status_of(auth),
        "requested_scopes": auth.requested_scopes,
        "granted_scopes": auth.granted_scopes,
        "valid_until": auth.valid_until.isoformat() if auth.valid_until else None,
        "requested_at": auth.requested_at.isoformat(),
        "reason": auth.reason,
        "letter_sha256": auth.letter_sha256,
    }


def staff_actor(principal: Principal, department_name: str) -> audit.Actor:
    return audit.Actor(
        ActorKind.STAFF,
        f"staff:{principal.staff_id}",
        principal.roles[0] if principal.roles else "",
        department_name,
    )
