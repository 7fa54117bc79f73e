"""`related` (the basis chain of a clause) and `check` (the citation check of a file)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from policy_search.errors import PolicySearchError

VERDICT_LABELS = {
    "ok": "正确", "unknown_document": "文件未收录", "ambiguous": "名称有歧义", "no_article": "条不存在",
    "no_paragraph": "款不存在", "no_item": "项不存在", "older_version": "引用旧版本", "repealed": "已废止",
    "not_in_force": "尚未施行",
}
HOW_LABELS = {"cited": "引用", "restates": "转述", "document": "文件依据", "unresolved": "未收录", "penalty": "罚则",
              "duty": "义务"}
HOW_RELATION = {"same": "相同", "amended": "修改", "split": "拆分", "merged": "合并", "none": "无对应"}
CHANGE_LABELS = {"amounts": "金额", "deadlines": "期限", "subjects": "主体"}
_CLAUSE_ID = re.compile(r"^[0-9a-f]{8,64}$")


def add_commands(commands) -> None:
    related = commands.add_parser("related", help="what a clause rests on and what rests on it: its basis chain")
    related.add_argument("clause", help="a citation (环保法第五十九条, 《…》第三条) or a clause id")
    related.add_argument("--index", type=Path, default=Path("var/index"), help="index directory (default var/index)")
    related.add_argument("--json", action="store_true", help="the API's JSON answer")
    related.set_defaults(run=run_related)

    check = commands.add_parser("check", help="check every citation in a file (.txt, .md, .docx; - for standard input)")
    check.add_argument("file", help="the file to check, or - to read standard input")
    check.add_argument("--index", type=Path, default=Path("var/index"), help="index directory (default var/index)")
    check.add_argument("--doc-id", default=None, help="the indexed document the text is part of (本法 then means it)")
    check.add_argument("--json", action="store_true", help="the API's JSON answer")
    check.add_argument("--fix", action="store_true", help="write a corrected copy: citations of repealed or older texts "
                       "replaced by the articles in force (a .docx stays .docx)")
    check.add_argument("--out", type=Path, default=None, help="where --fix writes (default: FILE（现行条文）.ext beside it)")
    check.set_defaults(run=run_check)

    successors = commands.add_parser("successors", help="the articles in force that carry a repealed or older article (新旧条文对照)")
    successors.add_argument("citation", help="a citation: 环保法第五十九条, 《…》第三条第二款")
    successors.add_argument("--index", type=Path, default=Path("var/index"), help="index directory (default var/index)")
    successors.add_argument("--json", action="store_true", help="the answer of GET /cite")
    successors.set_defaults(run=run_successors)


def _searcher(index: Path):
    """A searcher without the embedding model: neither command needs vectors."""
    from service.retrieval.loaded import load_index
    from service.retrieval.ranking import RankingConfig
    from service.retrieval.searcher import Searcher

    return Searcher(load_index(index, None), None, RankingConfig(rerank=False))


def run_related(args) -> int:
    from service.retrieval.context import cite

    try:
        searcher = _searcher(args.index)
        clause_id = args.clause
        if not _CLAUSE_ID.match(clause_id):
            clause_id = cite(searcher, args.clause)["result"]["clause_id"]
        answer = searcher.relations.related(clause_id)
    except PolicySearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
        return 0
    print(answer["clause"]["citation"])
    print("依据链：" + " → ".join(_step(item) for item in answer["chain"]))
    for key, heading in (("bases", "依据"), ("implemented_by", "下位落实条款"), ("cites", "引用"), ("cited_by", "被引用"),
                         ("penalties", "罚则"), ("duties", "所罚义务")):
        if answer[key]:
            print(f"{heading}：")
            for item in answer[key]:
                print(f"  {_step(item)}")
    return 0


def _step(item: dict) -> str:
    relation = item.get("relation") or {}
    how = HOW_LABELS.get(relation.get("how"), "")
    if relation.get("similarity") is not None and relation.get("how") == "restates":
        how += f" {relation['similarity']:.2f}"
    status = (item.get("document") or {}).get("status")
    flag = f"（{status}）" if status and status != "现行有效" else ""
    return f"{item['citation']}{flag}" + (f" [{how}]" if how else "")


def run_check(args) -> int:
    from service.retrieval.check import CitationChecker

    try:
        text = sys.stdin.read() if args.file == "-" else _read(Path(args.file))
        answer = CitationChecker(_searcher(args.index)).check(text, args.doc_id)
    except PolicySearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
    else:
        for found in answer["citations"]:
            line = text[: found["span"][0]].count("\n") + 1
            print(f"{line:>4}  {VERDICT_LABELS[found['verdict']]}  {found['text']}")
            if found.get("message"):
                print(f"      {found['message']}")
            if found.get("current"):
                print(f"      现行：{found['current']['citation']}")
            elif found.get("suggestions") and found["verdict"] != "ok":
                print(f"      可能是：{'；'.join(found['suggestions'][:3])}")
            if found["verdict"] == "ok" and found.get("quote"):
                quote = found["quote"].replace("\n", " ")
                print(f"      {quote[:80]}{'…' if len(quote) > 80 else ''}")
        summary = "，".join(f"{VERDICT_LABELS[v]} {n}" for v, n in answer["summary"].items()) or "没有找到引用"
        print(f"共 {len(answer['citations'])} 处引用：{summary}")
    if args.fix:
        from cli.fixing import fixed_path, replacements, write_fixed

        if args.file == "-":
            print("error: --fix needs a file, not standard input", file=sys.stderr)
            return 2
        source = Path(args.file)
        out = args.out or fixed_path(source)
        if out.suffix.lower() != source.suffix.lower():
            print(f"error: --out {out} must keep the suffix {source.suffix}", file=sys.stderr)
            return 2
        count = write_fixed(source, out, text, replacements(text, answer))
        print(f"已替换 {count} 处引用为现行条文：{out}", file=sys.stderr if args.json else sys.stdout)
    return 1 if answer["problems"] else 0


def run_successors(args) -> int:
    from service.retrieval.context import cite

    try:
        answer = cite(_searcher(args.index), args.citation)
    except PolicySearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
        return 0
    result = answer["result"]
    print(f"{result['citation']}（{result['document']['status']}）")
    if "alignment" not in answer:
        print("没有新旧对照：该文件现行有效，或废止它的文件未收录")
        return 1 if result["document"]["status"] in ("已废止", "已被修改") else 0
    if not answer["successors"]:
        print("现行文本中没有对应条文")
        return 0
    for item in answer["successors"]:
        relation = item["relation"]
        print(f"→ {item['citation']}  [{HOW_RELATION.get(relation['how'], relation['how'])} {relation['similarity']:.2f}]")
        for kind, change in relation.get("changes", {}).items():
            print(f"    {CHANGE_LABELS.get(kind, kind)}：{'、'.join(change['old']) or '无'} → {'、'.join(change['new']) or '无'}")
    return 0


def _read(path: Path) -> str:
    from indexer.readers import read_path

    return "\n".join(document.text for document in read_path(path))
