"""Repair statuses and routes."""

from __future__ import annotations

from enum import StrEnum


class RepairStatus(StrEnum):
    SUBMITTED = "submitted"
    CHECKING = "checking"
    CITY_CONSENT = "city_consent"
    APPROVED = "approved"
    FORWARDING = "forwarding"
    NATIONAL_REVIEW = "national_review"
    NATIONAL_APPROVED = "national_approved"
    REPAIRED = "repaired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Route(StrEnum):
    LOCAL_DECIDE = "local_decide"
    NATIONAL_FORWARD = "national_forward"


ROUTE_ZH = {
    Route.LOCAL_DECIDE: "向作出认定的部门申请，由本地核查决定",
    Route.NATIONAL_FORWARD: "经“信用中国”网站受理，转认定部门决定",
}
