"""An answer's language, told by its script before py3langid guesses."""

from summarizer import prompts
from summarizer.language import detect_language


def kagi(text: str) -> str:
    return prompts.language_code(detect_language(text))


def test_traditional_chinese_quoting_english_is_traditional_chinese():
    text = "我用 Perl 的 LWP 和 HTML::TreeBuilder 模組備份 Xuite 部落格，放在 GitHub Pages 上。"
    assert kagi(text) == "ZH-HANT"  # py3langid alone says yue, which read as English


def test_simplified_chinese_japanese_korean_and_english():
    assert kagi("我从 2021 年开始在家远程办公，团队有 25 个人。") == "ZH"
    assert kagi("去年の四月から、電車をやめて自転車で会社に通っている。") == "JA"
    assert kagi("작년 사월부터 자전거로 회사에 다니고 있습니다.") == "KO"
    assert kagi("The lighthouse at Carrow Point was built in 1871.") == "EN"


def test_english_quoting_a_few_chinese_words_is_english():
    text = "The post, titled 用 Perl 備份, explains how the author backed up 1,350 articles."
    assert kagi(text) == "EN"
