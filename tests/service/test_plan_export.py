"""The plan's files: the Word 方案 to GB/T 9704-2012 with its landscape 整改清单, the Markdown, the 整改台账."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook

from service.drafting.content import LIST_COLUMNS, chinese_date
from service.drafting.export import to_docx, to_markdown, to_xlsx
from service.drafting.gbt9704 import CELL_LINES, CUT_NOTE, FONT_TABLE, LIST_WIDTHS_MM, fit_cell
from service.drafting.ledger import COLUMNS as LEDGER_COLUMNS
from service.drafting.plan import Draft

LAW = "中华人民共和国水污染防治法"
LOCAL = "示例市全面加强生态环境保护十二条措施"


def _obligation(title: str, article: str, sentence: str) -> dict:
    return {"clause_id": f"{title}{article}", "citation": f"《{title}》{article}", "sentence": sentence}


def _plan() -> Draft:
    """Two problems; the first keeps fifteen requirements, the most specific (a local measure) last."""
    obligations = [_obligation(LAW, f"第{n}条", f"第{n}项要求：排污单位应当落实第{n}项防治措施。") for n in range(1, 15)]
    obligations.append(_obligation(LOCAL, "第五条第（二）项", "县城污水处理厂超负荷运行的，应当于2025年底前完成扩容提标改造。"))
    first = {
        "problem": "县城污水处理厂长期超负荷运行，部分污水直排",
        "bases": [{"citation": o["citation"], "clause_id": o["clause_id"]} for o in obligations[:-1:5] + obligations[-1:]],
        "obligations": obligations,
        "penalties": [{"citation": f"《{LAW}》第八十三条", "clause_id": "p"}],
        "target": "污水全收集全处理，出水稳定达标",
        "measures": "实施扩容提标改造，新建配套管网12公里。",
        "leader": "副县长王某",
        "unit": "县住房和城乡建设局",
        "partners": "县生态环境局、县发展改革局",
        "owner": "李某",
        "deadline_kind": "限期整改",
        "deadline": "2025年12月底前",
        "signoff": "符合《示例省生态环境保护督察问题整改销号办法》第十三条规定的销号条件。",
        "evidence": "监测报告、竣工验收资料",
    }
    second = {"problem": "企业违法排污被罚款后拒不改正", "bases": [], "obligations": [], "penalties": [],
              "deadline_kind": "立行立改"}
    return Draft("d1", "某县生态环境保护督察反馈问题整改方案", [first, second], "g", issuer="某县人民政府", date="2026-12-07")


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return to_docx(_plan())


@pytest.fixture(scope="module")
def document(docx_bytes):
    return Document(io.BytesIO(docx_bytes))


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_every_kept_requirement_is_in_the_file_in_full(document):
    text = _text(document)
    for obligation in _plan().problems[0]["obligations"]:
        assert obligation["sentence"] in text
    assert f"《{LOCAL}》第五条第（二）项规定：县城污水处理厂超负荷运行的，应当于2025年底前完成扩容提标改造。" in text
    assert "实施扩容提标改造，新建配套管网12公里。" in text and "责任领导：副县长王某。" in text
    assert "配合单位：县生态环境局、县发展改革局。" in text and "整改时限" in text and "限期整改，2025年12月底前。" in text


def test_headings_title_and_body_fonts(document):
    title = document.paragraphs[0]
    assert title.text == "某县生态环境保护督察反馈问题整改方案" and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert (title.runs[0].font.name, title.runs[0].font.size.pt) == ("方正小标宋简体", 22)
    heading = next(p for p in document.paragraphs if p.text.startswith("一、"))
    assert heading.runs[0].font.name == "黑体" and heading.runs[0].font.size.pt == 16
    sub = next(p for p in document.paragraphs if p.text.startswith("（一）"))
    assert sub.runs[0].font.name == "楷体_GB2312" and sub.runs[0].text == "（一）整改目标。"
    assert sub.runs[1].font.name == "仿宋_GB2312" and sub.runs[1].font.size.pt == 16
    assert any(p.text.startswith("二、企业违法排污被罚款后拒不改正") for p in document.paragraphs)
    # the second problem has only its deadline: its parts are numbered from （一）
    assert any(p.text == "（一）整改时限。立行立改。" for p in document.paragraphs)


def test_no_subtitle_to_delete_by_hand(document):
    text = _text(document)
    assert "依据检索生成于" not in text and "请逐条核对" not in text
    assert not document.paragraphs[1].text  # the line under the title is empty


def test_page_setup_is_a4_with_the_standard_margins(document):
    body, attachment = document.sections
    assert body.orientation == WD_ORIENT.PORTRAIT
    assert (round(body.page_width.mm), round(body.page_height.mm)) == (210, 297)
    margins = [round(getattr(body, side).mm) for side in ("top_margin", "left_margin", "right_margin", "bottom_margin")]
    assert margins == [37, 28, 26, 35]
    assert attachment.orientation == WD_ORIENT.LANDSCAPE
    assert (round(attachment.page_width.mm), round(attachment.page_height.mm)) == (297, 210)


def test_page_numbers_odd_right_even_left(document):
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        (paragraph,) = footer.paragraphs
        assert paragraph.alignment == align
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert {(run.font.name, run.font.size.pt) for run in paragraph.runs} == {("宋体", 14)}
    # the attachment's footers are the body's: numbering runs on
    assert document.sections[1].footer.is_linked_to_previous


def test_signature_with_unit_and_date_without_leading_zeros(document):
    paragraphs = [p for p in document.paragraphs if p.text]
    at = next(i for i, p in enumerate(paragraphs) if p.text == "某县人民政府")
    unit, day = paragraphs[at], paragraphs[at + 1]
    assert day.text == "2026年12月7日" and "12月07日" not in _text(document)
    assert unit.alignment == day.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # the date (6.5 characters wide: Arabic numerals are half width) is longer than the unit: it stands 右空二字
    # and the unit moves left so that the date still starts two characters right of the unit's start
    assert day.paragraph_format.right_indent.pt == 32
    assert unit.paragraph_format.right_indent.pt + 6 * 16 == 32 + 6.5 * 16 + 2 * 16
    assert paragraphs[at - 1].text == "附件：整改清单"
    assert chinese_date("2026-01-05") == "2026年1月5日" and chinese_date(None, date(2026, 3, 9)) == "2026年3月9日"


def test_the_list_is_a_landscape_attachment_with_the_usual_columns(document):
    (table,) = document.tables
    assert [cell.text for cell in table.rows[0].cells] == list(LIST_COLUMNS)
    assert len(table.rows) == 3
    row = [cell.text for cell in table.rows[1].cells]
    assert row[:9] == ["1", "县城污水处理厂长期超负荷运行，部分污水直排", "污水全收集全处理，出水稳定达标",
                       "实施扩容提标改造，新建配套管网12公里。", "副县长王某", "县住房和城乡建设局",
                       "县生态环境局、县发展改革局", "李某", "限期整改，2025年12月底前"]
    assert row[9].startswith("符合《示例省生态环境保护督察问题整改销号办法》第十三条") and row[11] == "监测报告、竣工验收资料"
    # the 依据 cell names each document once: 《X》第1条、第6条……, the penalty marked
    assert row[10].split("\n") == [f"《{LAW}》第1条、第6条、第11条、第八十三条（罚则）", f"《{LOCAL}》第五条第（二）项"]
    # the table sits in the landscape section: after the paragraph that ends the portrait one
    children = list(document.element.body)
    section_break = next(i for i, child in enumerate(children) if child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None)
    assert children.index(table._tbl) > section_break
    labels = [p.text for p in document.paragraphs if p.text in ("附件", "整改清单")]
    assert labels == ["附件", "整改清单"]


def test_header_row_repeats_and_no_row_breaks(document):
    (table,) = document.tables
    rows = table._tbl.findall(qn("w:tr"))
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert all(row.trPr.find(qn("w:tblHeader")) is None for row in rows[1:])


def test_east_asian_fonts_are_explicit_with_fallbacks(docx_bytes, document):
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [run for cell in document.tables[0]._cells for p in cell.paragraphs for run in p.runs]
    runs += [run for section in document.sections[:1] for f in (section.footer, section.even_page_footer) for p in f.paragraphs for run in p.runs]
    assert runs and all(run._element.rPr.rFonts.get(qn("w:eastAsia")) == run.font.name for run in runs)
    used = {run.font.name for run in runs}
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
    from lxml import etree

    declared = {}
    for font in etree.fromstring(fonts.encode()).findall(qn("w:font")):
        alt = font.find(qn("w:altName"))
        charset = font.find(qn("w:charset"))
        declared[font.get(qn("w:name"))] = (alt.get(qn("w:val")) if alt is not None else None, charset.get(qn("w:val")) if charset is not None else None)
    for name in used:
        assert name in declared and declared[name][0] and declared[name][1] == "86", name
    assert declared["仿宋_GB2312"][0] == "仿宋" and declared["仿宋"][0] == "FangSong"
    assert declared["楷体_GB2312"][0] == "楷体" and declared["楷体"][0] == "KaiTi"
    assert declared["黑体"][0] == "SimHei"
    assert set(FONT_TABLE) >= used
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_markdown_holds_the_text_the_signature_and_the_list():
    text = to_markdown(_plan())
    lines = text.splitlines()
    assert lines[0] == "# 某县生态环境保护督察反馈问题整改方案"
    assert "县城污水处理厂超负荷运行的，应当于2025年底前完成扩容提标改造。" in text
    assert "某县人民政府<br>" in text and "2026年12月7日" in text
    assert "| " + " | ".join(LIST_COLUMNS) + " |" in lines
    row = next(line for line in lines if line.startswith("| 1 | "))
    assert row.count(" | ") == len(LIST_COLUMNS) - 1
    assert f"《{LAW}》第1条、第6条、第11条、第八十三条（罚则）<br>《{LOCAL}》第五条第（二）项" in row


def test_the_ledger_has_the_list_columns_requirements_and_tracking(tmp_path):
    workbook = load_workbook(io.BytesIO(to_xlsx(_plan())))
    sheet = workbook["整改台账"]
    assert sheet["A1"].value == "某县生态环境保护督察反馈问题整改方案整改台账"
    assert sheet["A2"].value == "某县人民政府　2026年12月7日"
    header = [cell.value for cell in sheet[3]]
    assert header == list(LEDGER_COLUMNS) and header[: len(LIST_COLUMNS)] == list(LIST_COLUMNS)
    first = [cell.value for cell in sheet[4]]
    assert first[0] == 1 and first[1] == "县城污水处理厂长期超负荷运行，部分污水直排"
    assert first[LIST_COLUMNS.index("整改时限")] == "限期整改，2025年12月底前"
    requirements = first[LEDGER_COLUMNS.index("整改要求（原文）")]
    assert all(o["sentence"] in requirements for o in _plan().problems[0]["obligations"])
    assert first[LEDGER_COLUMNS.index("整改进展")] is None
    assert [cell.value for cell in sheet[5]][:2] == [2, "企业违法排污被罚款后拒不改正"]
    assert sheet.max_row == 5
    assert sheet.freeze_panes == "C4" and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.cell(4, 2).alignment.wrap_text


def test_a_cell_too_long_for_one_page_is_cut_and_says_where_the_rest_is():
    plan = _plan()
    conditions = "".join(f"（{n}）第{n}项销号条件已经满足，相关资料齐全；" for n in range(1, 40))
    plan.problems[0]["signoff"] = conditions
    document = Document(io.BytesIO(to_docx(plan)))
    cell = document.tables[0].rows[1].cells[LIST_COLUMNS.index("销号（验收）标准")].text
    assert cell.endswith(CUT_NOTE) and cell.removesuffix(CUT_NOTE).endswith("；")  # cut after a whole item
    assert len(cell) < len(conditions) and conditions.startswith(cell.removesuffix(CUT_NOTE))
    assert conditions in "".join(p.text for p in document.paragraphs)  # the text holds it all
    short = document.tables[0].rows[1].cells[LIST_COLUMNS.index("整改措施")].text
    assert short == plan.problems[0]["measures"]
    for width in LIST_WIDTHS_MM:
        fitted = fit_cell(conditions, width)
        per_line = int((width - 3.8) / (10.5 * 0.3528))
        assert -(-len(fitted) // per_line) <= CELL_LINES
