"""Factories for pledge tests: departments, staff, an enterprise with an agent, a citizen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.transactions import in_transaction

from selfservice.accounts.enums import AccountKind, AgentStatus
from selfservice.accounts.models import Account, AgentAuthorisation
from selfservice.auth.tokens import Principal
from selfservice.cases.actors import Actor, actor_of
from selfservice.demo.data import resident_id, uscc
from selfservice.enums import DepartmentLevel, StaffRole, SubjectKind
from selfservice.staff.models import Department, StaffUser
from selfservice.subjects import service as subjects
from selfservice.subjects.models import Subject

ENTERPRISE = "昆明测试餐饮管理有限公司"
ENTERPRISE_CODE = uscc("91530102MA6KQ1B2C")
REP_NAME, REP_ID, REP_PHONE = "李明", resident_id("53010219800315201"), "13888000001"
CITIZEN, CITIZEN_ID, CITIZEN_PHONE = "张三丰", "530102196001010016", "13988000001"
AGENT_NAME = "赵经办"
# what must never appear on the public wall
PERSONAL = (REP_NAME, REP_ID, REP_PHONE, CITIZEN, CITIZEN_ID, CITIZEN_PHONE, AGENT_NAME)


@dataclass
class PledgeWorld:
    credit_office: Department
    market: Department
    elsewhere: Department
    enterprise: Subject
    citizen: Subject
    handler: StaffUser
    credit: StaffUser
    outsider: StaffUser
    authorisation: AgentAuthorisation

    def principal(self, subject: Subject | None = None, scopes=("all",), **kw) -> Principal:
        subject = subject or self.enterprise
        return Principal(kind="subject", subject_id=subject.id, scopes=tuple(scopes), **kw)

    def actor(self, subject: Subject | None = None, scopes=("all",), **kw) -> Actor:
        return actor_of(self.principal(subject, scopes, **kw))

    def agent(self, scopes=("pledge", "progress")) -> Principal:
        return self.principal(
            scopes=scopes,
            account_id=self.authorisation.account_id,
            authorisation_id=self.authorisation.id,
        )

    def staff(self, user: StaffUser) -> Principal:
        return Principal(
            kind="staff",
            staff_id=user.id,
            roles=(str(user.role),),
            department_id=user.department_id,
        )


async def _department(code: str, name: str, jurisdiction: str = "kunming") -> Department:
    return await Department.create(
        code=code,
        name=name,
        level=DepartmentLevel.CITY,
        jurisdiction=jurisdiction,
        region_code="530100",
    )


async def _staff(username: str, role: StaffRole, department: Department) -> StaffUser:
    return await StaffUser.create(
        username=username,
        display_name=username,
        password_hash="x" * 20,
        role=role,
        department=department,
    )


async def make_world() -> PledgeWorld:
    async with in_transaction():
        credit_office = await _department("KM-FGW", "昆明市发展和改革委员会（市信用办）")
        market = await _department("KM-SCJG", "昆明市市场监督管理局")
        elsewhere = await _department("YX-SCJG", "玉溪市市场监督管理局", "yuxi")
        enterprise = await subjects.upsert(
            kind=SubjectKind.LEGAL_PERSON,
            name=ENTERPRISE,
            uscc=ENTERPRISE_CODE,
            legal_rep_name=REP_NAME,
            legal_rep_id=REP_ID,
            phone=REP_PHONE,
            region_code="530102",
        )
        citizen = await subjects.upsert(
            kind=SubjectKind.NATURAL_PERSON,
            name=CITIZEN,
            id_number=CITIZEN_ID,
            phone=CITIZEN_PHONE,
            region_code="530102",
        )
        account = await Account.create(kind=AccountKind.PHONE)
        authorisation = await AgentAuthorisation.create(
            account=account,
            enterprise=enterprise,
            agent_name=AGENT_NAME,
            agent_person_index="i" * 64,
            requested_scopes=["pledge"],
            granted_scopes=["pledge", "progress"],
            letter_path="letters/a.pdf",
            letter_sha256="0" * 64,
            letter_content_type="application/pdf",
            status=AgentStatus.APPROVED,
            valid_until=datetime.now(UTC) + timedelta(days=365),
        )
        return PledgeWorld(
            credit_office=credit_office,
            market=market,
            elsewhere=elsewhere,
            enterprise=enterprise,
            citizen=citizen,
            handler=await _staff("km_h", StaffRole.HANDLER, market),
            credit=await _staff("km_c", StaffRole.CREDIT_OFFICE, credit_office),
            outsider=await _staff("yx_h", StaffRole.HANDLER, elsewhere),
            authorisation=authorisation,
        )


# one filled-in value set per type (the 容缺 one with its due days)
VALUES = {
    "notify": {"matter": "食品经营许可", "conditions": "经营场所、设备和人员符合食品安全要求。"},
    "missing_materials": {
        "matter": "食品经营许可证延续",
        "missing_materials": ["从业人员健康证明", "消毒设施照片"],
        "due_days": 2,
    },
    "certificate": {"matter": "餐饮服务备案", "certificate": "无违法犯罪记录证明"},
    "repair": {
        "record_title": "食品经营许可证过期仍经营",
        "document_number": "昆市监罚〔2026〕17号",
        "corrective_actions": "已缴纳罚款并办理许可证延续",
    },
    "industry": {"association": "昆明市餐饮行业协会", "content": "不使用过期食材，明码标价。"},
    "public": {"content": "菜品明码标价，投诉24小时内答复。"},
    "other": {"title": "节能减排", "content": "年内完成油烟净化设施改造。"},
}
NEEDS_DEPARTMENT = {"notify", "missing_materials", "certificate"}
SIGNED = date(2026, 9, 29)  # a Tuesday before the National Day holiday (10-01 … 10-07)
