"""The 信用修复承诺书 of one record: its text from the template, its hash, and the PDF."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from string import Template

from selfservice.creditreport import pdf
from selfservice.identifiers import mask_id_number
from selfservice.records.models import CreditRecord
from selfservice.staff.models import Department
from selfservice.subjects import service as subjects
from selfservice.subjects.models import Subject

TEMPLATE = Template((Path(__file__).parent / "templates" / "commitment.txt").read_text("utf-8"))
TITLE = "信用修复承诺书"


async def text_of(*, record: CreditRecord, today: date) -> str:
    """The letter for ``record`` as the subject signs it on ``today``."""
    subject = await Subject.get(id=record.subject_id)
    provider = await Department.get(id=record.provider_id)
    number = subjects.id_number(subject)
    code = subject.uscc or (mask_id_number(number) if number else "")
    return TEMPLATE.substitute(
        subject_name=subject.name,
        subject_code=code,
        record_title=record.title,
        document_number=record.document_number,
        provider=provider.name,
        finding_date=record.finding_date.isoformat(),
        today=today.isoformat(),
    )


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render(text: str, *, footer: str) -> bytes:
    """The letter as a CJK PDF (the credit report's fonts and layout)."""
    title, _, body = text.partition("\n")
    return pdf.text_document(title=title.strip() or TITLE, body=body.strip(), footer=footer)
