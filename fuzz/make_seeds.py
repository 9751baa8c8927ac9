#!/usr/bin/python3
"""Writes the hand-made seeds of the fuzz corpus (fuzz/corpus/<target>/seed-*). What libFuzzer adds is merged
into the same directories by scripts/fuzz."""
import base64, hashlib, hmac, json, os

here = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


ITEM = {"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "12.5"}, "b": {"B": "AAEC"},
        "m": {"M": {"x": {"L": [{"BOOL": True}, {"NULL": True}, {"S": "é\u2028"}]}}},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5E-3"]}, "bs": {"BS": ["AA==", "AQ=="]}}
WIDE = {"id": {"S": "w-1"}, "seq": {"N": "7"}, "i32": {"N": "-5"}, "u16": {"N": "65535"}, "d": {"N": "0.25"},
        "amount": {"N": "12345678901234567890.123456789"}, "flag": {"BOOL": True}, "blob": {"B": "aGVsbG8="},
        "at": {"S": "2024-05-01T12:34:56.120000Z"}, "zoned": {"S": "2024-05-01T14:34:56+02:00"},
        "naive": {"S": "2024-05-01T12:34:56"}, "day": {"S": "2024-05-01"},
        "ref": {"S": "0b6c2e9e-8a43-4a4e-9d4c-1c2f5d1f7a10"}, "tier": {"S": "pro"},
        "numbers": {"L": [{"N": "1"}, {"N": "-2"}]}, "labels": {"M": {"k": {"S": "v"}}},
        "tags": {"SS": ["x", "y"]}, "prices": {"NS": ["1.5", "2"]}, "keys": {"BS": ["AA=="]},
        "address": {"M": {"city": {"S": "Oslo"}, "zip": {"S": "0150"}}},
        "previous": {"L": [{"M": {"city": {"S": "Bergen"}}}]}, "age": {"N": "42"}, "extra": {"L": [{"N": "1"}]}}
WIDE_PLAIN = {"id": "w-1", "seq": 7, "i32": -5, "u16": 65535, "d": 0.25, "amount": 12345678901234567890.123456789,
              "flag": True, "blob": "aGVsbG8=", "at": "2024-05-01T12:34:56.120000Z", "zoned": "2024-05-01T14:34:56+02:00",
              "naive": "2024-05-01T12:34:56", "day": "2024-05-01", "ref": "0b6c2e9e-8a43-4a4e-9d4c-1c2f5d1f7a10",
              "tier": "pro", "numbers": [1, -2], "labels": {"k": "v"}, "tags": ["x", "y"], "prices": [1.5, 2],
              "keys": ["AA=="], "address": {"city": "Oslo"}, "previous": [], "age": 42, "extra": None}

j = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
put("item", "all-types", j(ITEM))
put("item", "wide", j(WIDE))
put("item", "empty", "{}")
for i, n in enumerate(["12.5", "-0.000123E-100", "9" * 38, "1E125", "0", "-1e-130", "0.0100", "+5"]):
    put("number", str(i), n)
for i, b in enumerate(["AAEC", "aGVsbG8=", "YQ==", "", "////"]):
    put("base64", str(i), b)
for i, t in enumerate(["2024-05-01T12:34:56Z", "2024-05-01T12:34:56.120000+02:00", "2024-05-01T12:34:56",
                       "2024-05-01", "2026-12-05T10:00:00.5-05:30", "2024-02-29 23:59:59.999999999Z"]):
    put("time", str(i), t)

binding = "users\n\npk = :a\nasc"
key = j({"pk": {"S": "a"}, "sk": {"N": "3"}})
b64url = lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")
tag = hashlib.sha256(binding.encode()).hexdigest()[:16]
unsigned = "c1." + tag + "." + b64url(key.encode())
mac = hmac.new(b"cursor secret", (binding + "\n" + key).encode(), hashlib.sha256).digest()
put("cursor", "unsigned", b"\x00" + unsigned.encode())
put("cursor", "signed", b"\x01" + (unsigned + "." + b64url(mac)).encode())

put("model", "ddb-json", b"\x00" + j(WIDE).encode())
put("model", "plain-json", b"\x01" + j(WIDE_PLAIN).encode())


def answer(op, status_index, body):
    return bytes([op + 13 * status_index]) + (body if isinstance(body, bytes) else j(body).encode())


key_item = {"pk": {"S": "a"}, "sk": {"S": "1"}}
put("answers", "get", answer(0, 0, {"Item": ITEM}))
put("answers", "query", answer(1, 0, {"Items": [ITEM, key_item], "Count": 2, "ScannedCount": 2,
                                      "LastEvaluatedKey": key_item}))
put("answers", "scan", answer(2, 0, {"Items": [ITEM], "Count": 1, "ScannedCount": 5}))
put("answers", "batch-get", answer(3, 0, {"Responses": {"t": [ITEM]}, "UnprocessedKeys": {"t": {"Keys": [key_item]}}}))
put("answers", "batch-write", answer(4, 0, {"UnprocessedItems": {"t": [{"PutRequest": {"Item": ITEM}},
                                                                         {"DeleteRequest": {"Key": key_item}}]}}))
put("answers", "transact-get", answer(5, 0, {"Responses": [{"Item": ITEM}, {}]}))
put("answers", "transact-canceled", answer(6, 1, {
    "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
    "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]",
    "CancellationReasons": [{"Code": "ConditionalCheckFailed", "Item": ITEM, "Message": "The conditional request failed"},
                            {"Code": "None"}]}))
put("answers", "condition-failed", answer(7, 1, {
    "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
    "message": "The conditional request failed", "Item": ITEM}))
put("answers", "put-old", answer(7, 0, {"Attributes": ITEM}))
put("answers", "throttled", answer(0, 1, {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                                          "message": "Rate exceeded"}))
put("answers", "server-error", answer(9, 2, {"__type": "com.amazon.coral.service#InternalFailure"}))
put("answers", "describe", answer(8, 0, {"Table": {"TableName": "t", "TableStatus": "ACTIVE", "ItemCount": 3,
                                                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}))
put("answers", "list", answer(9, 0, {"TableNames": ["a", "b"], "LastEvaluatedTableName": "b"}))
put("answers", "wide-get", answer(10, 0, {"Item": WIDE}))
put("answers", "wide-query", answer(11, 0, {"Items": [WIDE], "Count": 1, "LastEvaluatedKey": {"id": WIDE["id"], "seq": WIDE["seq"]}}))
put("answers", "wide-batch-get", answer(12, 0, {"Responses": {"wide": [WIDE]}}))

put("credentials", "ini", b"\x00[default]\naws_access_key_id = AKID\naws_secret_access_key=SECRET # c\n"
                          b"region = eu-west-1\ns3 =\n  max_concurrent_requests = 10\n[profile dev]\n"
                          b"role_arn=arn:aws:iam::123:role/r\nsource_profile = default\n; comment\n")
put("credentials", "process", b"\x01" + j({"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK",
                                           "SessionToken": "T", "Expiration": "2026-12-05T10:00:00Z"}).encode())
put("credentials", "container", b"\x02" + j({"AccessKeyId": "AK", "SecretAccessKey": "SK", "Token": "T",
                                             "Expiration": "2026-12-05T10:00:00.123+00:00"}).encode())
put("credentials", "sts", b"\x03<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>AK</AccessKeyId>"
                          b"<SecretAccessKey>SK</SecretAccessKey><SessionToken>T</SessionToken>"
                          b"<Expiration>2026-12-05T10:00:00Z</Expiration></Credentials></AssumeRoleResult>"
                          b"</AssumeRoleResponse>")
