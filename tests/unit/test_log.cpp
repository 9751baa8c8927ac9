// The log sink: a line per retry (warning), per call that failed for good (error) and per call (debug), at the
// level asked for; keys as digests, never a credential, a signature or an item value.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <dynantic/dynantic.hpp>

#include "scripted_transport.hpp"

namespace test_log {
namespace dy = dynantic;
using namespace dynantic::testing;

struct capture : dy::log_sink {
  std::vector<std::pair<dy::log_level, std::string>> lines;
  void log(dy::log_level level, std::string_view line) noexcept override { lines.emplace_back(level, line); }
  std::string all() const {
    std::string out;
    for (const auto& [l, s] : lines) out += s + "\n";
    return out;
  }
};

struct Secretive {
  std::string id;
  std::string ssn;
};
DYNANTIC_MODEL(Secretive, "people", key(id), field(ssn))

dy::client_options logging(std::shared_ptr<capture> sink, dy::log_level level) {
  dy::client_options o;
  o.credentials = dy::credentials{"AKIDLOGTEST", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET", "SESSIONTOKENSECRET"};
  o.log = std::move(sink);
  o.log_level = level;
  o.retry.random = [] { return 0.5; };
  return o;
}

TEST(log, a_retry_is_a_warning_and_a_call_a_debug_line_with_the_key_digested) {
  auto sink = std::make_shared<capture>();
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t i) {
        return i == 0 ? aws_error(400, "ThrottlingException")
                      : ok(R"({"Item":{"id":{"S":"person-123-45-6789"},"ssn":{"S":"x"}}})");
      },
      t, logging(sink, dy::log_level::debug));
  dy::table<Secretive> people(c);
  people.get("person-123-45-6789");
  ASSERT_EQ(sink->lines.size(), 2u) << sink->all();
  EXPECT_EQ(sink->lines[0].first, dy::log_level::warning);
  EXPECT_NE(sink->lines[0].second.find("GetItem people key#"), std::string::npos) << sink->lines[0].second;
  EXPECT_NE(sink->lines[0].second.find("attempt 1 of 4 failed (ThrottlingException (HTTP 400)); retrying in"),
            std::string::npos)
      << sink->lines[0].second;
  EXPECT_EQ(sink->lines[1].first, dy::log_level::debug);
  EXPECT_NE(sink->lines[1].second.find("HTTP 200"), std::string::npos) << sink->lines[1].second;
  EXPECT_NE(sink->lines[1].second.find("2 attempts"), std::string::npos) << sink->lines[1].second;
  // the same key, the same digest: 12 hex digits
  auto digest = [](const std::string& line) { return line.substr(line.find("key#") + 4, 12); };
  EXPECT_EQ(digest(sink->lines[0].second), digest(sink->lines[1].second));
  EXPECT_EQ(digest(sink->lines[0].second).find_first_not_of("0123456789abcdef"), std::string::npos);
  // nothing that identifies the item or the caller's secrets
  for (const char* secret : {"123-45-6789", "person", "wJalrXUtnFEMI", "SECRET", "SESSIONTOKEN", "Signature"}) {
    EXPECT_EQ(sink->all().find(secret), std::string::npos) << secret << " in\n" << sink->all();
  }
}

TEST(log, a_call_that_fails_for_good_is_an_error_line_and_the_level_filters) {
  auto sink = std::make_shared<capture>();
  scripted_transport* t = nullptr;
  auto c = scripted_client([](const recorded_request&, std::size_t) { return aws_error(500, "InternalServerError"); },
                           t, logging(sink, dy::log_level::error));
  dy::table<Secretive> people(c);
  EXPECT_THROW(people.get("p-1"), dy::service_error);
  ASSERT_EQ(sink->lines.size(), 1u) << sink->all();  // the three retries' warnings are below the level
  EXPECT_EQ(sink->lines[0].first, dy::log_level::error);
  EXPECT_NE(sink->lines[0].second.find("GetItem people key#"), std::string::npos) << sink->lines[0].second;
  EXPECT_NE(sink->lines[0].second.find("failed after 4 attempts (InternalServerError (HTTP 500))"), std::string::npos)
      << sink->lines[0].second;

  auto quiet = std::make_shared<capture>();
  auto c2 = scripted_client([](const recorded_request&, std::size_t) { return ok("{}"); }, t,
                            logging(quiet, dy::log_level::warning));
  dy::table<Secretive>(c2).get("p-1");
  EXPECT_TRUE(quiet->lines.empty()) << quiet->all();  // a successful call is a debug line only
}

TEST(log, a_batch_names_its_requests_per_table) {
  auto sink = std::make_shared<capture>();
  scripted_transport* t = nullptr;
  auto c = scripted_client([](const recorded_request&, std::size_t) { return ok(R"({"UnprocessedItems":{}})"); }, t,
                           logging(sink, dy::log_level::debug));
  std::vector<Secretive> many;
  for (int i = 0; i < 30; ++i) many.push_back({"p-" + std::to_string(i), "000-00-0000"});
  dy::table<Secretive>(c).batch_save(many);
  ASSERT_EQ(sink->lines.size(), 2u) << sink->all();
  EXPECT_NE(sink->all().find("BatchWriteItem people[25]"), std::string::npos) << sink->all();
  EXPECT_NE(sink->all().find("BatchWriteItem people[5]"), std::string::npos) << sink->all();
  EXPECT_EQ(sink->all().find("000-00-0000"), std::string::npos) << sink->all();
}

}  // namespace test_log

#include <cstdio>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace test_log_stderr {
namespace dy = dynantic;

// stderr_log() writes "dynantic <LEVEL> <line>" to stderr (captured here through a temporary file).
TEST(log, the_stderr_sink_writes_one_line_per_call) {
  std::string path = testing::TempDir() + "dy-stderr-" + std::to_string(::getpid());
  std::fflush(stderr);
  int saved = ::dup(2);
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_TRUE(f);
  ::dup2(::fileno(f), 2);
  auto sink = dy::stderr_log();
  sink->log(dy::log_level::warning, "throttled, retrying");
  sink->log(dy::log_level::debug, "PutItem t: HTTP 200");
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::fclose(f);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::remove(path.c_str());
  EXPECT_NE(text.str().find("throttled, retrying\n"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("PutItem t: HTTP 200\n"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("dynantic "), std::string::npos) << text.str();
}

}  // namespace test_log_stderr
