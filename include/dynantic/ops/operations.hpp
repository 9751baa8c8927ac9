#pragma once
/// @file operations.hpp
/// The low-level DynamoDB operations: one function per API call, plain request structs in, plain result
/// structs out, items as dynantic::item. No JSON or HTTP is visible here. Every call goes through the
/// client's retry policy and throws the typed errors of error.hpp.
/// Field names follow the DynamoDB API reference (snake_case); empty strings / empty optionals are not sent.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dynantic/async.hpp>
#include <dynantic/client.hpp>
#include <dynantic/error.hpp>
#include <dynantic/detail/ddb_json.hpp>
#include <dynantic/value/attribute_value.hpp>

namespace dynantic::ops {

/// ExpressionAttributeNames: "#n" -> attribute name.
using attribute_names = std::map<std::string, std::string, std::less<>>;
/// ExpressionAttributeValues: ":v" -> value.
using attribute_values = item;

enum class return_values { none, all_old, updated_old, all_new, updated_new };
enum class select { default_, all_attributes, all_projected_attributes, specific_attributes, count };

// ---------------------------------------------------------------- single items

struct get_item_request {
  std::string table_name{};
  item key{};
  bool consistent_read = false;
  std::string projection_expression{};
  attribute_names expression_attribute_names{};
};
struct get_item_result {
  std::optional<dynantic::item> item{};  ///< empty when no item has the key
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
get_item_result get_item(const client& c, const get_item_request& r);

struct put_item_request {
  std::string table_name{};
  dynantic::item item{};
  /// The item already encoded as DynamoDB-JSON (and validated); sent instead of `item` when not empty.
  /// The model layer encodes models straight to it.
  std::string item_json{};
  std::string condition_expression{};
  attribute_names expression_attribute_names{};
  attribute_values expression_attribute_values{};
  ops::return_values return_values = ops::return_values::none;  ///< none or all_old
  /// ReturnValuesOnConditionCheckFailure=ALL_OLD: conditional_check_failed::old_item() gets the item.
  bool return_old_on_condition_failure = false;
};
/// ItemCollectionMetrics of one item collection (client_options::item_collection_metrics; tables with a local
/// secondary index only): its partition key and DynamoDB's estimate of its size.
struct item_collection_metrics {
  item key{};
  double low_gb = 0, high_gb = 0;  ///< SizeEstimateRangeGB
};
struct write_result {
  std::optional<item> attributes{};  ///< what return_values asked for, when there was something
  std::optional<ops::item_collection_metrics> item_collection_metrics{};
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
write_result put_item(const client& c, const put_item_request& r);

struct update_item_request {
  std::string table_name{};
  item key{};
  std::string update_expression{};
  std::string condition_expression{};
  attribute_names expression_attribute_names{};
  attribute_values expression_attribute_values{};
  ops::return_values return_values = ops::return_values::none;
  bool return_old_on_condition_failure = false;
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
write_result update_item(const client& c, const update_item_request& r);

struct delete_item_request {
  std::string table_name{};
  item key{};
  std::string condition_expression{};
  attribute_names expression_attribute_names{};
  attribute_values expression_attribute_values{};
  ops::return_values return_values = ops::return_values::none;  ///< none or all_old
  bool return_old_on_condition_failure = false;
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
write_result delete_item(const client& c, const delete_item_request& r);

/// The single-item calls on the client's async engine (async.hpp): the same requests, results and errors.
task<get_item_result> async_get_item(client c, get_item_request r);
task<write_result> async_put_item(client c, put_item_request r);
task<write_result> async_update_item(client c, update_item_request r);
task<write_result> async_delete_item(client c, delete_item_request r);

// ---------------------------------------------------------------- query and scan (one page each)

struct query_request {
  std::string table_name{};
  std::string index_name{};
  std::string key_condition_expression{};
  std::string filter_expression{};
  std::string projection_expression{};
  attribute_names expression_attribute_names{};
  attribute_values expression_attribute_values{};
  std::optional<std::int32_t> limit{};  ///< DynamoDB's per-page evaluation limit
  bool scan_index_forward = true;
  bool consistent_read = false;
  std::optional<item> exclusive_start_key{};
  ops::select select = select::default_;
  /// A capacity budget the request keeps to (see dynantic::capacity_limit); not sent.
  std::shared_ptr<dynantic::capacity_limit> capacity_limit{};
};
struct page_result {
  std::vector<item> items{};
  std::int64_t count = 0;
  std::int64_t scanned_count = 0;
  std::optional<item> last_evaluated_key{};  ///< set when more pages follow
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
page_result query(const client& c, const query_request& r);

struct scan_request {
  std::string table_name{};
  std::string index_name{};
  std::string filter_expression{};
  std::string projection_expression{};
  attribute_names expression_attribute_names{};
  attribute_values expression_attribute_values{};
  std::optional<std::int32_t> limit{};
  bool consistent_read = false;
  std::optional<item> exclusive_start_key{};
  std::optional<std::int32_t> segment{};         ///< parallel scan: this worker's segment
  std::optional<std::int32_t> total_segments{};  ///< parallel scan: number of segments
  ops::select select = select::default_;
  /// A capacity budget the request keeps to (see dynantic::capacity_limit); not sent.
  std::shared_ptr<dynantic::capacity_limit> capacity_limit{};
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
page_result scan(const client& c, const scan_request& r);
/// One Query / Scan page on the client's async engine.
task<page_result> async_query(client c, query_request r);
task<page_result> async_scan(client c, scan_request r);

// ---------------------------------------------------------------- batches

struct keys_and_attributes {
  std::vector<item> keys{};
  bool consistent_read = false;
  std::string projection_expression{};
  attribute_names expression_attribute_names{};
};
struct batch_get_item_request {
  std::map<std::string, keys_and_attributes> request_items{};  ///< table -> keys (100 keys at most in all)
};
struct batch_get_item_result {
  std::map<std::string, std::vector<item>> responses{};
  std::map<std::string, keys_and_attributes> unprocessed_keys{};
};
/// One request; no chunking and no retry of UnprocessedKeys here (that is the batch engine's job).
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
batch_get_item_result batch_get_item(const client& c, const batch_get_item_request& r);

/// A PutRequest (the whole item) or a DeleteRequest (the key).
using write_request = dynantic::write_request;  ///< (error.hpp: batch_write_incomplete reports them)
struct batch_write_item_request {
  std::map<std::string, std::vector<write_request>> request_items{};  ///< table -> requests (25 at most in all)
};
struct batch_write_item_result {
  std::map<std::string, std::vector<write_request>> unprocessed_items{};
  /// table -> the item collections written to (client_options::item_collection_metrics)
  std::map<std::string, std::vector<ops::item_collection_metrics>> item_collection_metrics{};
};
/// One request; no chunking and no retry of UnprocessedItems here.
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
batch_write_item_result batch_write_item(const client& c, const batch_write_item_request& r);
/// One BatchGetItem / BatchWriteItem request on the client's async engine (no chunking, no retry of what is left
/// unprocessed: table<M>::async_batch_get / async_batch_save do that).
task<batch_get_item_result> async_batch_get_item(client c, batch_get_item_request r);
task<batch_write_item_result> async_batch_write_item(client c, batch_write_item_request r);

// ---------------------------------------------------------------- transactions

struct transact_get {
  std::string table_name{};
  item key{};
  std::string projection_expression{};
  attribute_names expression_attribute_names{};
};
struct transact_get_items_request {
  std::vector<transact_get> items{};
};
struct transact_get_items_result {
  std::vector<std::optional<item>> items{};  ///< in request order; empty where no item has the key
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
transact_get_items_result transact_get_items(const client& c, const transact_get_items_request& r);
task<transact_get_items_result> async_transact_get_items(client c, transact_get_items_request r);

struct transact_write {
  enum class kind { put, update, delete_, condition_check } type = kind::put;
  std::string table_name{};
  item data{};  ///< the item for put, the key otherwise
  /// Optional fast path for put: the item already encoded (and validated) as DynamoDB-JSON; `data` is then
  /// ignored.
  std::string data_json{};
  std::string update_expression{};
  std::string condition_expression{};
  attribute_names expression_attribute_names{};
  attribute_values expression_attribute_values{};
  bool return_old_on_condition_failure = false;
};
struct transact_write_items_request {
  std::vector<transact_write> items{};
  std::string client_request_token{};  ///< idempotency token; the same token makes a retry safe
};
struct transact_write_items_result {
  /// table -> the item collections written to (client_options::item_collection_metrics)
  std::map<std::string, std::vector<ops::item_collection_metrics>> item_collection_metrics{};
};
/// @throws transaction_canceled with a reason per action.
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
transact_write_items_result transact_write_items(const client& c, const transact_write_items_request& r);
task<transact_write_items_result> async_transact_write_items(client c, transact_write_items_request r);

// ---------------------------------------------------------------- tables

enum class key_type { hash, range };
enum class scalar_type { s, n, b };
enum class billing_mode { pay_per_request, provisioned };

struct key_schema_element {
  std::string attribute_name{};
  key_type type = key_type::hash;
  friend bool operator==(const key_schema_element&, const key_schema_element&) = default;
};
struct attribute_definition {
  std::string attribute_name{};
  scalar_type type = scalar_type::s;
  friend bool operator==(const attribute_definition&, const attribute_definition&) = default;
};
struct projection {
  enum class kind { all, keys_only, include } type = kind::all;
  std::vector<std::string> non_key_attributes{};  ///< for include
  friend bool operator==(const projection&, const projection&) = default;
};
struct provisioned_throughput {
  std::int64_t read_capacity_units = 0;
  std::int64_t write_capacity_units = 0;
  friend bool operator==(const provisioned_throughput&, const provisioned_throughput&) = default;
};
struct secondary_index {
  std::string index_name{};
  std::vector<key_schema_element> key_schema{};
  ops::projection projection{};
  std::optional<provisioned_throughput> throughput{};  ///< GSIs of provisioned tables
  std::string index_status{};                          ///< in descriptions (GSIs): ACTIVE, CREATING, ...
};

struct create_table_request {
  std::string table_name{};
  std::vector<attribute_definition> attribute_definitions{};
  std::vector<key_schema_element> key_schema{};
  std::vector<secondary_index> global_secondary_indexes{};
  std::vector<secondary_index> local_secondary_indexes{};
  ops::billing_mode billing_mode = billing_mode::pay_per_request;
  std::optional<provisioned_throughput> throughput{};  ///< required for provisioned
};

struct table_description {
  std::string table_name{};
  std::string table_arn{};
  std::string table_status{};  ///< CREATING, ACTIVE, DELETING, UPDATING
  std::vector<attribute_definition> attribute_definitions{};
  std::vector<key_schema_element> key_schema{};
  std::vector<secondary_index> global_secondary_indexes{};
  std::vector<secondary_index> local_secondary_indexes{};
  ops::billing_mode billing_mode = billing_mode::provisioned;
  std::optional<provisioned_throughput> throughput{};
  std::int64_t item_count = 0;
  std::int64_t table_size_bytes = 0;
};

/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
table_description create_table(const client& c, const create_table_request& r);
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
table_description delete_table(const client& c, const std::string& table_name);
/// @throws table_not_found
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
table_description describe_table(const client& c, const std::string& table_name);

struct list_tables_request {
  std::string exclusive_start_table_name{};
  std::optional<std::int32_t> limit{};
};
struct list_tables_result {
  std::vector<std::string> table_names{};
  std::string last_evaluated_table_name{};  ///< non-empty when more follow
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html
list_tables_result list_tables(const client& c, const list_tables_request& r = {});

struct time_to_live_specification {
  bool enabled = true;
  std::string attribute_name{};
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
time_to_live_specification update_time_to_live(const client& c, const std::string& table_name,
                                               const time_to_live_specification& spec);

struct time_to_live_description {
  std::string status{};  ///< ENABLING, ENABLED, DISABLING, DISABLED
  std::string attribute_name{};
};
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTimeToLive.html
time_to_live_description describe_time_to_live(const client& c, const std::string& table_name);

}  // namespace dynantic::ops

namespace dynantic::detail {
/// A Query/Scan answer parsed once and kept alive by its items (private).
class page_answer;
/// One item of a Query/Scan answer, read in place: decoded straight into a model, or into an item.
struct answer_item {
  std::shared_ptr<const page_answer> answer;
  std::size_t index = 0;
  item to_item() const;
  /// Calls f(ddb_value) with the item (valid during the call).
  template <class F>
  void for_item(F&& f) const {
    visit(&f, [](void* fp, const ddb_value& v) { (*static_cast<F*>(fp))(v); });
  }
  void visit(void* ctx, void (*cb)(void*, const ddb_value&)) const;
};
/// A page of Query/Scan results with the items left in the answer (the model layer decodes them in place).
struct raw_page_result {
  std::vector<answer_item> items{};
  std::int64_t count = 0;
  std::optional<item> last_evaluated_key{};
};
raw_page_result query_raw(const client& c, const ops::query_request& r);
raw_page_result scan_raw(const client& c, const ops::scan_request& r);
task<raw_page_result> async_query_raw(client c, ops::query_request r);
task<raw_page_result> async_scan_raw(client c, ops::scan_request r);
}  // namespace dynantic::detail
