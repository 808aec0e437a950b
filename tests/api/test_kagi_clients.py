"""Kagi's own clients, unchanged but for their base URL, against a live server
and a real Celery worker running the bundled model.

The PyPI clients (kagiapi, kaginawa, PyKagi) run as installed (a long text
in several parts: test_kagi_long_text.py); the others
(Kagi's browser extension, kagi.el, a zod-validated script) are replayed as
the requests their source sends. Every answer is checked against Kagi's
documented schema (tests/support/kagi.py).
"""

from __future__ import annotations

import pytest
import requests

from summarizer.models import Document, Summary
from tests.support.documents import ARTICLE
from tests.support.http import Reply
from tests.support.kagi import check_failure, check_success

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
WORDS = (
    "Xuite was a Taiwanese blogging platform that hosted millions of personal blogs for two "
    "decades. Its owner announced in 2023 that it would close, and volunteers raced to save "
    "the writing: they listed blog addresses, walked every page of posts and asked the "
    "Wayback Machine to capture each one before the deadline."
)  # over kagi.el's 50-word minimum


@pytest.fixture
def base(live_server, celery_worker_process) -> str:
    return f"{live_server.url}/api/v0"


@pytest.fixture
def article(site) -> str:
    return site.route("/a", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))


def bot_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bot {token}"}


def test_kagiapi_summarizes_a_url_a_text_a_takeaway_and_in_a_target_language(
    base, token, article, monkeypatch
):
    from kagiapi import KagiClient

    monkeypatch.setattr(KagiClient, "BASE_URL", base)
    client = KagiClient(token)

    by_url = check_success(client.summarize(url=article, engine="cecil"))
    assert by_url["tokens"] > 0
    takeaway = check_success(client.summarize(text=WORDS, summary_type="takeaway"))
    assert takeaway["output"].startswith("- ")
    check_success(client.summarize(text=WORDS, target_language="DE", cache=True))
    assert Summary.objects.filter(target_language="DE", state="done").exists()


def test_kagiapi_sees_kagis_errors_for_a_bad_token_and_missing_input(base, token, monkeypatch):
    from kagiapi import KagiClient

    monkeypatch.setattr(KagiClient, "BASE_URL", base)
    with pytest.raises(requests.HTTPError) as refused:
        KagiClient("not-a-token").summarize(url="https://example.org/")
    assert refused.value.response.status_code == 401
    assert check_failure(refused.value.response.json())["code"] == 2
    with pytest.raises(requests.HTTPError) as malformed:
        KagiClient(token).summarize(url="ftp://example.org/")
    assert check_failure(malformed.value.response.json())["code"] == 1


def test_kaginawa_form_post_builds_its_response_from_ours(base, token, article):
    """kaginawa posts a form and builds a dataclass from exactly Kagi's meta keys."""
    import httpx
    from kaginawa.client import Kaginawa

    # Its own httpx session, as kaginawa allows: httpx's default 5 s timeout is
    # shorter than a first summary on a CPU (at Kagi's too).
    session = httpx.Client(timeout=600)
    client = Kaginawa(token=token, session=session, api_base=base.removesuffix("/v0"))
    answer = client.summarize(url=article, engine="agnes", summary_type="takeaway")
    assert answer.output.startswith("- ") and answer.tokens > 0
    assert isinstance(answer.api_balance, float) and answer.id
    private = client.summarize(text=WORDS, cache=False, target_language="EN")
    assert private.output
    assert not Summary.objects.filter(keep=False).exists()
    assert not Document.objects.filter(url="").exists()


def test_pykagi_summarizes_a_url_and_a_text(base, token, article):
    """PyKagi sends GET for a url, a JSON POST with "target_language": null for text."""
    import PyKagi  # installed by `make test` without its pins (see the Makefile)

    client = PyKagi.UniversalSummarizer(api_token=token)
    client.base_url = f"{base}/summarize"
    check_success(client.summarize(url=article, engine="muriel"))
    check_success(client.summarize(text=WORDS, summary_type="takeaway", cache=False))
    assert not Document.objects.filter(url="").exists()


def test_the_browser_extension_get_with_url_undefined_summarizes_the_text(base, token):
    """What the extension sends: GET ?url=undefined&text=…, JSON content type, no body."""
    response = requests.get(
        f"{base}/summarize",
        params={"url": "undefined", "text": WORDS, "summary_type": "summary", "engine": "cecil"},
        headers={**bot_headers(token), "Content-Type": "application/json"},
        timeout=600,
    )
    assert response.status_code == 200, response.text
    assert check_success(response.json())["output"]


def test_kagi_el_json_with_cache_null_keeps_nothing(base, token):
    """kagi.el's json-encode of its request alist, with the cache turned off (nil)."""
    body = {"text": WORDS, "engine": "cecil", "summary_type": "summary", "cache": None,
            "target_language": "EN"}  # fmt: skip
    response = requests.post(f"{base}/summarize", json=body, headers=bot_headers(token),
                             timeout=600)  # fmt: skip
    assert response.status_code == 200, response.text
    assert check_success(response.json())["output"]
    assert not Summary.objects.exists() and not Document.objects.exists()


def test_a_zod_validated_script_gets_what_it_validates(base, token, article):
    """POST JSON {url}, as the zod script does; its schema is Kagi's (strict keys)."""
    response = requests.post(f"{base}/summarize", json={"url": article},
                             headers=bot_headers(token), timeout=600)  # fmt: skip
    assert response.status_code == 200, response.text
    check_success(response.json())
    failed = requests.post(f"{base}/summarize", json={}, headers=bot_headers(token), timeout=60)
    assert failed.status_code == 400 and check_failure(failed.json())["code"] == 1
