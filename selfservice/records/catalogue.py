"""The public-credit information catalogue: class code → Chinese label and allowed nature(s)."""

from __future__ import annotations

from dataclasses import dataclass

from selfservice.enums import Nature
from selfservice.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class RecordClass:
    code: str
    label: str
    natures: frozenset[Nature]
    severe_possible: bool = False

    def allows(self, nature: Nature | str) -> bool:
        return Nature(nature) in self.natures


_GOOD = frozenset({Nature.GOOD})
_BAD = frozenset({Nature.BAD})
_BOTH = frozenset({Nature.GOOD, Nature.BAD})

CATALOGUE: dict[str, RecordClass] = {
    c.code: c
    for c in (
        RecordClass("administrative_license", "行政许可", _GOOD),
        RecordClass("administrative_penalty", "行政处罚", _BAD, severe_possible=True),
        RecordClass("tax_credit_a", "纳税信用A级", _GOOD),
        RecordClass("court_dishonest", "失信被执行人", _BAD, severe_possible=True),
        RecordClass("commendation", "表彰奖励", _GOOD),
        RecordClass("contract_default", "合同履约失信", _BAD, severe_possible=True),
        RecordClass("environmental_penalty", "环境违法处罚", _BAD, severe_possible=True),
        RecordClass(
            "special_equipment_penalty", "特种设备领域行政处罚", _BAD, severe_possible=True
        ),
        RecordClass("work_safety_penalty", "安全生产领域行政处罚", _BAD, severe_possible=True),
        RecordClass("fire_safety_penalty", "消防领域行政处罚", _BAD, severe_possible=True),
        RecordClass("social_insurance_arrears", "欠缴社会保险费", _BAD),
        RecordClass("product_quality", "产品质量抽检不合格", _BAD, severe_possible=True),
        RecordClass("customs_advanced", "海关高级认证企业", _GOOD),
        RecordClass("public_service", "志愿服务/公益", _GOOD),
        RecordClass("pledge_breach", "违背信用承诺", _BAD),
        RecordClass("credit_evaluation", "信用评价结果", _BOTH),
    )
}


def get_class(code: str) -> RecordClass:
    """Return the catalogue class for a code or raise ValidationFailed."""
    try:
        return CATALOGUE[code]
    except KeyError:
        raise ValidationFailed(
            f"信用信息类别不在目录中：{code}",
            f"Record class not in the public-credit catalogue: {code}",
            code="unknown_record_class",
        ) from None


def label(code: str) -> str:
    """Chinese label of a class code, or the code itself when unknown (old data)."""
    found = CATALOGUE.get(code)
    return found.label if found else code
