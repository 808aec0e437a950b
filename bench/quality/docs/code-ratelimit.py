"""A token-bucket rate limiter for outgoing requests."""

import threading
import time


class TokenBucket:
    """Allow `rate` requests per second on average, with bursts of up to `capacity`."""

    def __init__(self, rate: float, capacity: int) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = float(capacity)
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def try_acquire(self) -> bool:
        """Take one token if there is one; never waits."""
        with self.lock:
            self._refill()
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False

    def acquire(self) -> None:
        """Block until a token is free."""
        while True:
            with self.lock:
                self._refill()
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            time.sleep(wait)


if __name__ == "__main__":
    bucket = TokenBucket(rate=2, capacity=5)
    start = time.monotonic()
    for i in range(10):
        bucket.acquire()
        print(f"request {i} at {time.monotonic() - start:.2f}s")
