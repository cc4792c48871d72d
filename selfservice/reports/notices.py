"""Telling the reporter: a thread message, and for a named reporter an SMS whose phone is unsealed
only at the moment of sending (the outbox row holds the receipt, never the phone)."""

from __future__ import annotations

from selfservice.cases.models import Case
from selfservice.notifications import outbox
from selfservice.notifications.models import OutboxMessage
from selfservice.notifications.sms import SmsGateway
from selfservice.reports import seal
from selfservice.reports.models import Tip, TipMessage, TipReporter

TIP_SMS = "sms_tip"
SMS_TEMPLATE = "tip_update"


async def tell_reporter(*, tip: Tip, case: Case, body: str, key: str) -> TipMessage:
    """A platform or staff message in the thread; a named reporter also gets an SMS nudge."""
    message = await TipMessage.create(tip=tip, author="platform", body=body)
    if tip.named:
        await outbox.enqueue(
            channel=TIP_SMS,
            template=SMS_TEMPLATE,
            title="举报进展",
            receipt=case.receipt,
            send_key=f"tip:{tip.id}:{key}",
        )
    return message


class TipSmsSender:
    """Outbox sender of the ``sms_tip`` channel: unseals the phone, sends a fixed template."""

    idempotent = False

    def __init__(self, gateway: SmsGateway, seal_key: bytes) -> None:
        self.gateway, self._key = gateway, seal_key

    async def send(self, message: OutboxMessage) -> None:
        tip = await Tip.filter(case__receipt=message.receipt).first()
        row = await TipReporter.get_or_none(tip_id=tip.id) if tip else None
        if tip is None or row is None:
            raise outbox.GiveUp("no named reporter")
        reporter = seal.unseal(row.sealed, key=self._key, tip_id=tip.id)
        await self.gateway.send(
            phone=reporter.phone, template=SMS_TEMPLATE, params={"receipt": message.receipt}
        )
