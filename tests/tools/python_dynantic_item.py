#!/usr/bin/python3
"""Prints the DynamoDB-JSON item that Python Dynantic writes for one value of each type it maps.

Python Dynantic stores a model as boto3's TypeSerializer applied to Pydantic's model_dump(mode="python",
exclude_none=True), after turning what TypeSerializer refuses into what it accepts: float -> Decimal(str(f)),
an aware datetime with offset zero -> isoformat() of the naive time + "Z", any other datetime -> isoformat(),
date -> isoformat(), UUID -> str, Enum -> its value; empty sets are left out. This script applies those
rules to plain values (no Pydantic model is needed to get the same dump) and serializes them with Debian's
python3-boto3, then writes the item as it travels on the wire (binary as base64).
"""
import base64
import datetime as dt
import decimal
import enum
import json
import sys
import uuid

from boto3.dynamodb.types import TypeSerializer


class Status(enum.Enum):
    active = "active"
    inactive = "inactive"


def prepare(v):
    if isinstance(v, float):
        return decimal.Decimal(str(v))
    if isinstance(v, dt.datetime):
        off = v.utcoffset()
        if off is not None and off.total_seconds() == 0:
            return v.replace(tzinfo=None).isoformat() + "Z"
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, (set, frozenset)):
        return {prepare(x) for x in v}
    if isinstance(v, list):
        return [prepare(x) for x in v]
    if isinstance(v, dict):
        return {k: prepare(x) for k, x in v.items() if x is not None}  # exclude_none reaches nested models
    return v


def wire(v):
    """TypeSerializer's output as DynamoDB-JSON text values (what botocore sends)."""
    (tag, x), = v.items()
    if tag == "B":
        return {"B": base64.b64encode(bytes(x)).decode()}
    if tag == "BS":
        return {"BS": sorted(base64.b64encode(bytes(e)).decode() for e in x)}
    if tag in ("SS", "NS"):
        return {tag: sorted(x)}
    if tag == "L":
        return {"L": [wire(e) for e in x]}
    if tag == "M":
        return {"M": {k: wire(e) for k, e in x.items()}}
    return {tag: x}


utc = dt.timezone.utc
plus2 = dt.timezone(dt.timedelta(hours=2))
minus530 = dt.timezone(-dt.timedelta(hours=5, minutes=30))
model = {
    "id": "py-1",
    "text": "h\u00e9llo \u2713",
    "count": 42,
    "negative": -7,
    "big": 2**63 - 1,
    "ratio": 2.5,
    "tenth": 0.1,
    "price": decimal.Decimal("12.50"),
    "flag": True,
    "raw": b"\x00\xffbin",
    "at_utc": dt.datetime(2024, 5, 1, 12, 34, 56, tzinfo=utc),
    "at_utc_us": dt.datetime(2024, 5, 1, 12, 34, 56, 120000, tzinfo=utc),
    "at_plus2": dt.datetime(2024, 5, 1, 14, 34, 56, tzinfo=plus2),
    "at_minus530": dt.datetime(2024, 5, 1, 7, 4, 56, 1, tzinfo=minus530),
    "naive": dt.datetime(2024, 5, 1, 12, 34, 56),
    "naive_us": dt.datetime(2024, 5, 1, 12, 34, 56, 500),
    "day": dt.date(2024, 2, 29),
    "ref": uuid.UUID("123e4567-e89b-42d3-a456-426614174000"),
    "status": Status.inactive,
    "mixed": ["a", 1, 2.5, True, None],
    "attrs": {"x": 1, "y": "z"},
    "tags": {"b", "a"},
    "lucky": {7, 3},
    "weights": {1.5, 2.25},
    "keys": {b"k1", b"k2"},
    "nothing": None,
    "address": {"city": "Paris", "zip": None},
}

data = prepare({k: v for k, v in model.items() if v is not None})
serializer = TypeSerializer()
item = {k: wire(serializer.serialize(v)) for k, v in data.items()
        if not (isinstance(v, (set, frozenset)) and not v)}
json.dump(item, sys.stdout, ensure_ascii=False, sort_keys=True)
sys.stdout.write("\n")
