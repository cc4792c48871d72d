"""Typed errors of the WeChat protocol and API, rendered by the app's one error handler."""

from __future__ import annotations

from selfservice.errors import DomainError, ServiceUnavailable


class WeChatProtocolError(DomainError):
    status, code = 400, "wechat_bad_request"
    message_zh, message_en = "微信请求格式有误", "Malformed WeChat request"


class BadSignature(WeChatProtocolError):
    status, code = 403, "wechat_bad_signature"
    message_zh, message_en = "微信签名校验失败", "WeChat signature check failed"


class StaleTimestamp(WeChatProtocolError):
    status, code = 403, "wechat_stale_timestamp"
    message_zh, message_en = (
        "微信请求时间戳超出允许范围",
        "WeChat timestamp outside the allowed window",
    )


class PlaintextRefused(WeChatProtocolError):
    status, code = 403, "wechat_plaintext_refused"
    message_zh, message_en = (
        "安全模式下不接受明文消息",
        "Plaintext callbacks are refused in safe mode",
    )


class EncryptedRefused(WeChatProtocolError):
    status, code = 403, "wechat_encrypted_refused"
    message_zh, message_en = (
        "明文模式下不接受加密消息",
        "Encrypted callbacks are refused in plain mode",
    )


class Replayed(WeChatProtocolError):
    status, code = 403, "wechat_replayed"
    message_zh, message_en = (
        "该微信请求已处理过（时间戳与随机数重复）",
        "WeChat request replayed: timestamp and nonce already used",
    )


class BadCiphertext(WeChatProtocolError):
    status, code = 400, "wechat_bad_ciphertext"
    message_zh, message_en = "微信加密消息无法解密", "WeChat ciphertext cannot be decrypted"


class BadPadding(BadCiphertext):
    code = "wechat_bad_padding"
    message_zh, message_en = "微信加密消息填充错误", "WeChat ciphertext has bad padding"


class BadAppId(WeChatProtocolError):
    status, code = 403, "wechat_bad_appid"
    message_zh, message_en = "微信消息的 AppID 不匹配", "WeChat message AppID does not match"


class BadXml(WeChatProtocolError):
    code = "wechat_bad_xml"
    message_zh, message_en = "微信消息 XML 格式有误", "Malformed WeChat XML"


class ForbiddenXml(BadXml):
    code = "wechat_xml_forbidden"
    message_zh, message_en = "微信消息含有不允许的 XML 结构", "WeChat XML uses forbidden constructs"


class BodyTooLarge(WeChatProtocolError):
    status, code = 413, "wechat_body_too_large"
    message_zh, message_en = "微信消息过大", "WeChat message body too large"


class NotConfigured(ServiceUnavailable):
    code = "wechat_not_configured"
    message_zh, message_en = "微信公众号尚未配置", "The WeChat official account is not configured"


class WeChatApiError(DomainError):
    """WeChat answered with ``errcode != 0``; ``errcode``/``errmsg`` kept for logs."""

    status, code = 502, "wechat_api_error"
    message_zh, message_en = "微信接口调用失败", "WeChat API call failed"

    def __init__(self, errcode: int = 0, errmsg: str = "", **kwargs) -> None:
        self.errcode, self.errmsg = errcode, errmsg
        super().__init__(details={"errcode": errcode, "errmsg": errmsg}, **kwargs)


class WeChatUnavailable(WeChatApiError):
    status, code = 503, "wechat_unavailable"
    message_zh, message_en = "微信系统繁忙，请稍后再试", "WeChat is busy, please try again later"


class InvalidLoginCode(WeChatApiError):
    status, code = 401, "wechat_invalid_code"
    message_zh, message_en = "登录凭证无效或已过期，请重新登录", "Invalid or expired login code"


class LoginRateLimited(WeChatApiError):
    status, code = 429, "wechat_rate_limited"
    message_zh, message_en = "登录过于频繁，请稍后再试", "Too many login attempts, try again later"


class RiskyUser(WeChatApiError):
    status, code = 403, "wechat_risky_user"
    message_zh, message_en = (
        "该微信账号存在安全风险，暂不能登录",
        "This WeChat account is blocked as risky",
    )
