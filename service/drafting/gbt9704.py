"""The plan as a Word file laid out to GB/T 9704-2012 (党政机关公文格式): the 方案 in portrait, each problem's
target, bases and requirements, measures, duties, deadline and sign-off in full sentences, the 落款, then the
整改清单 as a landscape attachment in its own section."""

from __future__ import annotations

import io
from datetime import date as Date

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

from service.drafting.content import (
    ATTACHMENT_TITLE,
    LIST_COLUMNS,
    NOT_XML,
    chinese_date,
    list_cells,
    problem_sections,
)
from service.drafting.plan import Draft

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
# Where a font is not installed, Word takes the font table's altName, and with it the charset (86: GB2312)
# and PANOSE class, for its substitute; the fallbacks are the fonts every Chinese Windows and WPS ship.
# The fallbacks get entries of their own naming their English family names, as Windows in English calls them.
FONT_TABLE = {
    BODY_FONT: ("仿宋", "02010609030101010101"),
    SUBHEADING_FONT: ("楷体", "02010609030101010101"),
    HEADING_FONT: ("SimHei", "02010609060101010101"),
    TITLE_FONT: ("宋体", "02000000000000000000"),
    PAGE_NUMBER_FONT: ("SimSun", "02010600030101010101"),
    "仿宋": ("FangSong", "02010609060101010101"),
    "楷体": ("KaiTi", "02010609060101010101"),
}
TITLE_PT, BODY_PT, PAGE_NUMBER_PT, CELL_PT = 22, 16, 14, 10.5  # 2号, 3号, 4号, 五号
LINE_PT = 28.95  # 22 lines on the type area of 225 mm
INDENT = Pt(2 * BODY_PT)  # 左空二字
# Portrait A4 margins of the standard; the landscape 清单 keeps the binding edge (left) as wide.
PORTRAIT = {"top_margin": 37, "bottom_margin": 35, "left_margin": 28, "right_margin": 26}
LANDSCAPE = {"top_margin": 28, "bottom_margin": 28, "left_margin": 28, "right_margin": 26}
# 243 mm of landscape text width over the 整改清单's twelve columns.
LIST_WIDTHS_MM = (8, 28, 22, 32, 13, 17, 17, 12, 15, 32, 28, 19)
# A row may not break across pages (cantSplit), so it must fit on one: each cell holds at most this many lines
# of 五号 text (a landscape page holds about 28 under the header row; a row taller than what is left of a page
# moves whole to the next, so a limit of about half a page keeps the list from one row a page).
# A longer cell is cut at a sentence or line and says where the whole is: the 方案's text holds every field.
CELL_LINES = 16
CELL_MARGIN_MM = 3.8  # Word's default cell margins, left and right together
CUT_NOTE = "……（全文见正文）"


def _run(paragraph, text: str, font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False):
    """A run in `font` for Latin and East Asian text alike (w:eastAsia set explicitly), less the characters
    XML cannot hold, which a pasted text may carry."""
    run = paragraph.add_run(NOT_XML.sub("", text))
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:hint"), "eastAsia")
    return run


def _paragraph(container, *, align=None, first_indent=None, line=LINE_PT, left=None, right=None):
    paragraph = container.add_paragraph()
    layout = paragraph.paragraph_format
    layout.space_before = layout.space_after = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(line)
    if align is not None:
        paragraph.alignment = align
    if first_indent is not None:
        layout.first_line_indent = first_indent
    if left is not None:
        layout.left_indent = left
    if right is not None:
        layout.right_indent = right
    return paragraph


def _page_number(footer, align, indent_side: str) -> None:
    """— N — in 4号 宋体, one character in from the edge of the type area: a PAGE field between em dashes."""
    paragraph = footer.paragraphs[0]
    paragraph.alignment = align
    setattr(paragraph.paragraph_format, indent_side, Pt(PAGE_NUMBER_PT))
    _run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        if kind:
            run._element.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="{kind}"/>'))
        elif text.strip() == "PAGE":
            run._element.append(parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve">{text}</w:instrText>'))
        else:
            run.text = text
    _run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


def _page_setup(section, orientation, margins: dict[str, int]) -> None:
    section.orientation = orientation
    long, short = Mm(297), Mm(210)
    section.page_width, section.page_height = (short, long) if orientation == WD_ORIENT.PORTRAIT else (long, short)
    for side, mm in margins.items():
        setattr(section, side, Mm(mm))
    section.footer_distance = Mm(margins["bottom_margin"] - 7 - 5)  # the number's line 7 mm below the type area
    section.header_distance = Mm(15)


def _font_table(document) -> None:
    """Declare every East Asian font with its fallback (altName), GB2312 charset and PANOSE class. python-docx
    keeps the font table as an opaque part: its bytes are rewritten."""
    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    fonts = parse_xml(part.blob)
    for font in fonts.findall(qn("w:font")):
        if font.get(qn("w:name")) in FONT_TABLE:
            fonts.remove(font)
    for name, (alt, panose) in FONT_TABLE.items():
        fonts.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
            '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        ))
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _defaults(document) -> None:
    """Normal text in 3号 仿宋_GB2312, East Asian font included, so every paragraph without its own runs has it."""
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    document.settings.odd_and_even_pages_header_footer = True


def _body(document, draft: Draft, signed: str) -> None:
    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, line=36)
    _run(title, draft.title, TITLE_FONT, TITLE_PT)
    _paragraph(document)  # 标题下空一行
    for heading, parts in problem_sections(draft.problems):
        paragraph = _paragraph(document, first_indent=INDENT)
        paragraph.paragraph_format.keep_with_next = True  # never a heading alone at the foot of a page
        _run(paragraph, heading, HEADING_FONT)
        for sub_heading, lines in parts:
            first = _paragraph(document, first_indent=INDENT)
            _run(first, sub_heading, SUBHEADING_FONT)
            for at, line in enumerate(lines):
                _run(first if at == 0 else _paragraph(document, first_indent=INDENT), line)
    # the 附件 line and the 落款 stay together, with the text's last line: never a page with the date alone
    last = document.paragraphs[-1]
    last.paragraph_format.keep_with_next = True
    _paragraph(document).paragraph_format.keep_with_next = True
    note = _paragraph(document, left=INDENT)
    note.paragraph_format.keep_with_next = True
    _run(note, f"附件：{ATTACHMENT_TITLE}")
    _signature(document, draft.issuer, signed)


def _signature(document, issuer: str | None, signed: str) -> None:
    """The 落款 of a text without seal (GB/T 9704-2012 7.3.5.2): one line under the text, the unit 右空二字 and
    the date under it, its first character two right of the unit's; a date longer than the unit 右空二字
    instead, the unit moved left to match."""
    _paragraph(document).paragraph_format.keep_with_next = True
    date_width = sum(0.5 if ch.isdigit() else 1 for ch in signed)  # Arabic numerals are half width
    if issuer:
        unit_right, date_right = (2, len(issuer) - date_width) if len(issuer) > date_width else (date_width + 4 - len(issuer), 2)
        unit = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, right=Pt(BODY_PT * unit_right))
        unit.paragraph_format.keep_with_next = True
        _run(unit, issuer)
    else:
        date_right = 2
    day = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, right=Pt(BODY_PT * date_right))
    _run(day, signed)


def _attachment(document, draft: Draft) -> None:
    """The 整改清单: its own landscape section, 附件 top left, the title, the table with a header row that repeats
    on every page and rows that never break across pages."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(section, WD_ORIENT.LANDSCAPE, LANDSCAPE)
    label = _paragraph(document)
    _run(label, "附件", HEADING_FONT)
    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, line=36)
    _run(title, ATTACHMENT_TITLE, TITLE_FONT, TITLE_PT)
    _paragraph(document, line=12)

    table = document.add_table(rows=1, cols=len(LIST_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: LibreOffice and WPS lay out by the column grid, Word by cell widths
    for column, width in zip(table.columns, LIST_WIDTHS_MM):
        column.width = Mm(width)
    _row(table.rows[0], list(LIST_COLUMNS), header=True)
    for number, problem in enumerate(draft.problems, start=1):
        _row(table.add_row(), list_cells(number, problem))


def fit_cell(text: str, width_mm: float, lines: int = CELL_LINES) -> str:
    """The text, or as much of it as fits `lines` lines of the column, cut after a full sentence, an item or a
    line where there is one, and marked so that the reader knows the rest is in the 方案's text."""
    per_line = max(int((width_mm - CELL_MARGIN_MM) / (CELL_PT * 0.3528)), 1)
    def height(chunk: str) -> int:
        return sum(max(-(-len(line) // per_line), 1) for line in chunk.split("\n"))
    if height(text) <= lines:
        return text
    budget = per_line * lines - len(CUT_NOTE) - per_line  # the note may start a line of its own
    head = text[:max(budget, 0)]
    while head and height(head + CUT_NOTE) > lines:
        head = head[:-1]
    ends = [head.rfind(mark) + 1 for mark in ("。", "；", "\n")]
    cut = max(ends)
    if cut > len(head) // 2:  # a boundary in the second half: keep whole sentences
        head = head[:cut]
    return head.rstrip("\n") + CUT_NOTE


def _row(row, values: list[str], header: bool = False) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
    if header:
        properties.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    for column, (cell, value, width) in enumerate(zip(row.cells, values, LIST_WIDTHS_MM)):
        cell.width = Mm(width)
        value = value if header else fit_cell(value or "", width)
        centered = header or column == 0
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER if centered else WD_CELL_VERTICAL_ALIGNMENT.TOP
        for at, line in enumerate((value or "").split("\n")):
            paragraph = cell.paragraphs[0] if at == 0 else cell.add_paragraph()
            layout = paragraph.paragraph_format
            layout.space_before = layout.space_after = Pt(0)
            layout.line_spacing = 1.0
            if centered:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(paragraph, line, HEADING_FONT if header else BODY_FONT, CELL_PT)


def to_docx(draft: Draft, today: Date | None = None) -> bytes:
    document = Document()
    _defaults(document)
    _font_table(document)
    section = document.sections[0]
    _page_setup(section, WD_ORIENT.PORTRAIT, PORTRAIT)
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent")  # odd pages
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")
    document.core_properties.title = NOT_XML.sub("", draft.title)
    _body(document, draft, chinese_date(draft.date, today))
    _attachment(document, draft)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
