from summarizer.postprocess import clean_output


def test_it_strips_think_blocks_and_preambles():
    raw = "<think>plan the answer</think>Sure! Here is a summary of the article:\nXuite closed."
    assert clean_output(raw, mode="summary") == "Xuite closed."


def test_it_strips_an_unterminated_think_block():
    assert clean_output("<think>never finished", mode="summary") == ""


def test_it_strips_a_summary_label():
    assert clean_output("**Summary:** Blogs die.", mode="summary") == "Blogs die."


def test_takeaways_become_dash_bullets():
    raw = "Key points:\n1. First\n* Second\n\n• Third"
    assert clean_output(raw, mode="takeaway") == "- First\n- Second\n- Third"


def test_it_leaves_ordinary_first_sentences_alone():
    text = "Here in Taipei, the old blogs are vanishing."
    assert clean_output(text, mode="summary") == text


def test_a_summary_is_one_paragraph_without_the_echoed_title():
    raw = "The Closing of Xuite\nXuite hosted blogs.\n\nIt closed in 2023."
    cleaned = clean_output(raw, mode="summary", title="The Closing of Xuite")
    assert cleaned == "Xuite hosted blogs. It closed in 2023."
