"""Case kinds and their receipt prefixes (DESIGN §4)."""

from __future__ import annotations

from enum import StrEnum


class CaseKind(StrEnum):
    OBJECTION = "objection"
    REPAIR = "repair"
    PLEDGE = "pledge"
    REPORT = "report"


PREFIX = {
    CaseKind.OBJECTION: "YY",
    CaseKind.REPAIR: "XF",
    CaseKind.PLEDGE: "CN",
    CaseKind.REPORT: "JB",
}
KIND_ZH = {
    CaseKind.OBJECTION: "异议申请",
    CaseKind.REPAIR: "信用修复申请",
    CaseKind.PLEDGE: "信用承诺",
    CaseKind.REPORT: "失信举报",
}
