"""`inspect` shows the other titles a carried text is cited by."""

from __future__ import annotations

import json

from cli.main import main
from tests.published import TRANSMITTAL


def test_inspect_names_the_notice_that_carries_the_text(tmp_path, capsys):
    path = tmp_path / "transmittal.txt"
    path.write_text(TRANSMITTAL, encoding="utf-8")
    assert main(["inspect", str(path)]) == 0
    head = capsys.readouterr().out.splitlines()[:2]
    assert head[0].startswith("《推进东湖市河湖长制提质增效实施方案》")
    assert head[1] == "  also cited as 《东湖市生态环境局等3部门关于印发推进东湖市河湖长制提质增效实施方案的通知》、《关于推进东湖市河湖长制提质增效实施方案》"
    assert main(["inspect", str(path), "--json"]) == 0
    document = json.loads(capsys.readouterr().out.splitlines()[0])["document"]
    assert document["also_titles"][0] == "东湖市生态环境局等3部门关于印发推进东湖市河湖长制提质增效实施方案的通知"
