#!/usr/bin/python3
"""botocore's adaptive-mode rate limiter (retries/adaptive.py) on a fake clock, for the unit tests to compare with.

Reads a JSON list of events on stdin, {"t": seconds, "kind": "send" | "ok" | "throttle"}; the limiter is made at
the first event's time. Prints one JSON line per event: for "send" {"granted": bool} (a token taken without
blocking), for an answer {"fill_rate": r, "measured": m, "enabled": bool}.
"""
import json
import sys

from botocore.exceptions import CapacityNotAvailableError
from botocore.retries import adaptive, bucket, throttling


class FakeClock(bucket.Clock):
    def __init__(self, t):
        self.t = t

    def current_time(self):
        return self.t

    def sleep(self, amount):
        raise AssertionError("the harness never blocks")


class Detector:
    throttled = False

    def is_throttling_error(self, **kwargs):
        return self.throttled


events = json.load(sys.stdin)
clock = FakeClock(events[0]["t"] if events else 0.0)
detector = Detector()
token_bucket = bucket.TokenBucket(max_rate=1, clock=clock)
limiter = adaptive.ClientRateLimiter(
    rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=clock.current_time()),
    rate_clocker=adaptive.RateClocker(clock),
    token_bucket=token_bucket,
    throttling_detector=detector,
    clock=clock,
)
for e in events:
    clock.t = e["t"]
    if e["kind"] == "send":
        granted = True
        if limiter._enabled:
            try:
                token_bucket.acquire(block=False)
            except CapacityNotAvailableError:
                granted = False
        print(json.dumps({"granted": granted}))
    else:
        detector.throttled = e["kind"] == "throttle"
        limiter.on_receiving_response()
        print(json.dumps({"fill_rate": token_bucket.max_rate, "measured": limiter._rate_clocker.measured_rate,
                          "enabled": limiter._enabled}))
