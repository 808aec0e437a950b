"""Old Chinese blogs with no charset anywhere are fetched, decoded and
extracted as the right characters and the right script."""

from summarizer.extract import extract
from tests.support.http import Reply

GBK_TITLE = "周末游记：杭州西湖的春天"
GBK_PARAGRAPHS = [
    "三月的最后一个周末，我和几个大学同学约好一起去杭州看西湖。早上七点从上海虹桥站出发，"
    "坐高铁不到一个小时就到了杭州东站，再换乘地铁一号线到龙翔桥，出站走几分钟就能看到湖边的柳树。",
    "这个季节的西湖真的很美。苏堤两边的桃花和柳树交错开放，远远看去一片粉红一片嫩绿。"
    "我们沿着苏堤慢慢走，一路上有很多游客在拍照，也有不少当地的老人在晨练、打太极拳。",
    "中午我们在河坊街附近找了一家老字号吃饭，点了西湖醋鱼、东坡肉、龙井虾仁和叫化鸡。"
    "服务员告诉我们，龙井虾仁用的是当季的明前茶，所以特别清香。价格不算便宜，但味道确实不错。",
    "下午我们租了一条小船去三潭印月。船夫是一位五十多岁的大叔，一边划船一边给我们讲白娘子和许仙的故事，"
    "还说断桥残雪要在冬天下雪以后才看得到。湖面上风不大，阳光照在水面上闪闪发光。",
    "傍晚时分，我们爬上宝石山看日落。从山顶往下看，整个西湖和远处的城市尽收眼底，"
    "雷峰塔在夕阳下显得格外安静。大家都说下次一定要秋天再来，去满觉陇闻一闻桂花的香味。",
    "回上海的高铁上，我翻看手机里的照片，觉得这一天过得又快又充实。如果你也打算去杭州，"
    "建议避开节假日，早一点出门，带一双舒服的鞋，因为环湖走一圈真的需要不少体力。",
]
BIG5_TITLE = "九份老街一日遊：芋圓、茶樓與山城夜景"
BIG5_PARAGRAPHS = [
    "上個星期六，我和家人從台北車站搭客運到瑞芳，再轉公車上山到九份。雖然是陰天，"
    "老街上還是擠滿了遊客，窄窄的石階兩旁都是賣紀念品和小吃的店家。",
    "一到九份，我們就直奔阿柑姨芋圓。店裡的座位可以看到基隆山和整片海景，"
    "熱熱的芋圓加上地瓜圓，口感很有彈性，湯頭也不會太甜，是這趟旅行最滿足的一刻。",
    "吃完點心，我們沿著豎崎路往下走，經過昇平戲院，老闆說這是台灣最早的戲院之一。"
    "阿妹茶樓的紅燈籠在霧裡亮起來，真的很像電影裡的場景，難怪有那麼多人專程來拍照。",
    "下午在一家老茶館坐了兩個小時，泡了一壺高山烏龍，窗外的雨時大時小。"
    "老闆是一位很健談的阿伯，跟我們聊起金礦時代的九份，還說那時候山城的夜晚比台北還熱鬧。",
    "傍晚雨停了，遠方的海面上出現一道彩虹，大家都拿出手機拍個不停。回程的公車很擠，"
    "但看著窗外慢慢亮起的燈火，覺得今天過得很充實。下次想在平日來，人應該會少一點。",
]


def blog_page(title: str, paragraphs: list[str], nav: list[str], footer: str) -> str:
    """A blog post as old hosted blogs wrote it: no charset, no lang, anywhere."""
    links = " | ".join(f'<a href="/{i}">{name}</a>' for i, name in enumerate(nav))
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title>\n"
        f'<link rel="stylesheet" href="/static/style.css"></head><body>\n'
        f'<div id="nav">{links}</div>\n<div class="post"><h1>{title}</h1>\n{body}\n</div>\n'
        f'<div id="footer">{footer}</div></body></html>'
    )


def test_a_gbk_article_without_any_charset_is_fetched_and_extracted_as_simplified_chinese(
    loopback_fetcher, site
):
    """GIVEN a 500-character Simplified Chinese post in GBK, with no charset in the
    header, no <meta> and no lang WHEN it is fetched and extracted THEN the
    title and every paragraph come out as the right characters."""
    html = blog_page(GBK_TITLE, GBK_PARAGRAPHS, ["首页", "归档", "关于我"], "版权所有 小林的博客")
    assert len("".join(GBK_PARAGRAPHS)) > 300
    site.route("/post", Reply(200, html.encode("gbk"), {"Content-Type": "text/html"}))
    page = loopback_fetcher.fetch(site.url("/post"))
    result = extract(page)
    assert page.encoding == "gb18030"
    assert result.title == GBK_TITLE
    for paragraph in GBK_PARAGRAPHS:
        assert paragraph in result.text
    assert result.language == "zh-hans"


def test_a_big5_article_without_any_charset_is_fetched_and_extracted_as_traditional_chinese(
    loopback_fetcher, site
):
    """GIVEN the same kind of post in Big5 (whose bytes also decode cleanly as
    GBK, into nonsense) WHEN it is fetched and extracted THEN it reads as Big5."""
    html = blog_page(
        BIG5_TITLE, BIG5_PARAGRAPHS, ["首頁", "文章列表", "關於我"], "版權所有 九份散步"
    )
    body = html.encode("cp950")
    assert body.decode("gb18030") != html  # the trap: a clean but wrong decode exists
    site.route("/post", Reply(200, body, {"Content-Type": "text/html"}))
    page = loopback_fetcher.fetch(site.url("/post"))
    result = extract(page)
    assert page.encoding == "cp950"
    assert result.title == BIG5_TITLE
    for paragraph in BIG5_PARAGRAPHS:
        assert paragraph in result.text
    assert result.language == "zh-hant"
