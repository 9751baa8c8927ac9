// HTTPS against DynamoDB Local behind a TLS terminator (tests/tools/tls_front.py) whose certificate is signed by a
// certificate authority made by the test with the openssl command: the right CA works, a wrong one, the system's
// store and a host name the certificate does not name fail with tls_error before anything reaches DynamoDB; an
// HTTPS proxy from HTTPS_PROXY is used and NO_PROXY bypasses it.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

extern char** environ;

namespace {
using namespace dynantic;
using namespace dynantic::testing;
namespace fs = std::filesystem;

std::string host_port_of(const std::string& url) {
  auto from = url.find("://") + 3;
  return url.substr(from, url.find('/', from) - from);
}

// A child process (python3 tests/tools/tls_front.py ...) that is killed at scope end; port() waits for the
// port it writes.
class front_process {
 public:
  explicit front_process(std::vector<std::string> args, const fs::path& port_file) : port_file_(port_file) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  ~front_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  front_process(const front_process&) = delete;
  front_process& operator=(const front_process&) = delete;
  int port() const {
    for (int i = 0; i < 1200 && pid_ > 0; ++i) {  // python3 may start slowly on a loaded machine
      std::ifstream f(port_file_);
      int p = 0;
      if (f >> p && p > 0) return p;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
  }

 private:
  fs::path port_file_;
  pid_t pid_ = -1;
};

// Sets environment variables for a scope and restores them.
class scoped_env {
 public:
  void set(const char* name, const std::string& value) {
    save(name);
    ::setenv(name, value.c_str(), 1);
  }
  void unset(const char* name) {
    save(name);
    ::unsetenv(name);
  }
  ~scoped_env() {
    for (auto& [name, old] : saved_) {
      if (old) {
        ::setenv(name.c_str(), old->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

 private:
  void save(const char* name) {
    if (saved_.count(name)) return;
    const char* v = std::getenv(name);
    saved_[name] = v ? std::optional<std::string>(v) : std::nullopt;
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

// A CA, a second unrelated CA and a server certificate for "localhost" signed by the first, in a scratch
// directory; the terminator in front of the test endpoint.
class tls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / unique_name("tls");
    fs::create_directories(dir_);
    std::ofstream(dir_ / "server.ext") << "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
                                       << "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n";
    std::string d = dir_.string();
    std::string cmd = "cd '" + d + "' && " +
                      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=dynantic test CA' "
                      "-keyout ca.key -out ca.pem && "
                      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=some other CA' "
                      "-keyout other.key -out other.pem && "
                      "openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout server.key -out server.csr && "
                      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
                      "-extfile server.ext -out server.pem";
    ASSERT_EQ(std::system(("(" + cmd + ") >'" + d + "/openssl.log' 2>&1").c_str()), 0)
        << "openssl failed; see " << d << "/openssl.log";
    front_ = std::make_unique<front_process>(
        std::vector<std::string>{"python3", DYNANTIC_TLS_FRONT, "--upstream", host_port_of(test_endpoint()), "--cert",
                                 d + "/server.pem", "--key", d + "/server.key", "--port-file", d + "/tls.port",
                                 "--max-seconds", "600"},
        dir_ / "tls.port");
    port_ = front_->port();
    ASSERT_GT(port_, 0) << "the TLS terminator did not start";
    // The machine's proxy settings must not decide these tests.
    for (const char* v :
         {"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "AWS_CA_BUNDLE"}) {
      env_.unset(v);
    }
  }
  void TearDown() override {
    front_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  client_options https(const std::string& host = "localhost") const {
    auto o = test_options("https://" + host + ":" + std::to_string(port_));
    o.retry.max_attempts = 2;
    return o;
  }
  std::string ca() const { return (dir_ / "ca.pem").string(); }

  fs::path dir_;
  std::unique_ptr<front_process> front_;
  int port_ = 0;
  scoped_env env_;
};

void expect_tls_error(const client_options& o, const std::string& why) {
  try {
    ops::list_tables(client(o), {.limit = 1});
    FAIL() << "a TLS connection was accepted: " << why;
  } catch (const tls_error& e) {
    std::string m = e.what();
    EXPECT_EQ(e.failure(), transport_error::kind::tls);
    EXPECT_EQ(e.attempts(), 1) << "a certificate that is not trusted is not tried again";
    EXPECT_NE(m.find(o.endpoint), std::string::npos) << m;
    EXPECT_NE(m.find("SSL"), std::string::npos) << m;
    ::testing::Test::RecordProperty("message", m);
  }
}

TEST_F(tls, the_right_ca_works_for_every_call) {
  DYNANTIC_REQUIRE_SERVER();
  auto o = https();
  o.ca_bundle = ca();
  client c(o);
  scratch_table t(c, "tls");  // CreateTable, DescribeTable and (at the end) DeleteTable over TLS
  ops::put_item(c, {.table_name = t.name(), .item = {{"pk", "a"}, {"sk", "1"}, {"v", 7}}});
  auto got = ops::get_item(c, {.table_name = t.name(), .key = {{"pk", "a"}, {"sk", "1"}}, .consistent_read = true});
  ASSERT_TRUE(got.item.has_value());
  EXPECT_EQ(got.item->at("v"), attribute_value(7));
}

TEST_F(tls, a_certificate_from_another_ca_is_refused) {
  DYNANTIC_REQUIRE_SERVER();
  auto o = https();
  o.ca_bundle = (dir_ / "other.pem").string();
  expect_tls_error(o, "a CA that did not sign the server's certificate");
}

TEST_F(tls, verification_is_on_by_default_and_aws_ca_bundle_is_read) {
  DYNANTIC_REQUIRE_SERVER();
  expect_tls_error(https(), "the system's store does not hold the test CA");
  env_.set("AWS_CA_BUNDLE", ca());
  EXPECT_NO_THROW(ops::list_tables(client(https()), {.limit = 1}));
}

TEST_F(tls, a_host_the_certificate_does_not_name_is_refused) {
  DYNANTIC_REQUIRE_SERVER();
  auto o = https("127.0.0.1");  // the certificate names localhost only
  o.ca_bundle = ca();
  expect_tls_error(o, "the certificate does not name 127.0.0.1");
}

TEST_F(tls, an_unreadable_ca_bundle_fails_at_construction) {
  auto o = https();
  o.ca_bundle = (dir_ / "absent.pem").string();
  try {
    client c(o);
    FAIL() << "a client was made with a CA bundle that does not exist";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("absent.pem"), std::string::npos) << e.what();
  }
}

TEST_F(tls, https_proxy_is_used_and_no_proxy_bypasses_it) {
  DYNANTIC_REQUIRE_SERVER();
  auto log = dir_ / "tunnels.log";
  front_process proxy({"python3", DYNANTIC_TLS_FRONT, "--connect-proxy", "--log", log.string(), "--port-file",
                       (dir_ / "proxy.port").string(), "--max-seconds", "600"},
                      dir_ / "proxy.port");
  int proxy_port = proxy.port();
  ASSERT_GT(proxy_port, 0) << "the proxy did not start";
  auto tunnels = [&] {
    std::ifstream f(log);
    std::vector<std::string> lines;
    for (std::string l; std::getline(f, l);) lines.push_back(l);
    return lines;
  };
  auto o = https();
  o.ca_bundle = ca();
  env_.set("HTTPS_PROXY", "http://127.0.0.1:" + std::to_string(proxy_port));
  ops::list_tables(client(o), {.limit = 1});
  ASSERT_EQ(tunnels(), std::vector<std::string>{"localhost:" + std::to_string(port_)});
  env_.set("NO_PROXY", "localhost");
  ops::list_tables(client(o), {.limit = 1});
  EXPECT_EQ(tunnels().size(), 1u) << "NO_PROXY=localhost still went through the proxy";
}

}  // namespace
