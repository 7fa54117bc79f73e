"""`policy-search draft`: the Word plan with its Markdown and 整改台账 beside it, the 落款 from the options."""

from __future__ import annotations

from docx import Document
from openpyxl import load_workbook

from cli.main import main
from tests.service.test_signoff import RULES, _index


def test_draft_writes_the_plan_the_markdown_and_the_ledger(tmp_path, capsys):
    _index(tmp_path, {"rules": (RULES, "东川市")})
    problems = tmp_path / "problems.txt"
    problems.write_text("1. 部分企业通过暗管渗井偷排污水，逃避监管\n2. 企业违法排污被罚款后拒不改正\n", encoding="utf-8")
    out = tmp_path / "plan.docx"
    args = ["draft", str(problems), "--out", str(out), "--index", str(tmp_path / "index"), "--issuer", "东川市人民政府", "--date", "2026-12-07"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "《东川市生态环境问题整改验收销号规定》第五条" in printed
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "东川市人民政府\n2026年12月7日" in text and "符合《东川市生态环境问题整改验收销号规定》第五条规定的销号条件" in text
    assert "| 1 | 部分企业通过暗管渗井偷排污水，逃避监管 |" in (tmp_path / "plan.md").read_text(encoding="utf-8")
    sheet = load_workbook(tmp_path / "plan.xlsx").active
    assert sheet.cell(5, 2).value == "企业违法排污被罚款后拒不改正"

    assert main(args[:3] + [str(tmp_path / "ledger.xlsx")] + args[4:]) == 0
    assert (tmp_path / "ledger.xlsx").is_file() and not (tmp_path / "ledger.docx").exists()


def test_draft_refuses_a_bad_output_or_date_naming_it(tmp_path, capsys):
    problems = tmp_path / "problems.txt"
    problems.write_text("企业违法排污被罚款后拒不改正\n", encoding="utf-8")
    assert main(["draft", str(problems), "--out", str(tmp_path / "plan.pdf")]) == 2
    assert "plan.pdf" in capsys.readouterr().err
    assert main(["draft", str(problems), "--out", str(tmp_path / "missing" / "plan.docx")]) == 2
    assert "no folder" in capsys.readouterr().err
    assert main(["draft", str(problems), "--out", str(tmp_path / "plan.docx"), "--date", "2026-02-30"]) == 2
    assert "--date 2026-02-30" in capsys.readouterr().err
