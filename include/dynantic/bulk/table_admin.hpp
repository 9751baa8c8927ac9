#pragma once
/// @file table_admin.hpp
/// Table management from a model's description: the CreateTable request (keys, and the GSIs and LSIs its family
/// declares), creating and waiting until ACTIVE, TTL, and comparing the model with the live table.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dynantic/client.hpp>
#include <dynantic/model/model.hpp>
#include <dynantic/ops/operations.hpp>

namespace dynantic {

/// Tag of create_table(dy::if_not_exists): an existing table is not an error.
struct if_not_exists_t {
  explicit constexpr if_not_exists_t() = default;
};
/// create_table(dy::if_not_exists): create the table unless it exists.
inline constexpr if_not_exists_t if_not_exists{};

/// How create_table() builds the table from the model.
struct table_options {
  /// On-demand (the default) or provisioned (then set `throughput`).
  ops::billing_mode billing_mode = ops::billing_mode::pay_per_request;
  std::optional<ops::provisioned_throughput> throughput{};  ///< for provisioned tables and their GSIs
  /// Projection per index name; indexes not listed project ALL.
  std::map<std::string, ops::projection, std::less<>> projections{};
  /// A DynamoDB stream of the table's changes (stream.hpp): "NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE" or
  /// "KEYS_ONLY"; empty: none.
  std::string stream_view_type{};
  /// Wait until the table and its indexes are ACTIVE.
  bool wait_until_active = true;
  /// How long to wait.
  std::chrono::seconds timeout{60};
};

/// What check_schema() found: one line per difference between the model and the live table.
struct schema_report {
  /// One line per difference between the model and the live table.
  std::vector<std::string> differences;
  /// No difference.
  bool ok() const { return differences.empty(); }
};

/// Waits until `table` and its global secondary indexes are ACTIVE (CreateTable and UpdateTable leave them
/// CREATING / UPDATING for a while on AWS; DynamoDB Local is ACTIVE at once). Polls DescribeTable, backing off
/// from 20 ms to 1 s. @return the table's description. @throws error after `timeout`, table_not_found
ops::table_description wait_until_active(const client& c, const std::string& table,
                                         std::chrono::seconds timeout = std::chrono::seconds(300));
/// Waits until `table` is gone: DeleteTable leaves it DELETING for a while on AWS (a table of that name cannot be
/// created meanwhile). Polls DescribeTable until it answers ResourceNotFoundException. @throws error after
/// `timeout`
void wait_until_deleted(const client& c, const std::string& table,
                        std::chrono::seconds timeout = std::chrono::seconds(300));

namespace detail {
/// The CreateTable request of a model (keys from `d`, indexes from every model of its family).
ops::create_table_request table_definition(const model_desc& d, std::span<const model_desc* const> family,
                                           const std::string& table, const table_options& o);
/// CreateTable of `definition`; then, unless told not to, waits until ACTIVE and enables TTL on `ttl_attribute`
/// (when not empty). `if_not_exists`: an existing table is waited for (or described) instead of an error.
/// @throws table_in_use (the table exists, without `if_not_exists`)
ops::table_description create_table(const client& c, const ops::create_table_request& definition,
                                    const table_options& o, std::string_view ttl_attribute, bool if_not_exists);
/// DescribeTable answers: false for table_not_found.
bool table_exists(const client& c, const std::string& table);
/// Compares what the model expects with the live table and its TTL setting.
schema_report compare_schema(const client& c, const ops::create_table_request& expected,
                             const std::string& ttl_attribute);
}  // namespace detail
}  // namespace dynantic
