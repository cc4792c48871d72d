"""Scratch (not committed): the pledge screens against issue-14's API."""

import re

from playwright.sync_api import expect
from test_web_h5 import NAME, USCC
from web_support import Phone, Server


def test_sign_a_public_pledge_then_find_it_on_the_wall(phone: Phone, server: Server):
    page = phone.page
    phone.sign_in_as(USCC["wuhua"], "#/pledge")
    page.locator(".van-cell", has_text="主动型").first.click()
    page.fill(
        "textarea[name=content], input[name=content]", "保证所售商品质量合格，七日无理由退换。"
    )
    page.get_by_role("button", name="签署承诺").click()
    expect(page.locator(".form-error")).to_contain_text("请阅读承诺内容并确认")
    expect(page.locator("[name=content]")).to_have_value("保证所售商品质量合格，七日无理由退换。")
    page.get_by_text("本人已阅读上述承诺").click()
    page.get_by_role("button", name="签署承诺").click()
    expect(page.locator(".receipt-no .van-cell__value")).to_have_text(
        re.compile(r"^CN\d{8}-\d{4}$")
    )
    phone.open("#/pledges")
    page.fill(".van-search input", NAME["wuhua"])
    page.keyboard.press("Enter")
    expect(page.locator(".wall-item").first).to_contain_text("七日无理由退换")


def test_wall_is_public_and_not_empty(phone: Phone):
    page = phone.page
    phone.open("#/pledges")
    expect(page.locator(".wall-item").first).to_be_visible()
