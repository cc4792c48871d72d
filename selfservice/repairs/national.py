"""The national intake (“信用中国” website): what a forwarded repair carries and what comes back.

The platform talks to the national intake only through ``NationalIntake``; until a client for
the national interface is configured, ``ManualIntake`` leaves the case for staff, who file it by
hand and record the national case number and query code with the ``receive`` move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Forwarding:
    """What is mirrored to the national intake (no identity document numbers of persons)."""

    receipt: str
    subject_name: str
    subject_code: str
    record_title: str
    document_number: str
    provider: str
    statement: str
    commitment_sha256: str


@dataclass(frozen=True)
class NationalReceipt:
    case_number: str
    query_code: str


class IntakeUnavailable(Exception):
    """The national intake did not take the case now; staff or a later retry file it."""


class NationalIntake(Protocol):
    name: str

    async def forward(self, forwarding: Forwarding) -> NationalReceipt | None:
        """Mirror the case; its case number and query code, or None when filed by hand."""
        ...


class ManualIntake:
    """No automatic interface: staff file on “信用中国” and record the numbers themselves."""

    name = "manual"

    async def forward(self, forwarding: Forwarding) -> NationalReceipt | None:
        return None
