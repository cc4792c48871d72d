"""The H5 front in real Chromium at 360×740, one test per flow, against ``selfservice serve``.

SQLite only: the server is the real app on a migrated SQLite copy plus the test Redis; the same API
routes run on PostgreSQL in tests/identity, tests/records, tests/objections and tests/cases. Repair,
pledge and tip screens are not driven here until their APIs exist (their routes render, below).
"""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from playwright.sync_api import expect
from web_support import DIANCHI, LI, ZHANG, Phone, Server

from selfservice.demo.data import CITIZENS, ENTERPRISES, resident_id, uscc

USCC = {key: uscc(body) for key, _, _, body, *_ in ENTERPRISES}
NAME = {key: name for key, _, name, *_ in ENTERPRISES}
PERSON = {key: (name, resident_id(i) if len(i) == 17 else i, p) for key, name, i, p, _ in CITIZENS}
RECEIPT = re.compile(r"^YY\d{8}-\d{4}$")


def png() -> dict:
    """A real (tiny) PNG: evidence types are decided by magic bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xc8\x10\x2e" * 8 for _ in range(8))
    body = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return {"name": "receipt-photo.png", "mimeType": "image/png", "buffer": body}


def big_png(size: int) -> dict:
    """A real PNG of about ``size`` bytes (noise does not compress; uploads are decoded)."""
    import io
    import random

    from PIL import Image

    side = int((size / 3) ** 0.5) + 1
    noise = random.Random(7).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), noise).save(out, format="PNG")
    return {**png(), "buffer": out.getvalue()}


def objectionable(server: Server, identifier: str) -> list[int]:
    token = server.token(identifier)
    items = server.api("/api/v1/me/records?nature=bad&per_page=100", token=token)["items"]
    out = []
    for item in items:
        detail = server.api(f"/api/v1/me/records/{item['id']}", token=token)
        if detail["actions"]["objection"]["available"]:
            out.append(item["id"])
    assert out, f"no objectionable record for {identifier}"
    return out


def filed_over_the_api(server: Server, identifier: str, statement: str) -> tuple[int, str]:
    """An objection filed directly (the scene of a test): its record id and receipt."""
    record = objectionable(server, identifier)[0]
    body = {"record_id": record, "type": "content_wrong", "statement": statement}
    case = server.api("/api/v1/objections", token=server.token(identifier), body=body)
    return record, case["receipt"]


def fill_objection(page, statement: str) -> None:
    page.get_by_text("公示期限有误").click()
    page.fill("textarea[name=statement]", statement)


def sign_in_by_code(page, server: Server, mobile: str) -> None:
    page.fill("input[name=phone]", mobile)
    sent = len(server.sms.messages)
    page.click("button.send-code")
    expect(page.get_by_text("验证码已发送至")).to_be_visible()
    page.fill("input[name=code]", server.sms.last_code(mobile, after=sent))
    page.get_by_role("button", name="登录").click()


def confirm_by_code(page, server: Server, mobile: str) -> None:
    sent = len(server.sms.messages)
    page.get_by_role("button", name="下一步").click()
    page.fill("input[name=verify_code]", server.sms.last_code(mobile, after=sent))
    page.get_by_role("button", name="确认核验").click()
    expect(page.get_by_text("身份核验成功")).to_be_visible()


def test_sign_in_with_phone_code_then_verify_as_citizen(phone: Phone, server: Server):
    page = phone.page
    phone.open("#/records")
    expect(page).to_have_url(re.compile(r"#/signin\?next=%2Frecords$"))
    sign_in_by_code(page, server, ZHANG["phone"])
    expect(page).to_have_url(re.compile(r"#/verify\?next=%2Frecords$"))
    page.fill("input[name=name]", ZHANG["name"])
    page.fill("input[name=id_number]", ZHANG["id"])
    confirm_by_code(page, server, ZHANG["phone"])
    page.get_by_role("button", name="继续办理").click()
    expect(page).to_have_url(re.compile(r"#/records$"))
    expect(page.locator(".record-item").first).to_be_visible()
    assert "条记录" in page.text_content(".hint")


def test_wrong_code_keeps_the_phone_number_and_says_why(phone: Phone, server: Server):
    page = phone.page
    phone.open("#/signin")
    page.fill("input[name=phone]", LI["phone"])
    page.click("button.send-code")
    expect(page.get_by_text("验证码已发送至")).to_be_visible()
    page.fill("input[name=code]", "000000")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".form-error")).to_contain_text("验证码")
    expect(page.locator("input[name=phone]")).to_have_value(LI["phone"])
    expect(page).to_have_url(re.compile(r"#/signin$"))


def test_legal_representative_verifies_the_enterprise(phone: Phone, server: Server):
    page = phone.page
    phone.open("#/signin?next=%2Fsummary")
    sign_in_by_code(page, server, DIANCHI["phone"])
    page.get_by_role("tab", name="法定代表人").click()
    page.fill("input[name=firm_name]", DIANCHI["name"])
    page.fill("input[name=uscc]", DIANCHI["uscc"])
    page.fill("input[name=rep_name]", DIANCHI["rep"])
    page.fill("input[name=rep_id_number]", DIANCHI["rep_id"])
    confirm_by_code(page, server, DIANCHI["phone"])
    page.get_by_role("button", name="继续办理").click()
    expect(page).to_have_url(re.compile(r"#/summary$"))
    expect(page.locator(".counts")).to_contain_text("全部记录")


def test_records_filter_and_detail_with_measures_periods_and_actions(phone: Phone):
    page = phone.page
    phone.sign_in_as(ZHANG["id"], "#/records")
    expect(page.locator(".record-item").first).to_be_visible()
    everything = page.locator(".record-item").count()
    page.locator(".van-dropdown-menu__item").first.click()
    page.locator(".van-dropdown-item__option:visible", has_text="不良信息").click()
    expect(page.locator(".record-item .van-tag--success")).to_have_count(0)
    assert 0 < page.locator(".record-item").count() < everything
    page.locator(".record-item").first.click()
    expect(page).to_have_url(re.compile(r"#/records/\d+$"))
    expect(page.get_by_text("适用的措施")).to_be_visible()
    expect(page.get_by_text("适用规则")).to_be_visible()
    expect(page.get_by_text("变更记录")).to_be_visible()
    expect(page.get_by_text("提出异议", exact=True)).to_be_visible()
    expect(page.get_by_text("申请信用修复", exact=True)).to_be_visible()


def test_agent_asks_to_act_for_an_enterprise_with_a_letter(phone: Phone, server: Server):
    page = phone.page
    name, id_number, mobile = PERSON["wangwu"]
    phone.open("#/signin?next=%2Fverify")
    sign_in_by_code(page, server, mobile)
    page.fill("input[name=name]", name)
    page.fill("input[name=id_number]", id_number)
    confirm_by_code(page, server, mobile)
    page.get_by_role("button", name="继续办理").click()
    page.get_by_role("tab", name="经办人").click()
    page.fill("input[name=enterprise_name]", NAME["xiaomian"])
    page.fill("input[name=agent_uscc]", USCC["xiaomian"])
    page.get_by_text("信用承诺", exact=True).click()  # not asked for
    page.locator(".agent-letter input[type=file]").set_input_files(png())
    page.get_by_role("button", name="提交授权申请").click()
    expect(page.locator(".agent-list")).to_contain_text("待审核")


def test_summary_and_who_used_my_data(phone: Phone):
    page = phone.page
    phone.sign_in_as(ZHANG["id"], "#/summary")
    expect(page.locator(".counts")).to_contain_text("不良信息")
    expect(page.get_by_text("严重失信主体名单")).to_be_visible()
    phone.open("#/access-log")
    expect(page.get_by_text("以下为查询或使用您信用信息的部门")).to_be_visible()
    expect(page.locator(".van-loading")).to_have_count(0)


def test_credit_report_shows_its_code_and_downloads_the_pdf(phone: Phone, tmp_path):
    page = phone.page
    phone.sign_in_as(ZHANG["id"], "#/credit-report")
    page.locator(".van-stepper__plus").click()
    page.get_by_role("button", name="生成信用报告").click()
    expect(page.locator(".verification-code .van-cell__value")).to_have_text(re.compile(r"\w{4}-"))
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 PDF").click()
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    expect(page.locator(".pdf-saved")).to_contain_text("验证码")


def test_objection_from_the_record_to_the_receipt_and_timeline(phone: Phone, server: Server):
    page = phone.page
    record = objectionable(server, USCC["dianchi"])[0]
    phone.sign_in_as(USCC["dianchi"], f"#/records/{record}")
    page.get_by_text("提出异议", exact=True).click()
    expect(page).to_have_url(re.compile(rf"#/objection\?record={record}$"))
    fill_objection(page, "处罚决定书载明的公示期限与认定日期不符，请核实。")
    camera = page.locator(".ev-camera input[type=file]")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    page.locator(".ev-album input[type=file]").set_input_files(png())
    expect(page.locator(".van-uploader__preview")).to_have_count(1)
    expect(page.locator(".van-uploader__mask")).to_have_count(0)
    page.get_by_role("button", name="提交异议").click()
    receipt = page.locator(".receipt-no .van-cell__value")
    expect(receipt).to_have_text(RECEIPT)
    number = receipt.text_content()
    page.get_by_text("查看办理进度").click()
    expect(page).to_have_url(re.compile(rf"#/cases/{number}$"))
    expect(page.locator(".case-evidence")).to_contain_text("receipt-photo.png")
    expect(page.locator(".timeline .van-step")).not_to_have_count(0)
    expect(page.locator(".case-deadline .van-cell__label")).to_contain_text("个工作日")
    page.locator(".van-tabbar-item", has_text="办理").click()
    expect(page.locator(".case-item").filter(has_text=number)).to_be_visible()


def test_evidence_upload_shows_its_progress(phone: Phone, server: Server):
    page = phone.page
    phone.sign_in_as(USCC["yuxitech"], "#/objection")
    page.locator(".van-cell.is-link, .van-cell--clickable").first.click()
    expect(page).to_have_url(re.compile(r"#/objection\?record=\d+$"))
    album = page.locator(".ev-album input[type=file]")
    assert album.get_attribute("accept") == "image/*,application/pdf"
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    slow = {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 400_000}
    cdp.send("Network.emulateNetworkConditions", slow)
    album.set_input_files(big_png(1_200_000))
    expect(page.locator(".van-uploader__mask-message")).to_contain_text(re.compile(r"上传中 \d+%"))
    expect(page.locator(".van-uploader__mask")).to_have_count(0, timeout=15_000)
    expect(page.locator(".van-uploader__preview")).to_have_count(1)


def test_failed_submit_keeps_the_input_and_shows_the_api_message(phone: Phone, server: Server):
    page = phone.page
    record, _ = filed_over_the_api(server, USCC["kunyao"], "已在柜台提交过异议。")
    phone.sign_in_as(USCC["kunyao"], f"#/objection?record={record}")
    statement = "这条记录的文书号与本企业收到的决定书不一致。"
    fill_objection(page, statement)
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".form-error")).to_contain_text("该记录已有正在处理的异议申请")
    expect(page.locator("textarea[name=statement]")).to_have_value(statement)
    expect(page.locator(".van-radio__icon--checked")).to_have_count(1)


def test_retry_after_a_lost_answer_files_once(phone: Phone, server: Server):
    page = phone.page
    record = objectionable(server, USCC["chuncheng"])[0]
    phone.sign_in_as(USCC["chuncheng"], f"#/objection?record={record}")
    statement = "记录所列欠税金额已于认定前缴清，请核实。"
    fill_objection(page, statement)
    answered: list[int] = []

    def lose_the_answer(route):
        answered.append(route.fetch().status)  # the server files it …
        route.abort("connectionreset")  # … but the phone never hears back

    page.route("**/api/v1/objections", lose_the_answer, times=1)
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".form-error")).to_contain_text("网络异常")
    expect(page.locator("textarea[name=statement]")).to_have_value(statement)
    assert answered == [201]
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".receipt-no .van-cell__value")).to_have_text(RECEIPT)
    cases = server.api("/api/v1/cases", token=server.token(USCC["chuncheng"]))["items"]
    objections = [c["receipt"] for c in cases if c["kind"] == "objection"]
    assert len(objections) == 1 and RECEIPT.match(objections[0])


def test_double_tap_submits_once(phone: Phone, server: Server):
    page = phone.page
    record = objectionable(server, USCC["wuhua"])[0]
    phone.sign_in_as(USCC["wuhua"], f"#/objection?record={record}")
    fill_objection(page, "处罚已撤销，记录应同步撤销。")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name="提交异议").dblclick()
    expect(page.locator(".receipt-no .van-cell__value")).to_have_text(RECEIPT)
    assert [u for u in posts if u.endswith("/api/v1/objections")] == [
        server.base + "/api/v1/objections"
    ]
    cases = server.api("/api/v1/cases", token=server.token(USCC["wuhua"]))["items"]
    objections = [c["receipt"] for c in cases if c["kind"] == "objection"]
    assert len(objections) == 1 and RECEIPT.match(objections[0])


def test_add_material_then_withdraw_the_case(phone: Phone, server: Server):
    page = phone.page
    _, receipt = filed_over_the_api(server, USCC["tongda"], "金额有误，请核实。")
    phone.sign_in_as(USCC["tongda"], "#/cases")
    page.locator(".case-item", has_text=receipt).click()
    page.get_by_role("button", name="补充材料").click()
    page.fill(".case-more textarea", "补充缴款凭证。")
    page.locator(".case-more .ev-album input[type=file]").set_input_files(png())
    expect(page.locator(".case-more .van-uploader__mask")).to_have_count(0)
    page.get_by_role("button", name="提交补充材料").click()
    expect(page.locator(".case-evidence")).to_contain_text("receipt-photo.png")
    page.get_by_role("button", name="撤回申请").click()
    page.locator(".van-dialog__confirm").click()
    expect(page.locator(".case-status")).to_have_text("已撤回")
    expect(page.get_by_role("button", name="撤回申请")).to_have_count(0)


def test_notification_leads_to_the_case(phone: Phone, server: Server):
    page = phone.page
    _, receipt = filed_over_the_api(server, USCC["fuxian"], "请核实记录来源。")
    phone.sign_in_as(USCC["fuxian"], "#/notifications")
    for _ in range(40):  # the in-server worker delivers the outbox every 2 s
        if page.locator(".notification-list .van-cell").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    item = page.locator(".notification-list .van-cell").first
    expect(item).to_have_class(re.compile("unread"))
    expect(page.locator(".van-tabbar-item .van-badge")).to_have_text(re.compile(r"^\d+$"))
    item.click()
    expect(page).to_have_url(re.compile(rf"#/cases/{receipt}$"))
    expect(page.locator(".case-status")).to_be_visible()


def test_chat_tab_links_open_the_screens(phone: Phone):
    page = phone.page
    phone.open("#/chat")
    expect(page.locator(".msg.bot").first).to_be_visible()
    page.fill("#text", "我要举报一家饭店卖过期食品")
    page.locator("#send").click()
    link = page.locator(".msg.bot .links a").last
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"#/tip$"))
    expect(page.locator(".van-nav-bar__title")).to_have_text("失信举报")


def test_large_text_mode_for_older_users(phone: Phone):
    page = phone.page
    phone.open("#/")
    size = page.evaluate(
        "getComputedStyle(document.querySelector('.van-grid-item__text')).fontSize"
    )
    page.get_by_role("switch").click()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    larger = page.evaluate(
        "getComputedStyle(document.querySelector('.van-grid-item__text')).fontSize"
    )
    assert float(larger[:-2]) > float(size[:-2])
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))


ROUTES = [
    "#/",
    "#/signin",
    "#/pledges",
    "#/pledge",
    "#/tip",
    "#/tip/follow",
    "#/chat",
]
SIGNED_IN = [
    "#/verify",
    "#/records",
    "#/summary",
    "#/access-log",
    "#/credit-report",
    "#/objection",
    "#/repair",
    "#/cases",
    "#/notifications",
    "#/me",
]


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large-text"])
def test_every_screen_fits_a_360px_phone(phone: Phone, large: bool):
    """Every route renders in Chinese without a script error or sideways scrolling."""
    page = phone.page
    phone.sign_in_as(ZHANG["id"])
    if large:
        page.get_by_role("switch").click()
    for hash_route in ROUTES + SIGNED_IN:
        phone.open(hash_route)
        page.wait_for_load_state("networkidle")
        title = page.locator(".van-nav-bar__title").text_content()
        assert re.search(r"[\u4e00-\u9fff]", title), hash_route
        assert title != "页面不存在", hash_route
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (hash_route, width)
