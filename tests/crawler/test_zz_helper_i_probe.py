import pytest
from tests.support.crawling import crawl
from tests.support.http import Reply
from tests.crawler.sites.wordpress import WordPressSite
pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("adapter,start", [("links", "/blog/"), ("", "/blog"), ("", "/blog/sitemap.xml"), ("sitemap", "/blog/"), ("", "/blog/2016/02/post-number-1/")])
def test_probe(server, plain, adapter, start):
    site = WordPressSite(server, posts=30, folder="/blog", plain=plain)
    server.route("/blog", Reply(301, headers={"Location": site.home}))
    run, announced = crawl(site.base + start, adapter=adapter)
    print("\nRESULT", plain, adapter, start, run.adapter, run.state, len(set(announced) & site.expected), len(announced), run.stats)
    print(sorted(server.hits.items())[:40])
