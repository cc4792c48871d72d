"""Enumerations shared by several domain areas."""

from __future__ import annotations

from enum import StrEnum


class SubjectKind(StrEnum):
    LEGAL_PERSON = "legal_person"
    NATURAL_PERSON = "natural_person"
    INDIVIDUAL_BUSINESS = "individual_business"


class Nature(StrEnum):
    GOOD = "good"
    BAD = "bad"


class Severity(StrEnum):
    MINOR = "minor"  # 轻微
    GENERAL = "general"  # 一般
    SEVERE = "severe"  # 严重


class RecordStatus(StrEnum):
    PUBLISHED = "published"
    CORRECTED = "corrected"
    REPAIRED = "repaired"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ListKind(StrEnum):
    RED = "red"  # 诚信典型 / 红名单
    SEVERE_DISHONESTY = "severe_dishonesty"  # 严重失信主体名单 (黑名单)


class MeasureKind(StrEnum):
    INCENTIVE = "incentive"
    PUNISHMENT = "punishment"


class Obligation(StrEnum):
    MANDATORY = "mandatory"
    RECOMMENDED = "recommended"


class DepartmentLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class StaffRole(StrEnum):
    HANDLER = "handler"
    SUPERVISOR = "supervisor"
    CREDIT_OFFICE = "credit_office"
    REPORT_CUSTODIAN = "report_custodian"
    AUDITOR = "auditor"
    ADMIN = "admin"


class ActorKind(StrEnum):
    SUBJECT = "subject"
    STAFF = "staff"
    PROVIDER = "provider"
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


SEVERITY_ZH = {Severity.MINOR: "轻微", Severity.GENERAL: "一般", Severity.SEVERE: "严重"}
NATURE_ZH = {Nature.GOOD: "良好信息", Nature.BAD: "不良信息"}
STATUS_ZH = {
    RecordStatus.PUBLISHED: "公示中",
    RecordStatus.CORRECTED: "已更正",
    RecordStatus.REPAIRED: "已修复",
    RecordStatus.EXPIRED: "已过期",
    RecordStatus.REVOKED: "已撤销",
}
LIST_ZH = {
    ListKind.RED: "诚信典型（红名单）",
    ListKind.SEVERE_DISHONESTY: "严重失信主体名单（黑名单）",
}
