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


def test_a_wrapped_takeaway_line_continues_its_bullet():
    raw = "Key points:\n- The lighthouse was built\n  in 1871.\n- It is 34 metres tall."
    assert clean_output(raw, mode="takeaway") == (
        "- The lighthouse was built in 1871.\n- It is 34 metres tall.")  # fmt: skip


def test_a_takeaway_drops_code_fences_and_repeated_points():
    raw = "- It limits requests.\n```python\nb = Bucket()\n```\n- It limits requests.\n- It waits."
    assert clean_output(raw, mode="takeaway") == "- It limits requests.\n- It waits."


def test_a_summary_turns_bullets_into_sentences():
    assert clean_output("- Blogs die\n- Archives keep them", mode="summary") == (
        "Blogs die. Archives keep them.")  # fmt: skip


def test_a_summary_says_each_sentence_once():
    raw = "Xuite closed in 2023. Xuite closed in 2023. Blogs moved away."
    assert clean_output(raw, mode="summary") == "Xuite closed in 2023. Blogs moved away."


def test_an_answer_cut_at_the_cap_ends_at_its_last_whole_sentence_and_says_so():
    raw = "Xuite closed in 2023. Its users moved their blo"
    assert clean_output(raw, mode="summary", capped=True) == (
        "Xuite closed in 2023. [cut off at the length limit]")  # fmt: skip
    raw = "颱風來了。超市很忙。最後我只"
    assert clean_output(raw, mode="summary", capped=True, language="ZH-HANT") == (
        "颱風來了。超市很忙。（已截斷：到達長度上限）")  # fmt: skip


def test_a_takeaway_cut_at_the_cap_drops_its_unfinished_bullet():
    raw = "- Built in 1871.\n- Automated in 1989.\n- The museum opens in"
    assert clean_output(raw, mode="takeaway", capped=True) == (
        "- Built in 1871.\n- Automated in 1989. [cut off at the length limit]")  # fmt: skip


def test_an_explanation_loses_the_program_it_rewrote():
    raw = "It limits the rate of requests.\n```python\ndef acquire():\n    pass\n```\nIt blocks."
    assert clean_output(raw, mode="explain") == "It limits the rate of requests.\n\nIt blocks."


def test_chat_template_tokens_and_echoed_instructions_are_removed():
    raw = "<|im_start|>assistant\nTitle: 茶園一日 上週末我們去採茶。\n請用繁體中文回答。<|im_end|>"
    assert clean_output(raw, mode="summary", title="茶園一日") == "上週末我們去採茶。"


def test_a_repeated_line_or_sentence_is_a_loop():
    from summarizer.postprocess import is_repeating

    assert is_repeating("- The tower is tall.\n- It is old.\n- The tower is tall.\n")
    assert is_repeating("The tower is tall and old. It has a lens. The tower is tall and old.")
    assert not is_repeating("The tower is tall and old. It has a lens.")


def test_an_answer_the_model_stopped_mid_sentence_ends_at_its_last_whole_sentence():
    raw = "Xuite hosted blogs for two decades. It was unable to meet the deadline due to"
    assert clean_output(raw, mode="summary") == "Xuite hosted blogs for two decades."
    assert clean_output("A single unfinished thought", mode="summary") == (
        "A single unfinished thought")  # fmt: skip


def test_sentences_restating_the_task_are_dropped():
    raw = ("The text above is part 2 of a longer document titled 'Canals'. In Traditional "
           "Chinese, write 3 to 4 complete sentences. Canals carried coal.")  # fmt: skip
    assert clean_output(raw, mode="summary") == "Canals carried coal."
    raw = "- 2 consecutive parts of one document titled 'X'\n- Canals carried coal.\n- Locks lift."
    assert clean_output(raw, mode="takeaway") == "- Canals carried coal.\n- Locks lift."
