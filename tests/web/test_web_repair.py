"""Scratch (not committed): the repair screen against issue-13's API."""

import re

from playwright.sync_api import expect
from test_web_h5 import USCC, png
from web_support import Phone, Server


def test_repair_from_eligibility_to_receipt(phone: Phone, server: Server, tmp_path):
    page = phone.page
    token = server.token(USCC["hongta"])
    items = server.api("/api/v1/me/records?per_page=100", token=token)["items"]
    record = next(r["id"] for r in items if r["title"] == "未按规定公示年度报告")
    phone.sign_in_as(USCC["hongta"], f"#/records/{record}")
    page.get_by_text("申请信用修复", exact=True).click()
    expect(page).to_have_url(re.compile(rf"#/repair\?record={record}$"))
    expect(page.locator(".eligibility .van-cell__value")).to_have_text("可以申请")
    expect(page.get_by_text("需要准备的材料")).to_be_visible()
    page.fill("textarea[name=statement]", "罚款已于上月缴清，年度报告已补报公示。")
    page.locator(".repair-form .ev-album input[type=file]").set_input_files(png())
    expect(page.locator(".repair-form .van-uploader__mask")).to_have_count(0)
    with page.expect_download() as letter:
        page.get_by_text("阅读承诺书（PDF）").click()
    saved = tmp_path / "letter.pdf"
    letter.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    page.get_by_role("button", name="提交修复申请").click()
    expect(page.locator(".form-error")).to_contain_text("承诺书")
    page.get_by_text("我已阅读并接受").click()
    page.get_by_role("button", name="提交修复申请").click()
    expect(page.locator(".receipt-no .van-cell__value")).to_have_text(
        re.compile(r"^XF\d{8}-\d{4}$")
    )
    page.get_by_text("查看办理进度").click()
    expect(page.locator(".case-evidence")).to_contain_text("receipt-photo.png")


def test_repair_not_yet_shows_reasons(phone: Phone, server: Server):
    page = phone.page
    token = server.token(USCC["hongta"])
    items = server.api("/api/v1/me/records?per_page=100", token=token)["items"]
    record = next(r["id"] for r in items if r["title"] == "生产经营国家明令淘汰的产品")
    phone.sign_in_as(USCC["hongta"], f"#/repair?record={record}")
    expect(page.locator(".eligibility .van-cell__value")).to_have_text("暂不可申请")
    expect(page.locator(".reason").first).to_be_visible()
    expect(page.get_by_role("button", name="提交修复申请")).to_have_count(0)
