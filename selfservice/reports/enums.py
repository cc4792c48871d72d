"""Tip statuses and outcomes."""

from __future__ import annotations

from enum import StrEnum


class TipStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REDIRECTED = "redirected"
    REJECTED = "rejected"
    INVESTIGATING = "investigating"
    CONCLUDED = "concluded"
    LINKED = "linked"


class TipOutcome(StrEnum):
    SUBSTANTIATED = "substantiated"
    UNSUBSTANTIATED = "unsubstantiated"


OUTCOME_ZH = {TipOutcome.SUBSTANTIATED: "举报属实", TipOutcome.UNSUBSTANTIATED: "举报不属实"}
