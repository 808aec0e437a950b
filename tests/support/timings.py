"""Archive timings shortened so each test takes seconds, not minutes."""

# Every interval shortened so each test takes seconds (the same names as
# waybrief/settings.py reads from the environment).
FAST = {
    "WAYBACK_RATE_PER_MINUTE": 60,
    "WAYBACK_MAX_ACTIVE": 10,
    "WAYBACK_RATE_WINDOW_SECONDS": 1.0,
    "WAYBACK_LOOKUP_RATE_PER_MINUTE": 1000,
    "WAYBACK_TIMEOUT_SECONDS": 5.0,
    "WAYBACK_POLL_SECONDS": 0.1,
    "WAYBACK_JOB_TIMEOUT_SECONDS": 30.0,
    "WAYBACK_RETRY_SECONDS": 0.1,
    "WAYBACK_MAX_RETRIES": 3,
    "WAYBACK_PAUSE_SECONDS": 1.0,
    "WAYBACK_SLOWDOWN_SECONDS": 5.0,
    "WAYBACK_BREAKER_FAILURES": 3,
    "WAYBACK_BREAKER_SECONDS": 0.5,
    "WAYBACK_AUTH_RETRY_SECONDS": 30.0,
    "WAYBACK_INLINE_WAIT_SECONDS": 2.0,
    "WAYBACK_SKIP_IF_CAPTURED_WITHIN": 86400,
    "WAYBACK_ACCESS_KEY": "",
    "WAYBACK_SECRET_KEY": "",
}
