// The default credential chain, source by source, against files, a credential_process script and loopback
// servers that answer as STS, the container endpoint and EC2 instance metadata do. Every test sets the
// variables the chain reads (and restores them), so the machine's own ~/.aws and environment do not count.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <dynantic/client.hpp>
#include <dynantic/error.hpp>
#include <dynantic/bulk/stream.hpp>
#include <dynantic/table.hpp>
#include <dynantic/value/codec.hpp>

#include <unistd.h>

#include "http_stub.hpp"
#include "wire/credentials.hpp"

namespace test_credentials {
struct Probe {
  std::string id;
};
DYNANTIC_MODEL(Probe, "probes", key(id))
}  // namespace test_credentials

namespace {
namespace dy = dynantic;
using dynantic::testing::http_stub;
using dynantic::testing::stub_request;
using dynantic::testing::stub_response;
using namespace std::chrono_literals;

const char* const chain_variables[] = {"AWS_ACCESS_KEY_ID",
                                       "AWS_SECRET_ACCESS_KEY",
                                       "AWS_SESSION_TOKEN",
                                       "AWS_PROFILE",
                                       "AWS_DEFAULT_PROFILE",
                                       "AWS_SHARED_CREDENTIALS_FILE",
                                       "AWS_CONFIG_FILE",
                                       "AWS_WEB_IDENTITY_TOKEN_FILE",
                                       "AWS_ROLE_ARN",
                                       "AWS_ROLE_SESSION_NAME",
                                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                       "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                       "AWS_EC2_METADATA_DISABLED",
                                       "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                       "AWS_EC2_METADATA_V1_DISABLED",
                                       "AWS_ENDPOINT_URL_STS",
                                       "AWS_ENDPOINT_URL",
                                       "AWS_REGION",
                                       "AWS_DEFAULT_REGION",
                                       "AWS_ENDPOINT_URL_DYNAMODB",
                                       "AWS_MAX_ATTEMPTS",
                                       "AWS_RETRY_MODE"};

// A clean environment for the chain: every variable it reads saved and unset, the shared files pointed at a
// scratch directory, instance metadata off (a test that wants it turns it on). Restored at the end.
class chain_env {
 public:
  chain_env() {
    for (const char* v : chain_variables) {
      const char* old = std::getenv(v);
      if (old) saved_[v] = old;
      ::unsetenv(v);
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("dy-cred-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    set("AWS_SHARED_CREDENTIALS_FILE", path("credentials"));
    set("AWS_CONFIG_FILE", path("config"));
    set("AWS_EC2_METADATA_DISABLED", "true");
  }
  ~chain_env() {
    for (const char* v : chain_variables) ::unsetenv(v);
    for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }
  void unset(const char* name) { ::unsetenv(name); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name)) << text;
    return path(name);
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::map<std::string, std::string> saved_;
  std::filesystem::path dir_;
};

std::string iso(std::chrono::system_clock::time_point t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string json_credentials(const std::string& id, std::chrono::system_clock::time_point expires,
                             const char* token_key = "Token") {
  return R"({"AccessKeyId":")" + id + R"(","SecretAccessKey":"secret-)" + id + R"(",")" + token_key + R"(":"token-)" +
         id + R"(","Expiration":")" + iso(expires) + R"("})";
}

std::string sts_answer(const std::string& action, const std::string& id) {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
         "Result><Credentials><AccessKeyId>" + id + "</AccessKeyId><SecretAccessKey>secret-" + id +
         "</SecretAccessKey><SessionToken>token&amp;" + id + "</SessionToken><Expiration>" +
         iso(std::chrono::system_clock::now() + 1h) + "</Expiration></Credentials></" + action + "Result></" + action +
         "Response>";
}

dy::credentials resolve() { return dy::default_credentials()->get(); }

// Resolving the chain fails with a credentials_error whose message contains `part`.
void expect_resolve_error(const std::string& part) {
  try {
    resolve();
    FAIL() << "expected credentials_error";
  } catch (const dy::credentials_error& err) {
    EXPECT_NE(std::string(err.what()).find(part), std::string::npos) << err.what();
  }
}

// ---------------------------------------------------------------- pieces

TEST(credentials, utc_timestamps_as_aws_writes_them) {
  using dy::detail::parse_utc_timestamp;
  auto t = parse_utc_timestamp("2026-12-05T10:20:30Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count(), 1796466030);
  EXPECT_EQ(parse_utc_timestamp("2026-12-05T10:20:30.123Z"), t);
  EXPECT_EQ(parse_utc_timestamp("2026-12-05T10:20:30+00:00"), t);
  EXPECT_FALSE(parse_utc_timestamp("2026-12-05T10:20:30+02:00"));  // not UTC: refused, not misread
  EXPECT_FALSE(parse_utc_timestamp("yesterday"));
  EXPECT_FALSE(parse_utc_timestamp("2026-13-05T10:20:30Z"));
  EXPECT_FALSE(parse_utc_timestamp("2026-02-31T10:20:30Z"));  // no such day: refused, not moved to March
  // found by fuzz/time.cpp and fuzz/credentials.cpp: years the clock cannot hold overflowed
  EXPECT_FALSE(parse_utc_timestamp("0224-05-01T12:34:56Z"));
  EXPECT_FALSE(parse_utc_timestamp("9999-05-01T12:34:56Z"));
  EXPECT_THROW(
      dy::detail::parse_process_output(
          R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","Expiration":"1013-12-05T10:00:00Z"})", "process"),
      dy::credentials_error);
}

TEST(credentials, ini_sections_comments_and_sub_settings) {
  auto f = dy::detail::parse_ini(
      "# comment\n[default]\nregion = eu-west-1 ; trailing\ns3 =\n  max_concurrent_requests = 10\n"
      "output=json\n\n[profile dev]\n; comment\naws_access_key_id=AKID\n");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f["default"]["region"], "eu-west-1");
  EXPECT_EQ(f["default"]["output"], "json");
  EXPECT_EQ(f["default"].count("max_concurrent_requests"), 0u);  // belongs to s3
  EXPECT_EQ(f["profile dev"]["aws_access_key_id"], "AKID");
}

// Found by fuzz/credentials.cpp: a line "= value" gave the profile a key with no name.
TEST(credentials, ini_lines_without_a_key_or_a_section_name_set_nothing) {
  auto f = dy::detail::parse_ini("[default]\n= AKID\nregion = eu-west-1\n[]\naws_access_key_id = X\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f["default"], (dy::detail::ini_section{{"region", "eu-west-1"}}));
}

// ---------------------------------------------------------------- sources, in the chain's order

TEST(credentials, environment_comes_first) {
  chain_env e;
  e.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  e.set("AWS_SECRET_ACCESS_KEY", "secret");
  e.set("AWS_SESSION_TOKEN", "tok");
  e.write("credentials", "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=s\n");
  auto c = resolve();
  EXPECT_EQ(c.access_key_id, "AKIDENV");
  EXPECT_EQ(c.session_token, "tok");
  EXPECT_FALSE(c.expiration);
}

TEST(credentials, half_set_environment_is_an_error) {
  chain_env e;
  e.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  expect_resolve_error("AWS_SECRET_ACCESS_KEY is not set");
}

TEST(credentials, profile_from_credentials_file_and_config_file) {
  chain_env e;
  e.write("credentials",
          "[default]\naws_access_key_id=AKIDDEFAULT\naws_secret_access_key=s1\n[dev]\n"
          "aws_access_key_id = AKIDDEV\naws_secret_access_key = s2\naws_session_token = t2\n");
  e.write("config",
          "[default]\nregion = eu-central-1\n[profile ops]\naws_access_key_id=AKIDOPS\n"
          "aws_secret_access_key=s3\nregion=ap-south-1\n[profile dev]\naws_access_key_id=AKIDSHADOWED\n");
  EXPECT_EQ(resolve().access_key_id, "AKIDDEFAULT");
  e.set("AWS_PROFILE", "dev");
  auto dev = resolve();
  EXPECT_EQ(dev.access_key_id, "AKIDDEV");  // the credentials file wins over the config file
  EXPECT_EQ(dev.session_token, "t2");
  e.set("AWS_PROFILE", "ops");
  EXPECT_EQ(resolve().access_key_id, "AKIDOPS");
  EXPECT_EQ(dy::profile_credentials("dev")->get().access_key_id, "AKIDDEV");
}

TEST(credentials, region_from_the_profile) {
  chain_env e;
  e.write("config", "[default]\nregion = eu-central-1\n[profile ops]\nregion=ap-south-1\n");
  dy::client_options o;
  o.credentials = dy::credentials{"a", "b"};
  EXPECT_EQ(dy::client(o).region(), "eu-central-1");
  EXPECT_EQ(dy::client(o).endpoint(), "https://dynamodb.eu-central-1.amazonaws.com");
  e.set("AWS_PROFILE", "ops");
  EXPECT_EQ(dy::client(o).region(), "ap-south-1");
  e.set("AWS_REGION", "us-west-2");  // the environment wins
  EXPECT_EQ(dy::client(o).region(), "us-west-2");
}

TEST(credentials, named_profile_that_does_not_exist_is_an_error) {
  chain_env e;
  e.set("AWS_PROFILE", "nope");
  expect_resolve_error("profile 'nope'");
}

TEST(credentials, credential_process_with_expiration) {
  chain_env e;
  auto expires = std::chrono::system_clock::now() + 2h;
  std::string out = R"({"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"sp","SessionToken":"tp",)"
                    R"("Expiration":")" +
                    iso(expires) + R"("})";
  std::string script = e.write("proc.sh", "#!/bin/sh\necho '" + out + "'\n");
  e.write("config", "[default]\ncredential_process = sh " + script + "\n");
  auto c = resolve();
  EXPECT_EQ(c.access_key_id, "AKIDPROC");
  EXPECT_EQ(c.session_token, "tp");
  ASSERT_TRUE(c.expiration);
  EXPECT_EQ(iso(*c.expiration), iso(expires));
}

TEST(credentials, credential_process_failures_are_errors) {
  chain_env e;
  std::string fails = e.write("fails.sh", "#!/bin/sh\necho oops >&2\nexit 3\n");
  EXPECT_THROW(dy::detail::run_credential_process("sh " + fails), dy::credentials_error);
  std::string v2 =
      e.write("v2.sh", "#!/bin/sh\necho '{\"Version\":2,\"AccessKeyId\":\"a\",\"SecretAccessKey\":\"b\"}'\n");
  EXPECT_THROW(dy::detail::run_credential_process("sh " + v2), dy::credentials_error);
  std::string nokey = e.write("nokey.sh", "#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"a\"}'\n");
  EXPECT_THROW(dy::detail::run_credential_process("sh " + nokey), dy::credentials_error);
}

TEST(credentials, role_arn_with_source_profile_through_sts_assume_role) {
  chain_env e;
  http_stub sts([](const stub_request& r) {
    if (r.body.find("Action=AssumeRole&") == std::string::npos) return stub_response{400, "<ErrorResponse/>"};
    return stub_response{200, sts_answer("AssumeRole", "ASIAROLE")};
  });
  e.set("AWS_ENDPOINT_URL_STS", sts.url());
  e.set("AWS_REGION", "eu-west-1");
  e.write("credentials", "[base]\naws_access_key_id=AKIDBASE\naws_secret_access_key=sbase\n");
  e.write("config",
          "[profile app]\nrole_arn=arn:aws:iam::123456789012:role/app\nsource_profile=base\n"
          "role_session_name=my-session\nexternal_id=ext-1\n");
  e.set("AWS_PROFILE", "app");
  auto c = resolve();
  EXPECT_EQ(c.access_key_id, "ASIAROLE");
  EXPECT_EQ(c.session_token, "token&ASIAROLE");  // XML entities decoded
  ASSERT_TRUE(c.expiration);
  auto reqs = sts.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_NE(reqs[0].body.find("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapp"), std::string::npos);
  EXPECT_NE(reqs[0].body.find("RoleSessionName=my-session"), std::string::npos);
  EXPECT_NE(reqs[0].body.find("ExternalId=ext-1"), std::string::npos);
  // signed with the source profile's keys, for STS in the region
  EXPECT_NE(reqs[0].header("authorization").find("Credential=AKIDBASE/"), std::string::npos);
  EXPECT_NE(reqs[0].header("authorization").find("/eu-west-1/sts/aws4_request"), std::string::npos);
}

TEST(credentials, sts_errors_name_the_code) {
  chain_env e;
  http_stub sts([](const stub_request&) {
    return stub_response{403,
                         "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not allowed</Message></Error>"
                         "</ErrorResponse>"};
  });
  e.set("AWS_ENDPOINT_URL_STS", sts.url());
  e.write("config",
          "[default]\nrole_arn=arn:aws:iam::1:role/x\nsource_profile=default\naws_access_key_id=a\n"
          "aws_secret_access_key=b\n");
  expect_resolve_error("AccessDenied: not allowed");
}

TEST(credentials, source_profile_cycles_are_errors) {
  chain_env e;
  e.write("config",
          "[profile a]\nrole_arn=arn:aws:iam::1:role/a\nsource_profile=b\n"
          "[profile b]\nrole_arn=arn:aws:iam::1:role/b\nsource_profile=a\n");
  e.set("AWS_PROFILE", "a");
  EXPECT_THROW(resolve(), dy::credentials_error);
}

TEST(credentials, web_identity_from_the_environment) {
  chain_env e;
  http_stub sts([](const stub_request&) {
    return stub_response{200, sts_answer("AssumeRoleWithWebIdentity", "ASIAWEB")};
  });
  e.set("AWS_ENDPOINT_URL_STS", sts.url());
  e.set("AWS_WEB_IDENTITY_TOKEN_FILE", e.write("token", "eyJ.web.token\n"));
  e.set("AWS_ROLE_ARN", "arn:aws:iam::1:role/pod");
  e.set("AWS_ROLE_SESSION_NAME", "pod-session");
  e.write("credentials", "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=s\n");  // comes later
  auto c = resolve();
  EXPECT_EQ(c.access_key_id, "ASIAWEB");
  auto reqs = sts.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_NE(reqs[0].body.find("Action=AssumeRoleWithWebIdentity"), std::string::npos);
  EXPECT_NE(reqs[0].body.find("WebIdentityToken=eyJ.web.token"), std::string::npos);  // the file, trimmed
  EXPECT_NE(reqs[0].body.find("RoleSessionName=pod-session"), std::string::npos);
  EXPECT_EQ(reqs[0].header("authorization"), "");  // unsigned
}

TEST(credentials, container_endpoint_with_a_token_file_read_at_each_fetch) {
  chain_env e;
  std::atomic<int> served{0};
  http_stub container([&](const stub_request& r) {
    int n = ++served;
    // the first credentials are inside the mandatory refresh window, so the next call fetches again
    auto expires = std::chrono::system_clock::now() + (n == 1 ? 5min : 1h);
    return stub_response{200,
                         json_credentials("ASIACONT" + std::to_string(n) + "-" + r.header("authorization"), expires)};
  });
  e.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url() + "/v1/credentials");
  std::string token_file = e.write("token", "first-token\n");
  e.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file);
  auto p = dy::default_credentials();
  EXPECT_EQ(p->get().access_key_id, "ASIACONT1-first-token");
  e.write("token", "second-token");  // rotated
  EXPECT_EQ(p->get().access_key_id, "ASIACONT2-second-token");
  EXPECT_EQ(p->get().access_key_id, "ASIACONT2-second-token");  // valid for an hour: no fetch
  EXPECT_EQ(served.load(), 2);
  auto reqs = container.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].path, "/v1/credentials");
}

TEST(credentials, container_full_uri_must_be_an_allowed_host) {
  chain_env e;
  e.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds");
  expect_resolve_error("only loopback");
}

TEST(credentials, instance_metadata_v2) {
  chain_env e;
  http_stub imds([](const stub_request& r) {
    if (r.method == "PUT" && r.path == "/latest/api/token") {
      if (r.header("x-aws-ec2-metadata-token-ttl-seconds") != "21600") return stub_response{400, ""};
      return stub_response{200, "imds-token"};
    }
    if (r.header("x-aws-ec2-metadata-token") != "imds-token") return stub_response{401, ""};
    if (r.path == "/latest/meta-data/iam/security-credentials/") return stub_response{200, "app-role\n"};
    if (r.path == "/latest/meta-data/iam/security-credentials/app-role") {
      return stub_response{200, R"({"Code":"Success","LastUpdated":"x","Type":"AWS-HMAC",)" +
                                    json_credentials("ASIAIMDS", std::chrono::system_clock::now() + 6h).substr(1)};
    }
    return stub_response{404, ""};
  });
  e.unset("AWS_EC2_METADATA_DISABLED");
  e.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url());
  auto c = resolve();
  EXPECT_EQ(c.access_key_id, "ASIAIMDS");
  EXPECT_EQ(c.session_token, "token-ASIAIMDS");
  EXPECT_EQ(imds.requests().size(), 3u);
}

TEST(credentials, instance_metadata_without_a_role_is_skipped_and_named) {
  chain_env e;
  http_stub imds([](const stub_request& r) {
    if (r.method == "PUT") return stub_response{200, "t"};
    return stub_response{404, ""};
  });
  e.unset("AWS_EC2_METADATA_DISABLED");
  e.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url());
  try {
    resolve();
    FAIL() << "expected credentials_error";
  } catch (const dy::credentials_error& err) {
    EXPECT_NE(std::string(err.what()).find("instance metadata: the instance has no IAM role"), std::string::npos)
        << err.what();
  }
}

TEST(credentials, nothing_found_names_every_source) {
  chain_env e;
  try {
    resolve();
    FAIL() << "expected credentials_error";
  } catch (const dy::credentials_error& err) {
    std::string m = err.what();
    for (const char* source : {"environment:", "web identity:", "profile 'default':", "container:",
                               "instance metadata: AWS_EC2_METADATA_DISABLED is true"}) {
      EXPECT_NE(m.find(source), std::string::npos) << source << " missing in: " << m;
    }
  }
}

TEST(credentials, no_source_is_asked_before_the_first_signature) {
  chain_env e;
  std::atomic<int> asked{0};
  http_stub imds([&](const stub_request&) {
    ++asked;
    return stub_response{404, ""};
  });
  e.unset("AWS_EC2_METADATA_DISABLED");
  e.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url());
  dy::client_options o;
  o.region = "eu-west-1";
  dy::client c(o);  // constructing a client reads no file and asks no endpoint
  auto p = dy::default_credentials();
  EXPECT_EQ(asked.load(), 0);
  EXPECT_THROW(p->get(), dy::credentials_error);
  EXPECT_GE(asked.load(), 1);
}

// ---------------------------------------------------------------- refresh windows

struct fake_clock {
  std::atomic<std::int64_t> seconds{1'800'000'000};
  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds.load()));
  }
};

TEST(credentials, advisory_window_refreshes_in_one_caller_and_keeps_credentials_on_failure) {
  fake_clock clock;
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
  dy::detail::refreshing_provider p(
      [&] {
        ++calls;
        if (fail) throw dy::credentials_error("endpoint down");
        return dy::credentials{"AKID" + std::to_string(calls.load()), "s", "t", clock.now() + 1h};
      },
      15min, 10min, [&] { return clock.now(); });
  EXPECT_EQ(p.get().access_key_id, "AKID1");
  clock.seconds += 30 * 60;  // 30 min left: nothing to do
  EXPECT_EQ(p.get().access_key_id, "AKID1");
  EXPECT_EQ(calls.load(), 1);
  clock.seconds += 17 * 60;  // 13 min left: advisory
  fail = true;
  EXPECT_EQ(p.get().access_key_id, "AKID1");  // the refresh failed: the current ones are still good
  fail = false;
  EXPECT_EQ(p.get().access_key_id, "AKID3");
  clock.seconds += 55 * 60;  // 5 min left of AKID3 (issued 47 min in, valid 1 h): mandatory
  fail = true;
  EXPECT_THROW(p.get(), dy::credentials_error);  // in the mandatory window a failure is the caller's
}

TEST(credentials, sixteen_threads_across_a_refresh_never_get_expired_credentials) {
  fake_clock clock;
  std::atomic<int> in_flight{0}, most{0}, calls{0};
  dy::detail::refreshing_provider p(
      [&] {
        int n = ++in_flight;
        most = std::max(most.load(), n);
        std::this_thread::sleep_for(20ms);  // a slow endpoint
        --in_flight;
        ++calls;
        return dy::credentials{"AKID", "s", "t", clock.now() + 1h};
      },
      15min, 10min, [&] { return clock.now(); });
  p.get();
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (t == 0 && i % 50 == 0) clock.seconds += 13 * 60;  // into the advisory, then the mandatory window
        auto asked = clock.now();
        auto c = p.get();
        if (!c.expiration || *c.expiration <= asked) ++bad;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(most.load(), 1);  // never two refreshes at once
  EXPECT_GE(calls.load(), 2);
}

// What DynamoDB would say of the requests a client sent: each one checked by botocore (the suite's signer check,
// tests/tools/sigv4_verifier.py --check) with the secret of the access key it names.
struct signer_verdict {
  int verified = -1;
  std::string failures;
};

std::string json_string(const std::string& s) {
  std::string out;
  dy::detail::append_json_string(out, s);
  return out;
}

signer_verdict verify_with_botocore(const std::vector<stub_request>& requests,
                                    const std::map<std::string, std::string>& secrets, const std::string& region) {
  std::string in = "{\"region\":" + json_string(region) + ",\"secrets\":{";
  bool first = true;
  for (const auto& [k, v] : secrets) {
    in += (first ? "" : ",") + json_string(k) + ":" + json_string(v);
    first = false;
  }
  in += "},\"requests\":[";
  first = true;
  for (const auto& r : requests) {
    in += std::string(first ? "" : ",") + "{\"method\":" + json_string(r.method) + ",\"path\":" + json_string(r.path) +
          ",\"body\":" + json_string(r.body) + ",\"headers\":{";
    bool first_header = true;
    for (const auto& [k, v] : r.headers) {
      in += (first_header ? "" : ",") + json_string(k) + ":" + json_string(v);
      first_header = false;
    }
    in += "}}";
    first = false;
  }
  in += "]}";
  auto file = std::filesystem::temp_directory_path() / ("dynantic_signed_" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << in;
  std::string cmd = "/usr/bin/python3 " DYNANTIC_SIGV4_VERIFIER " --check < " + file.string();
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  if (p) ::pclose(p);
  std::filesystem::remove(file);
  signer_verdict v;
  auto at = out.find("\"verified\": ");
  if (at != std::string::npos) v.verified = std::atoi(out.c_str() + at + 12);
  auto f = out.find("\"failures\": ");
  v.failures = f == std::string::npos ? out : out.substr(f);
  return v;
}

std::chrono::system_clock::time_point parse_amz_date(const std::string& d) {
  std::tm tm{};
  ::strptime(d.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

// Temporary credentials that live 6 s, refreshed (a new key each time, from a slow endpoint) 4 s before they
// expire by one caller while the others keep signing, and 3 s before by every caller: 16 threads share one
// client through at least two refreshes. Every request DynamoDB saw must carry a signature botocore accepts,
// made with credentials that had not expired when it was signed.
TEST(credentials, sixteen_threads_share_one_client_across_refreshes_and_every_signature_verifies) {
  std::mutex mu;
  std::map<std::string, std::string> secrets;
  std::map<std::string, std::chrono::system_clock::time_point> expires;
  int issued = 0;
  auto provider = std::make_shared<dy::detail::refreshing_provider>(
      [&] {
        std::this_thread::sleep_for(30ms);  // a slow STS / container endpoint
        std::lock_guard lock(mu);
        std::string n = std::to_string(++issued);
        dy::credentials c{"AKIDREFRESH" + n, "secret/" + n, "token-" + n, std::chrono::system_clock::now() + 6s};
        secrets[c.access_key_id] = c.secret_access_key;
        expires[c.access_key_id] = *c.expiration;
        return c;
      },
      4s, 3s);
  http_stub dynamodb([](const stub_request&) { return stub_response{200, "{}"}; });
  dy::client_options o;
  o.endpoint = dynamodb.url();
  o.region = "eu-central-1";
  o.credentials_source = provider;
  dy::client c(o);
  dy::table<test_credentials::Probe> probes(c);
  std::atomic<int> misses{0}, errors{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !done || i < 20; ++i) {
        try {
          if (!probes.get("p" + std::to_string(t) + "-" + std::to_string(i))) ++misses;
        } catch (const std::exception&) {
          ++errors;
        }
      }
    });
  }
  auto give_up = std::chrono::steady_clock::now() + 120s;
  while (provider->fetches() < 3 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(50ms);
  done = true;
  for (auto& t : threads) t.join();
  ASSERT_GE(provider->fetches(), 3) << "no two refreshes within two minutes";
  EXPECT_EQ(errors.load(), 0);

  auto requests = dynamodb.requests();
  ASSERT_EQ(static_cast<int>(requests.size()), misses.load());
  std::set<std::string> keys_used;
  int signed_after_expiry = 0;
  for (const auto& r : requests) {
    auto auth = r.header("authorization");
    auto from = auth.find("Credential=") + 11;
    std::string key = auth.substr(from, auth.find('/', from) - from);
    keys_used.insert(key);
    std::lock_guard lock(mu);
    if (!expires.count(key) || parse_amz_date(r.header("x-amz-date")) >= expires[key]) ++signed_after_expiry;
  }
  EXPECT_GE(keys_used.size(), 3u);
  EXPECT_EQ(signed_after_expiry, 0);
  auto verdict = verify_with_botocore(requests, secrets, "eu-central-1");
  EXPECT_EQ(verdict.verified, static_cast<int>(requests.size())) << verdict.failures;
}

}  // namespace

namespace test_credentials_environment {
namespace dy = dynantic;
using namespace dynantic::testing;

// Where a client with default options sends its requests and what region it signs for, from the environment
// as the AWS SDKs read it: AWS_ENDPOINT_URL_DYNAMODB, then AWS_ENDPOINT_URL; AWS_REGION, then
// AWS_DEFAULT_REGION; options given in code win over both.
TEST(environment, endpoint_and_region_with_the_sdks_precedence) {
  chain_env e;
  e.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  e.set("AWS_SECRET_ACCESS_KEY", "secret");
  auto answer = [](const stub_request&) { return stub_response{200, R"({"TableNames":[]})"}; };
  http_stub specific(answer), general(answer), in_code(answer);
  auto scope_of = [](const stub_request& r) {
    std::string auth = r.header("authorization");
    auto from = auth.find("Credential=");
    return from == std::string::npos ? auth : auth.substr(from + 11, auth.find(',', from) - from - 11);
  };
  e.set("AWS_ENDPOINT_URL", general.url());
  e.set("AWS_ENDPOINT_URL_DYNAMODB", specific.url());
  e.set("AWS_REGION", "eu-central-1");
  e.set("AWS_DEFAULT_REGION", "ap-south-1");
  (void)dy::ops::list_tables(dy::client(dy::client_options{}), {});
  ASSERT_EQ(specific.requests().size(), 1u);
  EXPECT_EQ(general.requests().size(), 0u);
  EXPECT_NE(scope_of(specific.requests()[0]).find("AKIDENV/"), std::string::npos);
  EXPECT_NE(scope_of(specific.requests()[0]).find("/eu-central-1/dynamodb/aws4_request"), std::string::npos)
      << scope_of(specific.requests()[0]);

  e.unset("AWS_ENDPOINT_URL_DYNAMODB");
  e.unset("AWS_REGION");
  (void)dy::ops::list_tables(dy::client(dy::client_options{}), {});
  ASSERT_EQ(general.requests().size(), 1u);
  EXPECT_NE(scope_of(general.requests()[0]).find("/ap-south-1/dynamodb/"), std::string::npos)
      << scope_of(general.requests()[0]);

  dy::client_options o;
  o.endpoint = in_code.url();
  o.region = "us-west-1";
  (void)dy::ops::list_tables(dy::client(o), {});
  ASSERT_EQ(in_code.requests().size(), 1u);
  EXPECT_EQ(general.requests().size(), 1u);
  EXPECT_NE(scope_of(in_code.requests()[0]).find("/us-west-1/dynamodb/"), std::string::npos);

  // no region anywhere and no endpoint: a typed error that says where a region comes from
  e.unset("AWS_ENDPOINT_URL");
  e.unset("AWS_DEFAULT_REGION");
  try {
    dy::client c{dy::client_options{}};
    (void)dy::ops::list_tables(c, {});
    FAIL() << "expected dynantic::error";
  } catch (const dy::error& err) {
    EXPECT_NE(std::string(err.what()).find("no AWS region: set client_options::region, AWS_REGION"), std::string::npos)
        << err.what();
  }
}

// The retry policy from the environment as botocore reads it: AWS_MAX_ATTEMPTS, else max_attempts of the
// profile, else 4; AWS_RETRY_MODE, else the profile's retry_mode ("adaptive" turns the rate limiter on); what the
// code sets wins; a value that is not one is an error naming where it was read.
TEST(environment, max_attempts_and_retry_mode_with_the_sdks_precedence) {
  chain_env e;
  e.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  e.set("AWS_SECRET_ACCESS_KEY", "secret");
  e.set("AWS_REGION", "us-east-1");
  http_stub failing([](const stub_request&) {
    return stub_response{500, R"({"__type":"InternalServerError","message":"x"})"};
  });
  // Making a client is refused with a message containing `says`.
  auto refused = [](const std::string& endpoint, const std::string& says) {
    try {
      dy::client c{dy::client_options{.endpoint = endpoint}};
      ADD_FAILURE() << "a client was made; expected: " << says;
    } catch (const dy::error& err) {
      EXPECT_NE(std::string(err.what()).find(says), std::string::npos) << err.what();
    }
  };
  auto attempts = [&](dy::client_options o) {
    o.endpoint = failing.url();
    std::size_t before = failing.requests().size();
    EXPECT_THROW((void)dy::ops::list_tables(dy::client(o), {}), dy::service_error);
    return failing.requests().size() - before;
  };
  EXPECT_EQ(attempts({}), 4u);  // nothing set: 4
  e.write("config", "[default]\nmax_attempts = 3\n");
  EXPECT_EQ(attempts({}), 3u);  // the profile's
  e.set("AWS_MAX_ATTEMPTS", "2");
  EXPECT_EQ(attempts({}), 2u);  // the variable over the profile
  dy::client_options in_code;
  in_code.retry.max_attempts = 5;
  EXPECT_EQ(attempts(in_code), 5u);  // the code over both
  for (const char* bad : {"0", "two", "3x"}) {
    e.set("AWS_MAX_ATTEMPTS", bad);
    refused(failing.url(), "AWS_MAX_ATTEMPTS is '" + std::string(bad) + "'");
  }
  e.unset("AWS_MAX_ATTEMPTS");

  // The mode: a throttling answer turns the adaptive limiter on (a measured rate) only in the adaptive mode.
  http_stub throttling([](const stub_request&) {
    return stub_response{400, R"({"__type":"ProvisionedThroughputExceededException","message":"slow down"})"};
  });
  auto adaptive = [&](dy::client_options o) {
    o.endpoint = throttling.url();
    o.retry.max_attempts = 1;
    dy::client c{o};
    EXPECT_THROW((void)dy::ops::list_tables(c, {}), dy::throttled);
    return c.adaptive_send_rate().has_value();
  };
  EXPECT_FALSE(adaptive({}));
  e.write("config", "[default]\nretry_mode = adaptive\n");
  EXPECT_TRUE(adaptive({}));  // the profile's
  e.set("AWS_RETRY_MODE", "standard");
  EXPECT_FALSE(adaptive({}));  // the variable over the profile
  e.set("AWS_RETRY_MODE", "legacy");
  EXPECT_FALSE(adaptive({}));  // served by the standard mode
  e.set("AWS_RETRY_MODE", "adaptive");
  EXPECT_TRUE(adaptive({}));
  dy::client_options kept_out;
  kept_out.retry.mode_from_environment = false;
  EXPECT_FALSE(adaptive(kept_out));
  e.set("AWS_RETRY_MODE", "fast");
  refused(throttling.url(), "AWS_RETRY_MODE is 'fast': it must be standard, adaptive or legacy");
  e.unset("AWS_RETRY_MODE");
  e.write("config", "[default]\nretry_mode = quick\n");
  refused(throttling.url(), "retry_mode of the profile 'default' (AWS_CONFIG_FILE) is 'quick'");
}

TEST(credentials, environment_credentials_reads_the_three_variables_and_names_what_is_missing) {
  chain_env e;
  e.set("AWS_ACCESS_KEY_ID", "AKID");
  e.set("AWS_SECRET_ACCESS_KEY", "SECRET");
  e.set("AWS_SESSION_TOKEN", "TOKEN");
  auto got = dy::environment_credentials()->get();
  EXPECT_EQ(got.access_key_id, "AKID");
  EXPECT_EQ(got.secret_access_key, "SECRET");
  EXPECT_EQ(got.session_token, "TOKEN");
  e.unset("AWS_SECRET_ACCESS_KEY");
  try {
    (void)dy::environment_credentials()->get();
    FAIL() << "expected credentials_error";
  } catch (const dy::credentials_error& err) {
    EXPECT_NE(std::string(err.what()).find("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), std::string::npos)
        << err.what();
  }
}

// A Streams client with options of its own: its endpoint and region, the Streams API's target.
TEST(credentials, streams_client_with_options_calls_the_streams_api) {
  chain_env e;
  http_stub stub([](const stub_request&) {
    return stub_response{200, R"({"StreamDescription":{"StreamArn":"arn","StreamStatus":"ENABLED","Shards":[]}})"};
  });
  dy::client_options o;
  o.endpoint = stub.url();
  o.region = "eu-west-3";
  o.credentials = dy::credentials{"AK", "SK", ""};
  auto c = dy::streams_client(o);
  auto d = dy::ops::describe_stream(c, {.stream_arn = "arn"});
  EXPECT_EQ(d.stream_status, "ENABLED");
  ASSERT_EQ(stub.requests().size(), 1u);
  EXPECT_EQ(stub.requests()[0].header("x-amz-target"), "DynamoDBStreams_20120810.DescribeStream");
  EXPECT_NE(stub.requests()[0].header("authorization").find("/eu-west-3/dynamodb/aws4_request"), std::string::npos);
}

}  // namespace test_credentials_environment
