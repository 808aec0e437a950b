"""Date formats that override Django's locale ones (FORMAT_MODULE_PATH)."""
