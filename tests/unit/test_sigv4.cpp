// SigV4: AWS's published test-suite vectors, and signatures computed by Debian's python3-botocore for the
// same requests (both its SigV4Auth and a real botocore DynamoDB client).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "value/json_reader.hpp"
#include "value/json_writer.hpp"
#include "wire/client_impl.hpp"
#include "wire/sigv4.hpp"

namespace test_sigv4 {
using namespace dynantic;
using namespace dynantic::detail;

const credentials suite_creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const std::string scope = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

std::chrono::system_clock::time_point suite_time() {
  return std::chrono::system_clock::from_time_t(1440938160);  // 2015-08-30T12:36:00Z
}

std::string sign_suite(std::string_view method, std::string_view query,
                       std::vector<std::pair<std::string, std::string>> headers, std::string_view body,
                       const credentials& c = suite_creds) {
  sigv4_signer s("us-east-1", "service");
  signing_request r;
  r.method = method;
  r.host = "example.amazonaws.com";
  r.query = query;
  r.headers = std::move(headers);
  r.payload = body;
  return s.sign(r, c, suite_time()).authorization;
}

TEST(sigv4, aws_suite_get_vanilla) {
  EXPECT_EQ(sign_suite("GET", "", {}, ""),
            scope +
                "SignedHeaders=host;x-amz-date, "
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(sigv4, aws_suite_post_vanilla) {
  EXPECT_EQ(sign_suite("POST", "", {}, ""),
            scope +
                "SignedHeaders=host;x-amz-date, "
                "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(sigv4, aws_suite_query_order_key_case) {
  EXPECT_EQ(sign_suite("GET", "Param2=value2&Param1=value1", {}, ""),
            scope +
                "SignedHeaders=host;x-amz-date, "
                "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(sigv4, aws_suite_post_header_value_case) {
  EXPECT_EQ(sign_suite("POST", "", {{"My-Header1", "VALUE1"}}, ""),
            scope +
                "SignedHeaders=host;my-header1;x-amz-date, "
                "Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d");
}

TEST(sigv4, aws_suite_header_value_trim) {
  EXPECT_EQ(sign_suite("GET", "", {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}, ""),
            scope +
                "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
                "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

TEST(sigv4, aws_suite_session_token_signed) {
  credentials c = suite_creds;
  c.session_token =
      "AQoDYXdzEPT//////////"
      "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwth"
      "Ax7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNV"
      "XAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/"
      "oLxBA==";
  EXPECT_EQ(sign_suite("POST", "", {}, "", c),
            scope +
                "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
}

TEST(sigv4, aws_suite_form_body) {
  EXPECT_EQ(sign_suite("POST", "", {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1"),
            scope +
                "SignedHeaders=content-type;host;x-amz-date, "
                "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(sigv4, canonical_request_shape) {
  sigv4_signer s("us-east-1", "service");
  signing_request r;
  r.method = "GET";
  r.host = "example.amazonaws.com";
  auto sig = s.sign(r, suite_creds, suite_time());
  EXPECT_EQ(sig.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sig.amz_date, "20150830T123600Z");
}

TEST(sigv4, signing_key_cache_follows_day_and_secret) {
  sigv4_signer s("us-east-1", "service");
  signing_request r;
  r.host = "example.amazonaws.com";
  auto a = s.sign(r, suite_creds, suite_time()).authorization;
  auto other_day = s.sign(r, suite_creds, suite_time() + std::chrono::hours(24)).authorization;
  credentials c2 = suite_creds;
  c2.secret_access_key = "other";
  auto other_secret = s.sign(r, c2, suite_time()).authorization;
  EXPECT_NE(a, other_day);
  EXPECT_NE(a, other_secret);
  EXPECT_EQ(s.sign(r, suite_creds, suite_time()).authorization, a);  // back to the first: same again
}

// ---------------------------------------------------------------- botocore

std::vector<simdjson::dom::element> run_botocore(const std::string& cases_json, simdjson::dom::parser& parser,
                                                 std::string& keep) {
  // one file per test process: ctest runs tests in parallel
  std::string in = ::testing::TempDir() + "botocore_cases_" + std::to_string(::getpid()) + "_" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
  std::ofstream(in) << cases_json;
  std::string cmd = "/usr/bin/python3 " DYNANTIC_BOTOCORE_SCRIPT " < " + in;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {};
  char buf[4096];
  std::string out;
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int rc = pclose(p);
  EXPECT_EQ(rc, 0) << "python3-botocore failed (scripts/test installs it); its output: " << out;
  keep = "[";
  std::istringstream lines(out);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    if (!first) keep += ",";
    keep += line;
    first = false;
  }
  keep += "]";
  std::vector<simdjson::dom::element> res;
  simdjson::dom::array a;
  if (parser.parse(keep).get_array().get(a) != simdjson::SUCCESS) return {};
  for (auto e : a) res.push_back(e);
  return res;
}

std::string get(simdjson::dom::element e, const char* k) {
  std::string_view s;
  if (e[k].get_string().get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

std::chrono::system_clock::time_point parse_amz(const std::string& d) {
  std::tm tm{};
  strptime(d.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

struct client_case {
  std::string endpoint, region, token, operation, params;
};

TEST(sigv4, matches_botocore_dynamodb_client) {
  // A real botocore DynamoDB client builds and signs these calls; we sign the same body with the same
  // clock through the client's own header code, and must produce the same Authorization.
  std::vector<client_case> cases = {
      {"http://127.0.0.1:8123", "eu-west-1", "", "put_item",
       R"({"TableName":"users","Item":{"id":{"S":"u-1"},"n":{"N":"1.5"}}})"},
      {"http://localhost:8000", "us-east-1", "session-token-xyz", "get_item",
       R"({"TableName":"tbl","Key":{"pk":{"S":"é"}},"ConsistentRead":true})"},
      {"https://dynamodb.ap-southeast-2.amazonaws.com", "ap-southeast-2", "", "query",
       R"({"TableName":"tbl","KeyConditionExpression":"#p = :v","ExpressionAttributeNames":{"#p":"pk"},)"
       R"("ExpressionAttributeValues":{":v":{"S":"x"}}})"},
      {"https://dynamodb.us-west-2.amazonaws.com:443", "us-west-2", "", "list_tables", "{}"},
      {"http://127.0.0.1:80", "us-east-1", "", "describe_table", R"({"TableName":"tbl"})"},
  };
  std::string json = "[";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    if (i) json += ",";
    json += R"({"mode":"client","access_key":"AKIDBOTO","secret_key":"s3cr3t/KEY+x","token":")" + c.token +
            R"(","region":")" + c.region + R"(","url":")" + c.endpoint +
            R"(","time":"20240229T235959Z","operation":")" + c.operation + R"(","params":)" + c.params + "}";
  }
  json += "]";
  simdjson::dom::parser parser;
  std::string keep;
  auto results = run_botocore(json, parser, keep);
  ASSERT_EQ(results.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    auto r = results[i];
    client_options o;
    o.endpoint = c.endpoint;
    o.region = c.region;
    o.credentials = credentials{"AKIDBOTO", "s3cr3t/KEY+x", c.token};
    auto when = parse_amz(get(r, "date"));
    o.wall_clock = [when] { return when; };
    client_impl impl(o, make_curl_transport(o));
    std::string target = get(r, "target");
    std::string op = target.substr(target.find('.') + 1);
    auto headers = impl.signed_headers(op, get(r, "body"));
    std::string auth;
    for (const auto& h : headers) {
      if (h.starts_with("Authorization: ")) auth = h.substr(15);
    }
    EXPECT_EQ(auth, get(r, "authorization")) << c.endpoint << " " << c.operation;
    EXPECT_EQ(get(r, "content_type"), "application/x-amz-json-1.0");
  }
}

TEST(sigv4, matches_botocore_sigv4auth_on_large_and_odd_bodies) {
  std::string big(300000, 'x');
  std::vector<std::string> bodies = {"", "{}", "{\"k\":\"\\u0000 \xc3\xa9 \\\"\"}", big};
  std::string json = "[";
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    if (i) json += ",";
    std::string quoted;
    detail::json_writer w(quoted);
    w.string(bodies[i]);
    json += R"({"mode":"raw","access_key":"AK","secret_key":"SK","region":"eu-central-1","service":"dynamodb",)"
            R"("url":"http://127.0.0.1:4567/","time":"20231231T000000Z","headers":{"Content-Type":)"
            R"("application/x-amz-json-1.0","X-Amz-Target":"DynamoDB_20120810.PutItem"},"body":)" +
            quoted + "}";
  }
  json += "]";
  simdjson::dom::parser parser;
  std::string keep;
  auto results = run_botocore(json, parser, keep);
  ASSERT_EQ(results.size(), bodies.size());
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    sigv4_signer s("eu-central-1", "dynamodb");
    signing_request r;
    r.host = "127.0.0.1:4567";
    r.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "DynamoDB_20120810.PutItem"}};
    r.payload = bodies[i];
    EXPECT_EQ(s.sign(r, {"AK", "SK", ""}, parse_amz("20231231T000000Z")).authorization,
              get(results[i], "authorization"))
        << "body " << i;
  }
}

}  // namespace test_sigv4
