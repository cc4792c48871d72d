"""Demo pledges, signed through the pledge service so the public wall is not empty."""

from __future__ import annotations

from datetime import date
from typing import Any

from selfservice.auth.tokens import Principal
from selfservice.cases.actors import actor_of
from selfservice.pledges import service
from selfservice.policy import load_policy
from selfservice.staff.models import Department
from selfservice.subjects.models import Subject

# subject key, jurisdiction, type, values, accepting department code, publish
PLEDGES: list[tuple[str, str, str, dict[str, Any], str | None, bool]] = [
    (
        "dianchi",
        "kunming",
        "public",
        {
            "content": "严格落实食品安全主体责任，食材可溯源、明厨亮灶，菜品明码标价，顾客投诉24小时内答复。"
        },
        None,
        True,
    ),
    (
        "chuncheng",
        "kunming",
        "industry",
        {
            "association": "昆明市建筑业协会",
            "content": "依法签订劳动合同、按月足额支付农民工工资，不转包、不违法分包，保证工程质量和安全生产。",
        },
        None,
        True,
    ),
    (
        "kunyao",
        "kunming",
        "notify",
        {
            "matter": "药品零售企业连锁门店变更登记",
            "conditions": "门店营业场所、设施设备、质量管理人员符合《药品经营质量管理规范》要求。",
        },
        "KM-SCJG",
        True,
    ),
    (
        "hongta",
        "yuxi",
        "public",
        {"content": "货物运输全程可追踪，按约定时限送达，损毁丢失先行赔付，不超限超载。"},
        None,
        True,
    ),
    (
        "zhangsan",
        "kunming",
        "other",
        {"title": "诚信参加志愿服务", "content": "如实登记志愿服务时长，不弄虚作假。"},
        None,
        True,
    ),
    (
        "dianchi",
        "kunming",
        "missing_materials",
        {
            "matter": "食品经营许可证延续",
            "missing_materials": ["从业人员健康证明（2人）"],
            "due_days": 10,
        },
        "KM-SCJG",
        False,
    ),
]


async def load_pledges(*, subjects_by_key: dict[str, Subject], today: date) -> int:
    """Sign each demo pledge once (a fixed idempotency key makes a rerun a replay)."""
    for n, (key, jurisdiction, kind, values, dept_code, publish) in enumerate(PLEDGES, start=1):
        subject = subjects_by_key[key]
        department = await Department.get(code=dept_code) if dept_code else None
        await service.sign(
            actor=actor_of(Principal(kind="subject", subject_id=subject.id, scopes=("all",))),
            signing=service.Signing(kind, values, department.id if department else None, publish),
            policy=load_policy(jurisdiction),
            today=today,
            idempotency_key=f"demo-pledge-{n}",
        )
    return len(PLEDGES)
