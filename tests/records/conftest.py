"""Records test fixtures: departments, the measure list, row builders, a subject's token."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from records_helpers import uscc  # type: ignore[import-not-found]
from tortoise.backends.base import executor

from selfservice.enums import DepartmentLevel, MeasureKind, Obligation
from selfservice.measures.models import Measure
from selfservice.policy import load_policy
from selfservice.staff.models import Department


@pytest.fixture(autouse=True)
def _records_env(settings, monkeypatch) -> None:
    executor.EXECUTOR_CACHE.clear()
    from selfservice.subjects import pii

    monkeypatch.setattr(pii, "get_settings", lambda: settings)


@dataclasses.dataclass
class World:
    market: Department
    tax: Department
    county: Department
    kunming: Any
    yuxi: Any


@pytest.fixture
async def world(database) -> World:
    market = await Department.create(
        code="km-amr",
        name="昆明市市场监督管理局",
        level=DepartmentLevel.CITY,
        jurisdiction="kunming",
    )
    tax = await Department.create(
        code="km-tax",
        name="国家税务总局昆明市税务局",
        level=DepartmentLevel.CITY,
        jurisdiction="kunming",
    )
    county = await Department.create(
        code="km-pz-hrss",
        name="盘龙区人力资源和社会保障局",
        level=DepartmentLevel.COUNTY,
        jurisdiction="kunming",
    )
    for code, kind, obligation, title in (
        (
            "bid_restrict",
            MeasureKind.PUNISHMENT,
            Obligation.MANDATORY,
            "限制参与政府采购和招标投标",
        ),
        ("strict_supervision", MeasureKind.PUNISHMENT, Obligation.RECOMMENDED, "列为重点监管对象"),
        ("green_channel", MeasureKind.INCENTIVE, Obligation.RECOMMENDED, "行政审批绿色通道"),
    ):
        await Measure.create(
            code=code,
            kind=kind,
            obligation=obligation,
            title=title,
            legal_basis="国发〔2016〕33号",
            scope="national",
            applies_to="bad" if kind is MeasureKind.PUNISHMENT else "good",
        )
    return World(market, tax, county, load_policy("kunming"), load_policy("yuxi"))


@pytest.fixture
def make_row() -> Callable[..., dict[str, Any]]:
    def build(n: int = 1, **over: Any) -> dict[str, Any]:
        row = {
            "action": "new",
            "identifier": uscc(n),
            "subject_name": f"云南测试企业{n}有限公司",
            "document_number": f"昆市监罚〔2025〕{n}号",
            "nature": "bad",
            "severity": "general",
            "class": "administrative_penalty",
            "title": "未按规定公示年度报告",
            "content": "经查，该企业未按规定报送年度报告。",
            "legal_basis": "《企业信息公示暂行条例》第八条",
            "finding_date": "2025-06-10",
            "measures": ["strict_supervision"],
        }
        row.update(over)
        return {k: v for k, v in row.items() if v is not None}

    return build
