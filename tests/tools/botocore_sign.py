#!/usr/bin/python3
"""Computes SigV4 signatures with Debian's python3-botocore, for the unit tests to compare against.

Reads a JSON list of cases on stdin and prints one JSON object per case on stdout.
  {"mode": "raw", ...}    : botocore's SigV4Auth over the given request (method, url, headers, body)
  {"mode": "client", ...} : a real botocore DynamoDB client makes the call "operation" with "params";
                            the request is captured before it is sent (nothing goes on the network)
Both take "access_key", "secret_key", optional "token", "region" and "time" (YYYYmmddTHHMMSSZ).
"""
import datetime
import json
import sys
from unittest import mock

import botocore.auth
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.credentials import Credentials


def fixed_time(case):
    return datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ")


def patched_clock(case):
    fake = mock.MagicMock(wraps=datetime)
    fake.datetime.utcnow.return_value = fixed_time(case)
    fake.datetime.now.return_value = fixed_time(case).replace(tzinfo=datetime.timezone.utc)
    fake.timezone = datetime.timezone
    return mock.patch.object(botocore.auth, "datetime", fake)


def raw(case):
    creds = Credentials(case["access_key"], case["secret_key"], case.get("token") or None)
    req = AWSRequest(method=case.get("method", "POST"), url=case["url"], data=case.get("body", "").encode(),
                     headers=case.get("headers", {}))
    with patched_clock(case):
        SigV4Auth(creds, case.get("service", "dynamodb"), case["region"]).add_auth(req)
    return {"authorization": req.headers["Authorization"], "date": req.headers["X-Amz-Date"]}


def client(case):
    session = botocore.session.get_session()
    c = session.create_client("dynamodb", region_name=case["region"], endpoint_url=case["url"],
                              aws_access_key_id=case["access_key"], aws_secret_access_key=case["secret_key"],
                              aws_session_token=case.get("token") or None)
    captured = {}

    def before_send(request, **kwargs):
        captured["headers"] = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        captured["body"] = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        resp = AWSResponse(request.url, 200, {"x-amzn-RequestId": "x"}, None)
        resp._content = b"{}"
        return resp

    c.meta.events.register("before-send.dynamodb.*", before_send)
    with patched_clock(case):
        getattr(c, case["operation"])(**case["params"])
    h = captured["headers"]
    return {"authorization": h["Authorization"], "date": h["X-Amz-Date"], "body": captured["body"],
            "target": h.get("X-Amz-Target", ""), "content_type": h.get("Content-Type", "")}


for case in json.load(sys.stdin):
    print(json.dumps(raw(case) if case.get("mode", "raw") == "raw" else client(case)))
