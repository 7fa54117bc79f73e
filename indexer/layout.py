"""The parts of an official document (公文) and a meeting speech that are not clauses.

主送机关 (各市（州）人民政府，省直有关部门：), salutations (同志们：), the chair's agenda and procedural lines
(下面，进行第二项议程……, 请市水利局发言。), the transmittal sentence of a 印发 notice, the signature block
(发文机关 and 成文日期, an issuer's name over two lines, 市长：name under a 令), 抄送/印发 lines, contact lines,
the list of attachments, and the lines a web page adds to a reprint (来源：, 编辑：, a timestamp). Each line gets a
role; lines without one are body text. The signature block also gives the issuers and the date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.dates import is_date_line, parse_date
from policy_search.labels import ATTACHMENT_RE
from policy_search.model import ClauseKind

MAX_PROCEDURE_CHARS = 200  # a chairing line is short; a longer line carries content
_ORG_WORDS = re.compile(r"人民政府|政府|办公厅|办公室|委员会|部门|单位|厅|局|委|院|部|署|中心|公司|党委|党组|组织|机构|各")
ISSUER_SUFFIX = re.compile(
    r"(?:人民政府|办公厅|办公室|委员会|人大常委会|常务委员会|人民代表大会|党委|党组|厅|局|部|委|院|署|中心|领导小组|指挥部|"
    r"工作组|小组|(?:专家|调查|评审|督察|检查|考核)组|公司|协会|法院|检察院)$"
)
_SALUTATION = re.compile(
    r"^(?:尊敬的)?[\u4e00-\u9fa5]{0,12}?(?:同志们|同志|朋友们|女士们|先生们|代表们|委员们|各位[\u4e00-\u9fa5]{0,10})"
    r"(?:[，,、](?:[\u4e00-\u9fa5]{0,12}?(?:同志们|朋友们|女士们|先生们|代表们|委员们|各位[\u4e00-\u9fa5]{0,10})))*[：:！!]$"
)
_AGENDA = (  # a meeting's agenda and chairing lines, looked for in speeches
    re.compile(r"^(?:下面|现在|首先|其次|接下来|然后|最后)[，,]?.{0,12}?(?:进行|请|召开|由|传达|审议|听取|宣读|通报|举行)"),
    re.compile(r"第[一二三四五六七八九十]+项议程"),
    re.compile(r"^(?:今天|本次)(?:的)?会议.{0,8}议程"),
    re.compile(r"^请.{1,40}?(?:发言|讲话|通报|介绍|汇报|发表意见|审议|表决|宣读|作指示|讲几点意见)[。！]?$"),
    re.compile(r"^(?:原则)?同意[，,].{0,80}(?:按程序|印发|办理|报批)"),
    re.compile(r"^(?:现在)?(?:散会|会议到此结束|今天的会议就(?:开)?到这里|谢谢大家|谢谢)[。！!]?$"),
)
_TRANSMITTAL = re.compile(  # in every 印发 notice, and the 公布 sentence of a 令
    r"^(?:现将《.+?》(?:等.{0,10})?(?:印发|转发|转)给你们|《.+?》已经.{0,60}?(?:同意|通过)[，,]\s*现(?:予)?(?:印发|转发|公布|发布))"
)
_CLOSING = re.compile(r"^(?:特此(?:通知|函告|函复|函|报告|公告|通告|批复|说明)|此复|专此报告|妥否，请(?:批示|审示|指示))[。！]?$")
_CONTACT = re.compile(r"^[（(]?[\u4e00-\u9fa5]{0,12}?(?:联\s*系\s*人|联系电话|联系方式)[：:]")  # 市卫生健康委联系人：
# a person addressed by name and office (马万祺副主席：, 张三同志：)
_PERSON_ADDRESSEE = re.compile(
    r"^[\u4e00-\u9fa5·]{1,12}?(?:主席|总理|委员长|部长|省长|市长|县长|区长|主任|书记|院长|局长|厅长|司长|处长|委员|代表|"
    r"同志|先生|女士|教授|院士)[：:]$"
)
# an official signing a 令 or a report: 市　长：温国辉, 省长 罗东川
_OFFICIAL_SIGNING = re.compile(
    r"^(?:[\u4e00-\u9fa5][\s\u3000]*){1,6}?(?:长|主任|主席|书记)(?:[\s\u3000]*[：:][\s\u3000]*|[\s\u3000]+)[\u4e00-\u9fa5·]{2,5}$"
)
# what a web page adds to a reprinted text: 来源：青海日报, （来源：青海日报）, 编辑：…, 2026-01-31 07:00:44
_WEB_LINES = (
    re.compile(r"^[（(]?(?:来源|信息来源|稿源|编辑|责任编辑|责编|作者|记者|审核|校对|发布时间|发布日期|浏览次数|访问量|"
               r"公开方式|公开属性|索引号|分类|打印本页|关闭窗口)[：:][^。；]{0,40}[)）]?$"),
    re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?[\s\u3000]*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?$"),
)
_DISTRIBUTION = (
    re.compile(r"^(?:抄送|抄报|分送|报送|发送)[：:]"),
    re.compile(r"^\S.{1,40}?[\s\u3000]*(?:\d{4}|[〇零○一二三四五六七八九]{4})年.{1,6}月.{1,6}日\s*印发$"),
)
_ATTACHMENT_LIST = re.compile(r"^附件[：:]")

_LIST_ITEM = re.compile(r"^\d{1,2}[.．、]\s*\S.{0,80}$")
_PUBLICATION_NOTE = re.compile(r"^[（(](?:此件|本件|联系人|此页无正文)[^()（）]{0,60}[)）]$")
_SPACES = re.compile(r"[\s\u3000]+")
_SIGNED_LINE = re.compile(r"^(?P<issuers>.+?)[\s\u3000]+(?P<date>(?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年.{1,6}月.{1,6}日)$")
_HEAD_LINES = 3  # an addressee stands within the first lines of the text, or of an attachment after its title


@dataclass(frozen=True)
class Signature:
    """The signature block: the issuers in the order they sign, and the 成文日期."""

    issuers: tuple[str, ...]
    date: str | None


def _signed(line: str) -> tuple[tuple[str, ...], str] | None:
    """An issuer and its date on one line (示例市人民政府　　2023年6月15日): (issuers, date text)."""
    match = _SIGNED_LINE.match(line.strip())
    if match and is_issuer_line(match.group("issuers")) and is_date_line(match.group("date")):
        return issuer_names(match.group("issuers")), match.group("date")
    return None


def is_issuer_line(line: str) -> bool:
    """A line holding only the names of issuing bodies (one, or several separated by spaces)."""
    names = issuer_names(line)
    return bool(names) and all(ISSUER_SUFFIX.search(name) for name in names)


def issuer_names(line: str) -> tuple[str, ...]:
    line = line.strip()
    if not line or len(line) > 60 or re.search(r"[。，；：:,;！？、《》“”]", line):
        return ()
    return tuple(name for name in _SPACES.split(line) if len(name) >= 2)


def line_roles(lines: list[str], speech: bool = False) -> list[ClauseKind | None]:
    """The role of every line (stripped text), or None for body text; agenda lines are looked for in speeches."""
    roles: list[ClauseKind | None] = [None] * len(lines)
    procedures = (*_AGENDA, _TRANSMITTAL) if speech else (_TRANSMITTAL,)
    heads = _head_lines(lines)
    for index, line in enumerate(lines):
        if _SALUTATION.match(line) and len(line) <= 40:
            roles[index] = ClauseKind.SALUTATION
        elif index in heads and (_is_addressee(line) or _PERSON_ADDRESSEE.match(line)):
            roles[index] = ClauseKind.ADDRESSEE
        elif len(line) <= MAX_PROCEDURE_CHARS and (any(p.search(line) for p in procedures) or _CLOSING.match(line)):
            roles[index] = ClauseKind.PROCEDURE
        elif (_CONTACT.match(line) and len(line) <= 80) or _OFFICIAL_SIGNING.match(line):
            roles[index] = ClauseKind.SIGNATURE
        elif any(p.match(line) for p in _DISTRIBUTION) or any(p.match(line) for p in _WEB_LINES):
            roles[index] = ClauseKind.DISTRIBUTION
    _mark_signatures(lines, roles)
    _mark_attachment_lists(lines, roles)
    return roles


def _head_lines(lines: list[str]) -> set[int]:
    """Where an addressee may stand: the first lines of the text, and of each attachment after its mark and title."""
    heads = set(range(min(_HEAD_LINES, len(lines))))
    for index, line in enumerate(lines):
        if ATTACHMENT_RE.match(line):
            heads.update(range(index + 1, min(index + 1 + _HEAD_LINES + 1, len(lines))))
    return heads


def is_attachment_mark(line: str) -> bool:
    """附件1 / 附件2 广州市……指标体系: the start of an attachment's text (not 附件：, the list of attachments)."""
    return bool(ATTACHMENT_RE.match(line.strip()))


def _joins_issuer(fragment: str, rest: str) -> bool:
    """An issuer's name broken over two lines: 湖北省巴东县官渡口镇马鬃山村 / 地质险情调查专家组."""
    if not re.fullmatch(r"[\u4e00-\u9fa5]{2,30}", fragment) or is_date_line(fragment):
        return False
    return is_issuer_line(fragment + rest) and not is_issuer_line(fragment)


def _is_addressee(line: str) -> bool:
    if not line.endswith(("：", ":")) or len(line) > 80 or re.search(r"[。；！？]", line):
        return False
    return bool(_ORG_WORDS.search(line))


def _mark_signatures(lines: list[str], roles: list[ClauseKind | None]) -> None:
    """Issuer lines right above a date line, the date itself, and a （此件公开发布） note after it; a date
    alone as the document's last line is its 成文日期 too."""
    last_body = max((i for i, role in enumerate(roles) if role is None and not _PUBLICATION_NOTE.match(lines[i])), default=-1)
    for index, line in enumerate(lines):
        if roles[index] is None and _signed(line):
            roles[index] = ClauseKind.SIGNATURE
            continue
        if roles[index] is not None or not is_date_line(line):
            continue
        start = index
        while start > 0 and index - start < 4 and roles[start - 1] is None and (
            is_issuer_line(lines[start - 1]) or (start < index and _joins_issuer(lines[start - 1], lines[start]))
        ):
            start -= 1
        signed_by_official = start == index and index > 0 and roles[index - 1] is ClauseKind.SIGNATURE
        if start == index and index != last_body and not signed_by_official:
            continue  # a date alone inside the text is content
        for i in range(start, index + 1):
            roles[i] = ClauseKind.SIGNATURE
        after = index + 1
        while after < len(lines) and roles[after] is None and _PUBLICATION_NOTE.match(lines[after]):
            roles[after] = ClauseKind.SIGNATURE
            after += 1
    for index, line in enumerate(lines):  # （此件公开发布） where the date stood on the issuer's line
        if roles[index] is None and _PUBLICATION_NOTE.match(line) and index > 0 and roles[index - 1] is ClauseKind.SIGNATURE:
            roles[index] = ClauseKind.SIGNATURE


def _mark_attachment_lists(lines: list[str], roles: list[ClauseKind | None]) -> None:
    """附件：1.…… (or 附件： alone) and the numbered names under it, where a signature or the text of the first
    attachment follows (a list, not attached text)."""
    for index, line in enumerate(lines):
        if roles[index] is not None or not _ATTACHMENT_LIST.match(line):
            continue
        end = index + 1
        while end < len(lines) and roles[end] is None and _LIST_ITEM.match(lines[end]) and not lines[end].endswith("。"):
            end += 1
        if end == index + 1 and not re.match(r"^附件[：:]\s*\S", line):
            continue  # 附件： with nothing listed
        if end < len(lines) and (roles[end] is ClauseKind.SIGNATURE or is_attachment_mark(lines[end])):
            for i in range(index, end):
                roles[i] = ClauseKind.ATTACHMENTS


def signature(lines: list[str], roles: list[ClauseKind | None]) -> Signature | None:
    """The first signature block that names an issuer, else the last date standing alone as one."""
    blocks: list[list[int]] = []
    for index, role in enumerate(roles):
        if role is ClauseKind.SIGNATURE:
            if blocks and blocks[-1][-1] == index - 1:
                blocks[-1].append(index)
            else:
                blocks.append([index])
    found = None
    for block in blocks:
        signed = [found for found in map(_signed, (lines[i] for i in block)) if found]
        issuers: tuple[str, ...] = ()
        fragment = ""  # the first line of a name broken over two
        for i in block:
            if fragment and is_issuer_line(fragment + lines[i]):
                issuers += issuer_names(fragment + lines[i])
            elif is_issuer_line(lines[i]):
                issuers += issuer_names(lines[i])
            fragment = lines[i] if i + 1 in block and _joins_issuer(lines[i], lines[i + 1]) else ""
        issuers += tuple(name for names, _ in signed for name in names)
        dates = [parse_date(lines[i]) for i in block if is_date_line(lines[i])] + [parse_date(date) for _, date in signed]
        date = dates[0] if dates else None
        if issuers:
            return Signature(issuers, date)
        found = Signature((), date) if date else found
    return found
