"""Places named at the start of a title: read as a document's region when indexing, and as the names a
query may use to bring that region's texts forward."""

from __future__ import annotations

import re

# Provincial-level names, for reading a region off a title such as 山东省土壤污染防治条例.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
NATIONAL_STARTS = ("中华人民共和国", "最高人民法院", "最高人民检察院", "国务院", "全国", "中央", "国家")
_LOCAL = re.compile(r"^([\u4e00-\u9fa5]{2,8}?)(自治州|自治县|地区|盟|市|州|县|区|旗)")
_NOT_PLACE_STARTS = ("关于", "在", "对", "致", "转发", "印发")
# Words that stand before 市/区 in titles without naming a place: 城市市容…, 风景名胜区…, 保税区…
_NOT_PLACE_ENDS = ("城市", "行政", "资源", "名胜", "保税", "滞洪", "勘查", "开发", "经济", "保护", "示范", "工业", "高新")
_OTHER_PROVINCE = re.compile(r"^([\u4e00-\u9fa5]{2,4}?)(?:省|自治区)")  # a province not in the list above


def local_place(title: str) -> tuple[str, str] | None:
    """The city, county or prefecture a title starts with, with and without its suffix (济南市, 济南)."""
    match = _LOCAL.match(title)
    if not match or match.group(1).startswith(_NOT_PLACE_STARTS) or "全" in match.group(1):
        return None
    if match.group(1).endswith(_NOT_PLACE_ENDS) or "中国" in match.group(1):
        return None
    return match.group(0), match.group(1)


def region_of(title: str) -> str | None:
    """The province or city a title starts with, 全国 for national bodies, None when the title names no place."""
    title = re.sub(r"^(?:中共|中国共产党)", "", title)  # 中共江苏省委 江苏省人民政府关于…
    for province in PROVINCES:
        if title.startswith(province):
            return province
    if title.startswith(NATIONAL_STARTS):
        return "全国"
    place = local_place(title)
    if place:
        return place[0]
    province = _OTHER_PROVINCE.match(title)
    if province and not province.group(1).startswith(_NOT_PLACE_STARTS) and "全" not in province.group(1):
        return province.group(1)
    return None


def without_place(title: str) -> str:
    """The title without the province or city it starts with: 示例市全面加强…措施 → 全面加强…措施."""
    for province in PROVINCES:
        if title.startswith(province):
            return re.sub(r"^(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)", "", title[len(province):])
    place = local_place(title)
    if place:
        return title[len(place[0]):]
    province = _OTHER_PROVINCE.match(title)
    return title[province.end():] if province else title
