#!/usr/bin/python3
"""An HTTP proxy that checks every request's SigV4 signature with Debian's python3-botocore, as AWS does, and
forwards only the requests whose signature holds (DynamoDB Local checks none).

  sigv4_verifier.py --upstream http://127.0.0.1:8000 --port-file FILE --stats-file FILE
                    [--credentials ACCESS_KEY:SECRET ...] [--region us-east-1] [--max-seconds N]

  sigv4_verifier.py --check < requests.json
      checks recorded requests instead: {"region": ..., "secrets": {access key: secret},
      "requests": [{"method", "path", "headers": {lower-cased name: value}, "body"}]} on stdin, and prints
      {"verified": N, "failures": ["<x-amz-target>: <why>", ...]} on stdout.

Credentials default to AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the region to AWS_REGION. A request is rejected
(403, InvalidSignatureException or UnrecognizedClientException, as DynamoDB answers) when its Authorization
header is missing or malformed, its access key is unknown, its scope is not <date>/<region>/dynamodb/aws4_request,
host, x-amz-date or x-amz-target is not signed, x-amz-date is more than 15 minutes from now, or the signature
botocore computes over the signed headers and the body differs. Each rejection is printed on stderr with the
canonical request botocore built. On SIGTERM or after --max-seconds, "verified N rejected M" goes to the stats file.
"""
import argparse
import datetime
import http.client
import http.server
import json
import os
import signal
import sys
import threading
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

stats_lock = threading.Lock()
stats = {"verified": 0, "rejected": 0}


class SignedOnly(SigV4Auth):
    """botocore's SigV4 over exactly the headers the request says it signed."""

    def __init__(self, credentials, service, region, signed):
        super().__init__(credentials, service, region)
        self.signed = signed

    def headers_to_sign(self, request):
        all_headers = super().headers_to_sign(request)
        for name in list(all_headers.keys()):
            if name not in self.signed:
                del all_headers[name]
        return all_headers


def parse_authorization(value):
    if not value.startswith("AWS4-HMAC-SHA256 "):
        return None
    fields = {}
    for part in value[len("AWS4-HMAC-SHA256 "):].split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        return None
    return fields


def check(method, path, headers, body, secrets, region):
    """Returns None when the signature holds, else (error type, message, details)."""
    auth = parse_authorization(headers.get("authorization", ""))
    if auth is None:
        return ("MissingAuthenticationTokenException", "Request is missing Authentication Token", "")
    scope = auth["Credential"].split("/")
    if len(scope) != 5:
        return ("IncompleteSignatureException", "Credential is malformed: " + auth["Credential"], "")
    access_key, day, scope_region, service, term = scope
    if access_key not in secrets:
        return ("UnrecognizedClientException", "The security token included in the request is invalid.", "")
    if scope_region != region or service != "dynamodb" or term != "aws4_request":
        return ("InvalidSignatureException", "Credential should be scoped to " + region + "/dynamodb, not "
                + auth["Credential"], "")
    signed = auth["SignedHeaders"].split(";")
    for needed in ("host", "x-amz-date", "x-amz-target"):
        if needed not in signed:
            return ("InvalidSignatureException", "'" + needed + "' must be a signed header", "")
    if "x-amz-security-token" in headers and "x-amz-security-token" not in signed:
        return ("InvalidSignatureException", "'x-amz-security-token' must be a signed header", "")
    for name in signed:
        if name not in headers:
            return ("InvalidSignatureException", "signed header '" + name + "' is absent", "")
    stamp = headers["x-amz-date"]
    if not stamp.startswith(day):
        return ("InvalidSignatureException", "x-amz-date " + stamp + " is not of the scope's day " + day, "")
    when = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    skew = abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds())
    if skew > 15 * 60:
        return ("InvalidSignatureException", "Signature expired: " + stamp + " is more than 15 minutes from now", "")
    request = AWSRequest(method=method, url="http://" + headers["host"] + path, data=body,
                         headers={n: headers[n] for n in signed})
    request.context["timestamp"] = stamp
    signer = SignedOnly(Credentials(access_key, secrets[access_key], headers.get("x-amz-security-token")),
                        "dynamodb", region, set(signed))
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != auth["Signature"]:
        return ("InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.", canonical)
    return None


def make_handler(upstream, secrets, region):
    target = urllib.parse.urlsplit(upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        upstream_conn = None

        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            failure = check(self.command, self.path, headers, body, secrets, region)
            with stats_lock:
                stats["rejected" if failure else "verified"] += 1
            if failure:
                kind, message, canonical = failure
                sys.stderr.write("sigv4_verifier: rejected %s %s: %s\n%s\n" % (
                    headers.get("x-amz-target", "?"), kind, message, canonical))
                out = json.dumps({"__type": "com.amazon.coral.service#" + kind, "message": message}).encode()
                self.send_response(403 if kind != "IncompleteSignatureException" else 400)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("x-amzn-RequestId", "sigv4-verifier")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
                return
            forward = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
            for attempt in range(2):
                try:
                    if self.upstream_conn is None:
                        self.upstream_conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
                    self.upstream_conn.request(self.command, self.path, body=body, headers=forward)
                    answer = self.upstream_conn.getresponse()
                    data = answer.read()
                    break
                except (OSError, http.client.HTTPException):
                    self.upstream_conn = None
                    if attempt == 1:
                        self.close_connection = True
                        return
            self.send_response(answer.status, answer.reason)
            for k, v in answer.getheaders():
                if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length", "date",
                                     "server"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def check_recorded():
    case = json.load(sys.stdin)
    verified, failures = 0, []
    for r in case["requests"]:
        failure = check(r["method"], r["path"], r["headers"], r["body"].encode(), case["secrets"], case["region"])
        if failure:
            failures.append(r["headers"].get("x-amz-target", "?") + ": " + failure[0] + ": " + failure[1])
        else:
            verified += 1
    print(json.dumps({"verified": verified, "failures": failures[:20]}))


def main():
    if sys.argv[1:] == ["--check"]:
        check_recorded()
        return
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--stats-file", required=True)
    p.add_argument("--credentials", action="append", default=[])
    p.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    p.add_argument("--max-seconds", type=int, default=3600)
    a = p.parse_args()
    secrets = {}
    for c in a.credentials:
        k, _, s = c.partition(":")
        secrets[k] = s
    if not secrets and os.environ.get("AWS_ACCESS_KEY_ID"):
        secrets[os.environ["AWS_ACCESS_KEY_ID"]] = os.environ.get("AWS_SECRET_ACCESS_KEY", "")

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 1024  # (socketserver's 5 refuses a client's burst of connections)

    server = Server(("127.0.0.1", 0), make_handler(a.upstream, secrets, a.region))
    server.daemon_threads = True

    def finish(*_):
        with stats_lock:
            line = "verified %d rejected %d\n" % (stats["verified"], stats["rejected"])
        with open(a.stats_file + ".tmp", "w") as f:
            f.write(line)
        os.replace(a.stats_file + ".tmp", a.stats_file)
        os._exit(0)

    signal.signal(signal.SIGTERM, finish)
    threading.Timer(a.max_seconds, finish).start()
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(a.port_file + ".tmp", a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
