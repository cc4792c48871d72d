"""Objection statuses, grounds and decision outcomes."""

from __future__ import annotations

from enum import StrEnum


class ObjectionStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    FORWARDED = "forwarded"
    OPINION_RECEIVED = "opinion_received"
    DECIDED = "decided"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ObjectionType(StrEnum):
    CONTENT_WRONG = "content_wrong"
    PERIOD_WRONG = "period_wrong"
    REPAIR_RESULT_WRONG = "repair_result_wrong"
    OTHER = "other"


class Outcome(StrEnum):
    CORRECTED = "corrected"
    REVOKED = "revoked"
    UPHELD = "upheld"
    UNRESOLVED = "unresolved"


TYPE_ZH = {
    ObjectionType.CONTENT_WRONG: "记录内容有误",
    ObjectionType.PERIOD_WRONG: "公示期限有误",
    ObjectionType.REPAIR_RESULT_WRONG: "修复结果有误",
    ObjectionType.OTHER: "其他",
}
OUTCOME_ZH = {
    Outcome.CORRECTED: "予以更正",
    Outcome.REVOKED: "予以撤销",
    Outcome.UPHELD: "维持原记录，取消异议标注",
    Outcome.UNRESOLVED: "无法核实，对记录予以标注",
}
