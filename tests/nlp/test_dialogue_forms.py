"""The form engine as transcripts: several slots in one message, corrections, going back, a side
question mid-form, cancel, re-asks, confirmation; state survives a new engine (worker restart)."""

from __future__ import annotations

from datetime import date

import pytest

from channels.message import Inbound, Kind, Reply
from nlp import extract
from nlp import intents as i
from nlp.dialogue import forms
from nlp.dialogue.engine import Engine
from nlp.dialogue.forms import Form, Slot
from nlp.dialogue.turn import Identity, Services
from nlp.matcher import IntentMatcher
from nlp.skills import registry
from selfservice.clock import Clock
from selfservice.store import MemoryStore

TODAY = date(2026, 12, 2)
CATEGORIES = {"食品药品": ("过期", "食品", "变质", "药"), "拖欠工资": ("工资", "欠薪", "拖欠")}
SUBMITTED: list[dict[str, str]] = []


async def _submit(turn, values: dict[str, str]) -> Reply:
    SUBMITTED.append(values)
    return Reply(text=f"已提交，编号 TEST-{len(SUBMITTED)}")


def _when(text: str, ft: forms.FormTurn) -> str | None:
    return extract.when(text, TODAY)


TIP = Form(
    name=i.REPORT,
    title="失信举报",
    slots=(
        Slot("party", "被举报对象", "请告诉我被举报的单位或个人。", lambda t, ft: extract.party(t)),
        Slot(
            "category",
            "举报类别",
            "属于哪一类问题？",
            lambda t, ft: extract.choice(t, CATEGORIES),
            choices=tuple(CATEGORIES),
        ),
        Slot(
            "place",
            "地址",
            "在什么地方？",
            lambda t, ft: extract.place(t),
            aliases=("地点", "位置"),
        ),
        Slot("time", "时间", "什么时候发生的？", _when, optional=True),
        Slot(
            "amount",
            "拖欠金额",
            "拖欠了多少钱？",
            lambda t, ft: extract.amount(t),
            when=lambda v: v.get("category") == "拖欠工资",
        ),
        Slot(
            "facts",
            "事实经过",
            "请描述具体情况（至少 10 个字）。",
            lambda t, ft: extract.free_text(t, minimum=10),
            reask="描述太短了。",
            greedy=True,
        ),
    ),
    submit=_submit,
    side=registry()[i.POLICY_FAQ],
)


class User:
    def __init__(self, engine: Engine, user: str) -> None:
        self.engine, self.user = engine, user

    async def say(self, text: str) -> str:
        inbound = Inbound("web", self.user, Kind.TEXT, text=text)
        reply = await self.engine.handle(inbound, Identity(self.user, "web"))
        return reply.text


def _engine(store: MemoryStore, settings) -> Engine:
    async def tip(turn) -> Reply:
        return await forms.run(turn, TIP)

    skills = registry() | {i.REPORT: tip}
    matcher = IntentMatcher.load()
    services = Services(settings=settings, store=store, clock=Clock())
    return Engine(skills=skills, services=services, classify=matcher.classify)


@pytest.fixture
def store(settings):
    SUBMITTED.clear()
    memory = MemoryStore()
    return lambda: _engine(memory, settings)


async def test_several_slots_in_one_message_then_the_rest_then_confirm(store):
    u = User(store(), "u1")
    first = await u.say("我要举报城中村口那家饭店卖过期食品，昨天晚上")
    assert "请描述具体情况" in first  # party, category, place and time came in one message
    assert "请核对" in await u.say("他们把过期的卤肉重新加热卖给顾客，我吃了拉肚子")
    summary = await u.say("地址说错了，是北京路")
    assert "已将地址改为：北京路" in summary and "· 地址：北京路" in summary
    assert "· 时间：2026-12-01 晚上" in summary and "· 举报类别：食品药品" in summary
    done = await u.say("确认")
    assert done == "已提交，编号 TEST-1"
    assert SUBMITTED[0]["party"] == "城中村口那家饭店" and SUBMITTED[0]["place"] == "北京路"


async def test_conditional_slot_invalid_input_reask_and_going_back(store):
    u = User(store(), "u2")
    assert "被举报的单位" in await u.say("我要举报")
    assert "哪一类" in await u.say("昆明某某建筑劳务有限公司")
    assert "什么地方" in await u.say("拖欠工资")
    assert "什么时候" in await u.say("在官渡区工地")
    assert "拖欠了多少钱" in await u.say("跳过")  # optional, and the condition now applies
    reask = await u.say("很多")
    assert "没能识别拖欠金额" in reask and "拖欠了多少钱" in reask
    back = await u.say("上一步")
    assert "重新填写时间" in back
    assert "拖欠了多少钱" in await u.say("上个月15号")
    assert "请描述" in await u.say("3万元")
    assert "描述太短" in await u.say("没发工资")
    assert "请核对" in await u.say("包工头拖欠我们十几个工人三个月工资，一直不给")
    await u.say("确认")
    assert SUBMITTED[0]["time"] == "2026-11-15" and SUBMITTED[0]["amount"] == "30000"


async def test_side_question_mid_form_resumes_where_it_was(store):
    u = User(store(), "u3")
    await u.say("我要举报")
    answer = await u.say("举报人的信息会保密吗")
    assert "继续失信举报" in answer and "被举报的单位" in answer
    assert "哪一类" in await u.say("某某商贸有限公司")


@pytest.mark.parametrize("step", range(4))
async def test_cancel_at_every_step(store, step):
    u = User(store(), f"c{step}")
    answers = ["我要举报", "某某食品有限公司", "食品药品", "在北京路"][: step + 1]
    for text in answers:
        await u.say(text)
    assert "已退出失信举报" in await u.say("取消")
    assert SUBMITTED == []
    assert "什么地方" not in await u.say("食品药品")  # the form is gone


async def test_form_state_survives_a_new_engine(store):
    await User(store(), "r1").say("我要举报某某食品有限公司")
    restarted = User(store(), "r1")  # a new worker process: state is in the store
    assert "什么地方" in await restarted.say("食品药品")


async def test_two_users_interleaved(store):
    engine = store()
    a, b = User(engine, "a"), User(engine, "b")
    await a.say("我要举报")
    await b.say("我要举报")
    await a.say("某某食品有限公司")
    assert "被举报的单位" in await b.say("嗯")
    assert "什么地方" in await a.say("食品药品")
