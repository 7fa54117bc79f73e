"""The parts of an official document (公文) and a meeting speech that are not clauses.

主送机关 (各市（州）人民政府，省直有关部门：), salutations (同志们：), the chair's agenda and procedural lines
(下面，进行第二项议程……, 请市水利局发言。), the transmittal sentence of a 印发 notice, the signature block
(发文机关 and 成文日期), 抄送/印发 lines and the list of attachments. Each line gets a role; lines without one
are body text. The signature block also gives the issuers and the date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.dates import is_date_line, parse_date
from policy_search.model import ClauseKind

MAX_PROCEDURE_CHARS = 200  # a chairing line is short; a longer line carries content
_ORG_WORDS = re.compile(r"人民政府|政府|办公厅|办公室|委员会|部门|单位|厅|局|委|院|部|署|中心|公司|党委|党组|组织|机构|各")
ISSUER_SUFFIX = re.compile(
    r"(?:人民政府|办公厅|办公室|委员会|人大常委会|常务委员会|人民代表大会|党委|党组|厅|局|部|委|院|署|中心|领导小组|指挥部|"
    r"工作组|小组|公司|协会|法院|检察院)$"
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
_TRANSMITTAL = re.compile(r"^现将《.+?》(?:等.{0,10})?(?:印发|转发|转)给你们")  # in every 印发 notice
_CLOSING = re.compile(r"^(?:特此(?:通知|函告|函复|函|报告|公告|通告|批复|说明)|此复|专此报告|妥否，请(?:批示|审示|指示))[。！]?$")
_CONTACT = re.compile(r"^[（(]?(?:联\s*系\s*人|联系电话|联系方式)[：:]")
_DISTRIBUTION = (
    re.compile(r"^(?:抄送|抄报|分送|报送|发送)[：:]"),
    re.compile(r"^\S.{1,40}?[\s\u3000]*(?:\d{4}|[〇零○一二三四五六七八九]{4})年.{1,6}月.{1,6}日\s*印发$"),
)
_ATTACHMENT_LIST = re.compile(r"^附件[：:]\s*\S")
_LIST_ITEM = re.compile(r"^\d{1,2}[.．、]\s*\S.{0,80}$")
_PUBLICATION_NOTE = re.compile(r"^[（(](?:此件|本件|联系人|此页无正文)[^()（）]{0,60}[)）]$")
_SPACES = re.compile(r"[\s\u3000]+")
_SIGNED_LINE = re.compile(r"^(?P<issuers>.+?)[\s\u3000]+(?P<date>(?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年.{1,6}月.{1,6}日)$")
_HEAD_LINES = 3  # an addressee stands within the first lines of the text


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
    for index, line in enumerate(lines):
        if _SALUTATION.match(line) and len(line) <= 40:
            roles[index] = ClauseKind.SALUTATION
        elif index < _HEAD_LINES and _is_addressee(line):
            roles[index] = ClauseKind.ADDRESSEE
        elif len(line) <= MAX_PROCEDURE_CHARS and (any(p.search(line) for p in procedures) or _CLOSING.match(line)):
            roles[index] = ClauseKind.PROCEDURE
        elif _CONTACT.match(line) and len(line) <= 80:
            roles[index] = ClauseKind.SIGNATURE
        elif any(p.match(line) for p in _DISTRIBUTION):
            roles[index] = ClauseKind.DISTRIBUTION
    _mark_signatures(lines, roles)
    _mark_attachment_lists(lines, roles)
    return roles


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
        while start > 0 and index - start < 4 and roles[start - 1] is None and is_issuer_line(lines[start - 1]):
            start -= 1
        if start == index and index != last_body:
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
    """附件：1.…… and the numbered names under it, where a signature follows (a list, not attached text)."""
    for index, line in enumerate(lines):
        if roles[index] is not None or not _ATTACHMENT_LIST.match(line):
            continue
        end = index + 1
        while end < len(lines) and roles[end] is None and _LIST_ITEM.match(lines[end]) and not lines[end].endswith("。"):
            end += 1
        if end < len(lines) and roles[end] is ClauseKind.SIGNATURE:
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
        issuers = tuple(name for i in block if is_issuer_line(lines[i]) for name in issuer_names(lines[i]))
        issuers += tuple(name for names, _ in signed for name in names)
        dates = [parse_date(lines[i]) for i in block if is_date_line(lines[i])] + [parse_date(date) for _, date in signed]
        date = dates[0] if dates else None
        if issuers:
            return Signature(issuers, date)
        found = Signature((), date) if date else found
    return found
