from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = ROOT / "corpus"

LAW_TEXT = """中华人民共和国示例保护法

（2014年4月24日第十二届全国人民代表大会常务委员会第八次会议修订）

第一章　总则

第一条　为了保护和改善环境，制定本法。

第二条　本法所称环境，是指影响人类生存和发展的各种天然的和经过人工改造的自然因素的总体。

第二章　监督管理

第一节　一般规定

第三条　排放污染物的企业事业单位，应当采取措施，防治污染。

违反前款规定的，责令改正。

第四条　有下列情形之一的，处以罚款：

（一）未依法进行环境影响评价的；

（二）未取得排污许可证排放污染物的；

（三）通过暗管、渗井逃避监管的。

有前款第（三）项行为的，移送公安机关。

第三章　附则

第五条　本法自2015年1月1日起施行。
"""


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when that data is not beside the project."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def law_file(tmp_path: Path) -> Path:
    path = tmp_path / "示例保护法(2014-04-24).txt"
    path.write_text(LAW_TEXT, encoding="utf-8")
    return path


@pytest.fixture
def speech_file() -> Path:
    return CORPUS / "000_c8143b46545451b2.txt"
