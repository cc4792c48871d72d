"""The credit report as a PDF (fpdf2) with an embedded CJK font so text shows and extracts."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from selfservice.errors import ConfigError

# Debian packages: fonts-droid-fallback (preferred, a plain TTF), fonts-noto-cjk, fonts-wqy-zenhei
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
LATIN_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
)
FAMILY, CJK = "text", "cjk"


def _first(paths: tuple[Path, ...], package: str) -> Path:
    for path in paths:
        if path.is_file():
            return path
    raise ConfigError(
        f"no font for credit report PDFs: apt-get install {package} "
        f"(looked for {', '.join(str(p) for p in paths)})"
    )


@lru_cache(maxsize=1)
def font_paths() -> tuple[Path, Path]:
    """(Latin and digits, CJK): the Droid fallback font carries no Latin glyphs of its own."""
    return (
        _first(LATIN_CANDIDATES, "fonts-dejavu-core"),
        _first(FONT_CANDIDATES, "fonts-droid-fallback"),
    )


class _Report(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        latin, cjk = font_paths()
        self.add_font(FAMILY, "", str(latin))
        self.add_font(CJK, "", str(cjk))
        self.set_fallback_fonts([CJK])
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, size=8)
        self.cell(0, 6, f"{self.footer_text}    第 {self.page_no()} 页", align="C")


def _line(pdf: FPDF, text: str, *, size: float = 10.5, height: float = 6.5) -> None:
    pdf.set_font(FAMILY, size=size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _items(pdf: FPDF, heading: str, items: list[dict[str, Any]]) -> None:
    _line(pdf, heading, size=13, height=9)
    if not items:
        _line(pdf, "无")
        return
    for n, item in enumerate(items, start=1):
        severity = f"（{item['severity_label']}）" if item.get("severity_label") else ""
        _line(pdf, f"{n}. {item['title']}{severity}  [{'、'.join(item['labels'])}]")
        _line(
            pdf,
            f"    类别：{item['class_label']}  提供单位：{item['provider']}  "
            f"文书号：{item['document_number']}  认定日期：{item['finding_date']}",
            size=9,
            height=5.5,
        )


def _pledges(pdf: FPDF, pledges: list[dict[str, Any]]) -> None:
    _line(pdf, "四、信用承诺及履约情况", size=13, height=9)
    if not pledges:
        _line(pdf, "无")
    for n, p in enumerate(pledges, start=1):
        _line(pdf, f"{n}. {p['type_label']}：{p['title']}  [{p['kept']}]")
        _line(pdf, f"    承诺编号：{p['receipt']}  签署日期：{p['signed_on']}", size=9, height=5.5)


def render(report: dict[str, Any]) -> bytes:
    """The PDF bytes of an issued report (``verification`` present)."""
    check = report["verification"]
    pdf = _Report(f"验证码 {check['code']}")
    pdf.set_title(report["title"])
    pdf.set_creator("xinyong-selfservice")
    pdf.add_page()
    _line(pdf, report["title"], size=18, height=12)
    subject = report["subject"]
    _line(pdf, f"信用主体：{subject['name']}", size=12, height=8)
    if subject.get("uscc"):
        _line(pdf, f"统一社会信用代码：{subject['uscc']}")
    if subject.get("id_number"):
        _line(pdf, f"身份证号码：{subject['id_number']}")
    period = report["period"]
    _line(pdf, f"报告期间：{period['from']} 至 {period['to']}（{period['years']}年）")
    _line(pdf, f"出具日期：{report['issued_on']}")
    _line(pdf, report["statement"], size=11, height=8)
    _items(pdf, "一、不良信用信息", report["bad"])
    _items(pdf, "二、良好信用信息", report["good"])
    _line(pdf, "三、名单信息", size=13, height=9)
    for entry in report["lists"] or [{"label": "无", "entered_on": "", "department": ""}]:
        since = f"  列入日期：{entry['entered_on']}" if entry["entered_on"] else ""
        _line(pdf, f"{entry['label']}{since}  {entry['department']}")
    _pledges(pdf, report.get("pledges", []))
    _line(pdf, "五、报告验证", size=13, height=9)
    _line(pdf, f"验证码：{check['code']}")
    _line(pdf, f"验证地址：{check.get('url') or check['path']}", size=9)
    _line(pdf, f"内容摘要（SHA-256）：{check['digest']}", size=8, height=5)
    return bytes(pdf.output())


def text_document(*, title: str, body: str, footer: str) -> bytes:
    """A plain text document (a letter) with the report's fonts: a title, then one line per line."""
    pdf = _Report(footer)
    pdf.set_title(title)
    pdf.set_creator("xinyong-selfservice")
    pdf.add_page()
    _line(pdf, title, size=18, height=12)
    for paragraph in body.splitlines():
        _line(pdf, paragraph or " ", size=11, height=7.5)
    return bytes(pdf.output())
