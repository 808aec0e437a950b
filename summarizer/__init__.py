"""URL → fetched document → main text → local LLM → summary."""
