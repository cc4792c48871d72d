"""The signed pledge as a PDF, on the credit report's CJK font machinery."""

from __future__ import annotations

from selfservice.cases.models import Case
from selfservice.creditreport.pdf import _line, _Report
from selfservice.pledges.models import Pledge
from selfservice.pledges.types import catalogue


def render(*, pledge: Pledge, case: Case, subject_name: str, department: str) -> bytes:
    """The PDF bytes: title, the frozen text, signer, date and the text's SHA-256."""
    kind = catalogue().get(pledge.pledge_type)
    title = f"信用承诺书（{kind.label if kind else pledge.pledge_type}）"
    pdf = _Report(f"承诺编号 {case.receipt}")
    pdf.set_title(title)
    pdf.set_creator("xinyong-selfservice")
    pdf.add_page()
    _line(pdf, title, size=18, height=12)
    _line(pdf, f"承诺编号：{case.receipt}    受理部门：{department}", size=9.5)
    _line(pdf, f"承诺人：{subject_name}", size=12, height=8)
    for paragraph in pledge.text.split("\n"):
        _line(pdf, paragraph, size=11.5, height=8)
    signer = pledge.signer
    _line(pdf, "")
    _line(pdf, f"签署人：{signer.get('name', '')}（{signer.get('role_label', '')}）")
    _line(pdf, f"签署日期：{pledge.signed_on.isoformat()}")
    if pledge.due_on:
        _line(pdf, f"履行期限：{pledge.due_on.isoformat()}")
    _line(pdf, f"文本摘要（SHA-256）：{pledge.text_sha256}", size=8, height=5)
    return bytes(pdf.output())
