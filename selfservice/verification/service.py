"""Two-step identity verification: match the claim, then confirm with a code to the registered phone."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from selfservice.accounts import service as accounts
from selfservice.accounts.models import Account
from selfservice.audit import service as audit
from selfservice.enums import ActorKind
from selfservice.errors import TooManyRequests, ValidationFailed
from selfservice.identifiers import mask_phone
from selfservice.notifications.sms import SmsGateway
from selfservice.otp import service as otp
from selfservice.settings import Settings
from selfservice.store import SharedStore, key
from selfservice.subjects import pii
from selfservice.verification.verifiers import IdentityVerifier, Match

CHALLENGE_TTL = otp.CODE_TTL
OTP_PURPOSE = "verify"
CHALLENGE_CONTEXT = "verification.challenge"
# attempts per window: per account and per client address
ACCOUNT_LIMIT, ACCOUNT_WINDOW = 5, 600
IP_LIMIT, IP_WINDOW = 30, 3600


class VerificationFailed(ValidationFailed):
    """The one answer to any mismatch: it never says which field or whether the subject exists."""

    code = "verification_failed"
    message_zh = "身份信息核验未通过，请核对后重试"
    message_en = "The identity details could not be verified"


class VerifyRateLimited(TooManyRequests):
    code = "verification_rate_limited"
    message_zh, message_en = "核验尝试过于频繁，请稍后再试", "Too many verification attempts"


@dataclass(frozen=True)
class CitizenClaim:
    name: str
    id_number: str
    phone: str | None = None
    kind: str = "citizen"


@dataclass(frozen=True)
class EnterpriseClaim:
    uscc: str
    name: str
    rep_name: str
    rep_id_number: str
    kind: str = "enterprise"


@dataclass(frozen=True)
class Challenge:
    id: str
    phone_masked: str
    expires_in: int


def account_actor(account: Account) -> audit.Actor:
    return audit.Actor(ActorKind.SUBJECT, f"account:{account.id}", "account")


async def _throttle(store: SharedStore, account: Account, ip: str | None) -> None:
    if await store.incr(key("verify", "acct", account.id), ttl=ACCOUNT_WINDOW) > ACCOUNT_LIMIT:
        raise VerifyRateLimited()
    if ip and await store.incr(key("verify", "ip", ip), ttl=IP_WINDOW) > IP_LIMIT:
        raise VerifyRateLimited()


async def _match(verifier: IdentityVerifier, claim: CitizenClaim | EnterpriseClaim) -> Match | None:
    if isinstance(claim, CitizenClaim):
        return await verifier.match_person(
            name=claim.name, id_number=claim.id_number, phone=claim.phone
        )
    return await verifier.match_enterprise(
        uscc=claim.uscc, name=claim.name, rep_name=claim.rep_name, rep_id_number=claim.rep_id_number
    )


async def start(
    *,
    store: SharedStore,
    settings: Settings,
    sms: SmsGateway,
    verifier: IdentityVerifier,
    account: Account,
    claim: CitizenClaim | EnterpriseClaim,
    ip: str | None = None,
) -> Challenge:
    """Check the claim; on a match send a code to the registered phone and return a challenge."""
    await _throttle(store, account, ip)
    found = await _match(verifier, claim)
    await audit.append(
        actor=account_actor(account),
        action="identity.verify_attempt",
        target=f"account:{account.id}",
        subject_id=found.subject_id if found else None,
        purpose=f"{claim.kind} verification",
        data={"kind": claim.kind, "outcome": "matched" if found else "mismatch"},
    )
    if found is None:
        raise VerificationFailed()
    await otp.issue(
        store=store,
        settings=settings,
        sms=sms,
        purpose=OTP_PURPOSE,
        phone=found.phone,
        openid=account.openid,
        ip=ip,
    )
    challenge_id = secrets.token_urlsafe(18)
    sealed = pii.cipher().encrypt(
        json.dumps(
            {
                "account": account.id,
                "kind": claim.kind,
                "phone": found.phone,
                "subject": found.subject_id,
                "person_index": found.person_index,
                "person_name": found.person_name,
            },
            ensure_ascii=False,
        ),
        context=CHALLENGE_CONTEXT,
    )
    await store.set(key("verify", "challenge", challenge_id), sealed, ttl=CHALLENGE_TTL)
    return Challenge(challenge_id, mask_phone(found.phone), CHALLENGE_TTL)


async def confirm(
    *,
    store: SharedStore,
    settings: Settings,
    account: Account,
    challenge_id: str,
    code: str,
    ip: str | None = None,
) -> Account:
    """Check the code of a challenge and bind the account to the verified identity."""
    sealed = await store.get(key("verify", "challenge", challenge_id))
    state = json.loads(pii.cipher().decrypt(sealed, context=CHALLENGE_CONTEXT)) if sealed else None
    if state is None or state["account"] != account.id:
        raise otp.InvalidCode()
    await otp.check(
        store=store,
        settings=settings,
        purpose=OTP_PURPOSE,
        phone=state["phone"],
        code=code,
        ip=ip,
    )
    await store.delete(key("verify", "challenge", challenge_id))
    subject_id = state["subject"] if state["kind"] in ("citizen", "enterprise") else None
    account = await accounts.bind(
        account=account,
        subject_id=subject_id,
        person_index=state["person_index"],
        person_name=state["person_name"],
    )
    await audit.append(
        actor=account_actor(account),
        action="identity.verified",
        target=f"account:{account.id}",
        subject_id=subject_id,
        purpose=f"{state['kind']} verification",
        data={"kind": state["kind"]},
    )
    return account
