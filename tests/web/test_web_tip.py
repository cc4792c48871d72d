"""Scratch (not committed): the tip screens against issue-15's API."""

import re

from playwright.sync_api import expect
from test_web_h5 import png
from web_support import Phone, Server


def test_anonymous_tip_then_follow_it_with_receipt_and_secret(phone: Phone, server: Server):
    page = phone.page
    phone.open("#/tip")
    page.fill("input[name=party_name]", "某某小吃店")
    page.locator("input[name=category]").click()
    page.get_by_role("button", name="食品药品").click()
    page.fill("input[name=place]", "五华区某街道")
    page.fill(
        "textarea[name=facts]",
        "该店长期销售过期的熟食制品，顾客食用后多人出现腹泻症状，店家拒不承认。",
    )
    page.get_by_text("本人承诺所举报内容真实").click()
    page.get_by_role("button", name="提交举报").click()
    receipt = page.locator(".receipt-no .van-cell__value")
    expect(receipt).to_have_text(re.compile(r"^JB\d{8}-\d{4}$"))
    number = receipt.text_content()
    secret = page.locator(".tip-secret .van-cell__label").text_content()
    assert len(secret) >= 16
    page.get_by_role("button", name="我已保存").click()
    expect(page.locator(".tip-secret")).to_have_count(0)
    page.get_by_role("button", name="查询举报进度").click()
    page.fill("input[name=receipt]", number)
    page.fill("input[name=secret]", "wrong-secret-value")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".form-error")).to_be_visible()
    expect(page.locator("input[name=receipt]")).to_have_value(number)
    page.fill("input[name=secret]", secret)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".tip-status")).to_be_visible()
    page.fill("textarea[name=message]", "补充：该店营业时间为每天晚上。")
    page.locator(".tip-thread ~ .van-cell-group .ev-album input[type=file]").set_input_files(png())
    expect(page.locator(".van-uploader__mask")).to_have_count(0)
    page.get_by_role("button", name="发送").click()
    expect(page.locator(".tip-thread")).to_contain_text("该店营业时间为每天晚上")
