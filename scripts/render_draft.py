"""Render a rectification-plan .docx through LibreOffice to PDF and PNG, to look at the Word export.

    python scripts/render_draft.py [--out var/render] [--draft draft.json] [--dpi 60] [--docs docs]

Without --draft it renders a built-in plan of four problems with realistic bases, obligations, penalties
and filled columns; with --draft it renders a draft saved from POST /drafts/rectification (format json).
Prints the page count, each page's size and orientation in points (A4 portrait 595 x 842, landscape
842 x 595), the fonts LibreOffice actually used, the 清单's column widths as the file declares them, each
page's footer (the page number), and the PNG paths to look at; --docs copies the first page and the first
page of the landscape 整改清单 there as plan-page1.png and plan-list.png.

The GB/T 9704 fonts (仿宋_GB2312, 楷体_GB2312, 黑体, 方正小标宋简体, 宋体) are rarely installed on Linux: the
render maps them, for LibreOffice only, onto the Debian CJK fonts present (AR PL UKai for 楷, AR PL UMing
for 宋 and 仿宋, WenQuanYi Micro Hei for 黑) through a fontconfig file of its own; the .docx is not changed.
Needs `soffice` (apt libreoffice-writer-nogui), `pdftoppm`/`pdffonts` (apt poppler-utils), the fonts (apt
fonts-arphic-ukai fonts-arphic-uming fonts-wqy-microhei) and pypdf.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docx import Document  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

from service.drafting.gbt9704 import to_docx  # noqa: E402
from service.drafting.plan import DEFAULT_TITLE, Draft  # noqa: E402

EMU_PER_CM = 360000
TWIPS_PER_CM = 566.93


def _result(title: str, doc_type: str, citation_tail: str, text: str, region: str = "全国", date: str = "2014-04-24") -> dict:
    """A result object shaped like the API's, with only the fields the export reads or shows."""
    return {
        "clause_id": f"{title}:{citation_tail}",
        "citation": f"《{title}》{citation_tail}",
        "text": text,
        "document": {"title": title, "doc_type": doc_type, "region": region, "date": date},
    }


EPL = "中华人民共和国环境保护法"
WPL = "中华人民共和国水污染防治法"
SPEECH = "在全市生态环境保护委员会第三次会议暨生态环境保护领域问题整改推进会上的讲话"


SALES = "《示例省生态环境保护督察问题整改销号办法》"
SIGNOFF = (f"符合{SALES}第十三条规定的销号条件：（一）整改方案确定的整改目标任务已全部完成，整改措施已全部落实到位；"
           "（二）涉及生态环境质量改善的，相关监测指标达到整改目标要求；（三）涉及违法违规行为的，已依法依规查处到位，"
           "相关责任已追究落实；（四）涉及群众切身利益的，群众认可，经公示无异议或者异议已依法妥善处理；"
           "（五）整改资料完整、真实、规范，能够全面反映整改过程和整改成效；（六）已建立防止问题反弹的长效管理机制。")
EVIDENCE = (f"按照{SALES}第十六条第一款规定提交：（一）销号申请书；（二）整改方案及整改完成情况报告；（三）整改前后对比照片、"
            "视频、监测数据等佐证材料；（四）问题涉及的行政处罚、责任追究等相关文书；（五）长效机制建设有关文件；（六）其他需要提交的材料。")


def sample_draft() -> Draft:
    """Four problems as a reviewer would leave them: a few bases kept, the plan's columns filled."""
    seepage = _result(EPL, "法律", "第四十二条第四款", "严禁通过暗管、渗井、渗坑、灌注或者篡改、伪造监测数据，或者不正常运行防治污染设施等逃避监管的方式违法排放污染物。")
    seepage_water = _result(WPL, "法律", "第三十九条", "禁止利用渗井、渗坑、裂隙、溶洞，私设暗管，篡改、伪造监测数据，或者不正常运行水污染防治设施等逃避监管的方式排放水污染物。", date="2017-06-27")
    seepage_penalty = _result(EPL, "法律", "第六十三条第（三）项", "通过暗管、渗井、渗坑、灌注或者篡改、伪造监测数据等逃避监管的方式违法排放污染物的。")
    shandong = _result("山东省水污染防治条例", "地方性法规", "第二十条", "排放污染物的企业事业单位，严禁通过暗管、渗井、渗坑等方式排放水污染物。", "山东", "2018-09-21")
    daily = _result(EPL, "法律", "第五十九条第一款", "企业事业单位和其他生产经营者违法排放污染物，受到罚款处罚，被责令改正，拒不改正的，依法作出处罚决定的行政机关可以自责令改正之日的次日起，按照原处罚数额按日连续处罚。")
    permit = _result("排污许可管理条例", "行政法规", "第二条第一款", "依照法律规定实行排污许可管理的企业事业单位和其他生产经营者，应当依照本条例规定申请取得排污许可证；未取得排污许可证的，不得排放污染物。", date="2021-01-24")
    speech = _result(SPEECH, "讲话", "第二部分", "能够立即整改的，必须立即整改；需要一定时间整改的，必须建立清单，逐项整改；需要长期整改的，必须科学制定方案，持续整改。", "某市", "2023-03-15")

    def obligations(*pairs):
        return [{"clause_id": base["clause_id"], "citation": base["citation"], "sentence": sentence} for base, sentence in pairs]

    problems = [
        {
            "problem": "部分企业通过暗管渗井偷排污水，逃避监管",
            "bases": [seepage, seepage_water, shandong],
            "obligations": obligations((seepage, seepage["text"]), (seepage_water, seepage_water["text"]), (shandong, shandong["text"])),
            "penalties": [seepage_penalty],
            "target": "暗管渗井全部排查封堵，偷排行为依法查处到位。",
            "measures": "开展涉水企业排查，封堵暗管渗井，对重点排污单位安装在线监测并联网。",
            "leader": "市政府分管副市长",
            "unit": "市生态环境局",
            "partners": "各县（市、区）人民政府，市公安局",
            "owner": "市生态环境局执法支队负责人",
            "deadline_kind": "限期整改",
            "deadline": "2025年6月底前",
            "signoff": SIGNOFF,
            "evidence": EVIDENCE,
        },
        {
            "problem": "企业违法排污被罚款后拒不改正",
            "bases": [daily],
            "obligations": obligations((daily, daily["text"])),
            "penalties": [],
            "measures": "对拒不改正的企业依法实施按日连续处罚，并公开处罚信息。",
            "unit": "市生态环境局",
            "deadline_kind": "立行立改",
            "signoff": "处罚决定全部执行到位。",
        },
        {
            "problem": "2023年以来，部分排污单位未取得排污许可证即投入生产并排放污染物，县级生态环境部门日常监管缺位，"
            "对群众反映强烈的异味扰民问题长期未予有效处置，督察组现场检查时发现两家化工企业废水收集池防渗措施缺失。",
            "bases": [permit, seepage, speech],
            "obligations": obligations((permit, "未取得排污许可证的，不得排放污染物。"), (seepage, seepage["text"]), (speech, "能够立即整改的，必须立即整改；"), (speech, "需要一定时间整改的，必须建立清单，逐项整改；")),
            "penalties": [seepage_penalty],
            "measures": "全面清理无证排污单位，依法责令停产整治；建立异味投诉快速处置机制；完成化工企业废水收集池防渗改造。",
            "unit": "县人民政府",
            "partners": "县生态环境局",
            "deadline_kind": "限期整改",
            "deadline": "2025年12月底前",
            "signoff": "无证排污单位清零；异味投诉按期办结率100%；防渗改造通过验收。",
            "evidence": EVIDENCE,
        },
        {
            "problem": "整改工作推进缓慢，部分问题整改不到位",
            "bases": [speech],
            "obligations": obligations((speech, "需要长期整改的，必须科学制定方案，持续整改。")),
            "penalties": [],
            "measures": None,
            "unit": None,
            "deadline_kind": "长期坚持",
            "deadline": None,
            "signoff": None,
        },
    ]
    return Draft("render-sample", DEFAULT_TITLE, problems, "sample", issuer="示例市人民政府", date="2026-12-07")


def load_draft(path: Path) -> Draft:
    body = json.loads(path.read_text(encoding="utf-8"))
    return Draft(body.get("draft_id", "saved"), body.get("title") or DEFAULT_TITLE, body["problems"], body.get("index_generation", ""),
                 issuer=body.get("issuer"), date=body.get("date"))


# For LibreOffice only: the GB/T 9704 fonts, and their fallbacks, onto the Debian CJK fonts installed.
FONT_ALIASES = {
    "AR PL UKai CN": ("楷体_GB2312", "楷体", "KaiTi"),
    "AR PL UMing CN": ("仿宋_GB2312", "仿宋", "FangSong", "方正小标宋简体", "宋体", "SimSun"),
    "WenQuanYi Micro Hei": ("黑体", "SimHei"),
}


def fontconfig_file(folder: Path) -> Path:
    aliases = "".join(
        f"<alias binding=\"same\"><family>{name}</family><prefer><family>{target}</family></prefer></alias>"
        for target, names in FONT_ALIASES.items() for name in names
    )
    path = folder / "fonts.conf"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{aliases}</fontconfig>', encoding="utf-8")
    return path


def declared_widths(docx_bytes: bytes) -> tuple[list[float], list[float]]:
    """The table's grid columns (what LibreOffice lays out by) and the first row's cell widths (what Word uses), in cm."""
    table = Document(io.BytesIO(docx_bytes)).tables[0]
    grid = [int(col.get(qn("w:w"))) / TWIPS_PER_CM for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]  # the 清单
    cells = [cell.width / EMU_PER_CM if cell.width else 0.0 for cell in table.rows[0].cells]
    return grid, cells


def run(command: list[str], env: dict | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "render")
    parser.add_argument("--draft", type=Path, default=None, help="a draft saved as JSON from POST /drafts/rectification")
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--docs", type=Path, default=None, help="copy the first page and the 清单's first page here")
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found (apt-get install libreoffice-writer-nogui poppler-utils fonts-arphic-ukai fonts-arphic-uming fonts-wqy-microhei)", file=sys.stderr)
            return 2
    from pypdf import PdfReader

    draft = load_draft(args.draft) if args.draft else sample_draft()
    args.out.mkdir(parents=True, exist_ok=True)
    docx_path = args.out / "plan.docx"
    data = to_docx(draft)
    docx_path.write_bytes(data)

    # A throwaway LibreOffice profile: no clash with a running instance, and it works as root.
    with tempfile.TemporaryDirectory() as profile:
        env = os.environ | {"FONTCONFIG_FILE": str(fontconfig_file(Path(profile)))}
        run(["soffice", f"-env:UserInstallation=file://{profile}/lo", "--headless", "--convert-to", "pdf", "--outdir", str(args.out), str(docx_path)], env)
    pdf_path = args.out / "plan.pdf"
    for old in args.out.glob("page-*.png"):
        old.unlink()
    run(["pdftoppm", "-png", "-r", str(args.dpi), str(pdf_path), str(args.out / "page")])

    reader = PdfReader(str(pdf_path))
    print(f"docx: {docx_path} ({len(draft.problems)} problems)")
    print(f"pdf:  {pdf_path}")
    print(f"pages: {len(reader.pages)}")
    shapes = {(595, 842): "A4 portrait", (842, 595): "A4 landscape"}
    landscape_first = None
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        shape = shapes.get((round(width), round(height)), "not A4")
        if shape == "A4 landscape" and landscape_first is None:
            landscape_first = number
        last_line = (page.extract_text() or "").strip().splitlines()[-1:] or [""]
        print(f"  page {number}: {width:.0f} x {height:.0f} pt ({shape}); last line: {last_line[0].strip()}")
    grid, cells = declared_widths(data)
    print("table grid columns (cm):  " + " ".join(f"{w:.1f}" for w in grid))
    print("first-row cell widths (cm): " + " ".join(f"{w:.1f}" for w in cells))
    if shutil.which("pdffonts"):
        print("fonts in the PDF:")
        for line in run(["pdffonts", str(pdf_path)]).splitlines()[2:]:
            print(f"  {line.split()[0]}")
    pngs = sorted(args.out.glob("page-*.png"))
    for png in pngs:
        print(f"png: {png}")
    if args.docs:
        args.docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pngs[0], args.docs / "plan-page1.png")
        if landscape_first:
            shutil.copyfile(pngs[landscape_first - 1], args.docs / "plan-list.png")
        print(f"copied to {args.docs}: plan-page1.png" + (", plan-list.png" if landscape_first else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
