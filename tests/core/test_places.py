from policy_search.places import local_place, region_of


def test_local_place_with_and_without_its_suffix():
    assert local_place("济南市大气污染防治条例") == ("济南市", "济南")
    assert local_place("景宁畲族自治县生态环境保护条例") == ("景宁畲族自治县", "景宁畲族")
    assert local_place("关于印发全市整改方案的通知") is None
    assert local_place("在全市生态环境保护大会上的讲话") is None


def test_region_of_prefers_provinces_then_national_bodies_then_cities():
    assert region_of("山东省济南市扬尘污染防治规定") == "山东"
    assert region_of("国务院关于加强环境保护重点工作的意见") == "全国"
    assert region_of("丽水市扬尘污染防治规定") == "丽水市"
    assert region_of("生态环境保护督察整改销号办法") is None


def test_words_before_市_or_区_that_name_no_place():
    for title in ("城市市容和环境卫生管理条例", "风景名胜区条例", "保税区海关监管办法", "人力资源市场暂行条例",
                  "中国公民往来台湾地区管理办法", "行政区域界线管理条例"):
        assert region_of(title) is None, title
    assert region_of("示例省生态环境保护督察问题整改销号办法") == "示例"  # a province not in the list
    assert region_of("中共江苏省委 江苏省人民政府关于深入打好污染防治攻坚战的实施意见") == "江苏"
    assert region_of("中共中央 国务院关于全面推进美丽中国建设的意见") == "全国"
