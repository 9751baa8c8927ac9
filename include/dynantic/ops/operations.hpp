#pragma once
/// @file operations.hpp
/// The low-level DynamoDB operations: one function per API call, plain request structs in, plain result
/// structs out, items as dynantic::item. No JSON or HTTP is visible here. Every call goes through the
/// client's retry policy and throws the typed errors of error.hpp.
/// Field names follow the DynamoDB API reference (snake_case); empty strings / empty optionals are not sent.
/// Every call may throw validation_error (a limit the client checks: nothing sent), table_not_found (naming the
/// table), throttled, transport_error (request_timeout, tls_error), credentials_error and service_error; the
/// errors particular to a call are listed with it.

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

/// ReturnValues: what a write returns (none, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW).
enum class return_values { none, all_old, updated_old, all_new, updated_new };
/// Select: what a Query or Scan returns (default, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES,
/// COUNT).
enum class select { default_, all_attributes, all_projected_attributes, specific_attributes, count };

// ---------------------------------------------------------------- single items

/// GetItem's parameters.
struct get_item_request {
  std::string table_name{};                      ///< TableName
  item key{};                                    ///< Key: the key attributes
  bool consistent_read = false;                  ///< ConsistentRead: a strongly consistent read
  std::string projection_expression{};           ///< ProjectionExpression: the attributes to return (empty: all)
  attribute_names expression_attribute_names{};  ///< ExpressionAttributeNames: "#n" -> attribute name
};
/// GetItem's answer.
struct get_item_result {
  std::optional<dynantic::item> item{};  ///< empty when no item has the key
};
/// GetItem: one item by its key. @return the item, or nothing when no item has the key
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
get_item_result get_item(const client& c, const get_item_request& r);

/// PutItem's parameters.
struct put_item_request {
  std::string table_name{};  ///< TableName
  dynantic::item item{};     ///< Item: the whole item
  /// The item already encoded as DynamoDB-JSON (and validated); sent instead of `item` when not empty.
  /// The model layer encodes models straight to it.
  std::string item_json{};
  std::string condition_expression{};                           ///< ConditionExpression (empty: none)
  attribute_names expression_attribute_names{};                 ///< ExpressionAttributeNames: "#n" -> attribute name
  attribute_values expression_attribute_values{};               ///< ExpressionAttributeValues: ":v" -> value
  ops::return_values return_values = ops::return_values::none;  ///< none or all_old
  /// ReturnValuesOnConditionCheckFailure=ALL_OLD: conditional_check_failed::old_item() gets the item.
  bool return_old_on_condition_failure = false;  ///< ReturnValuesOnConditionCheckFailure=ALL_OLD
};
/// ItemCollectionMetrics of one item collection (client_options::item_collection_metrics; tables with a local
/// secondary index only): its partition key and DynamoDB's estimate of its size.
struct item_collection_metrics {
  item key{};          ///< Key: the key attributes
  double low_gb = 0;   ///< SizeEstimateRangeGB's lower bound
  double high_gb = 0;  ///< SizeEstimateRangeGB's upper bound
};
/// The answer of PutItem, UpdateItem or DeleteItem.
struct write_result {
  std::optional<item> attributes{};  ///< what return_values asked for, when there was something
  std::optional<ops::item_collection_metrics> item_collection_metrics{};  ///< ItemCollectionMetrics, when asked
};
/// PutItem: writes a whole item, replacing any item with its key.
/// @throws conditional_check_failed (the condition; with the stored item when return_old_on_condition_failure)
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
write_result put_item(const client& c, const put_item_request& r);

/// UpdateItem's parameters.
struct update_item_request {
  std::string table_name{};                                     ///< TableName
  item key{};                                                   ///< Key: the key attributes
  std::string update_expression{};                              ///< UpdateExpression
  std::string condition_expression{};                           ///< ConditionExpression (empty: none)
  attribute_names expression_attribute_names{};                 ///< ExpressionAttributeNames: "#n" -> attribute name
  attribute_values expression_attribute_values{};               ///< ExpressionAttributeValues: ":v" -> value
  ops::return_values return_values = ops::return_values::none;  ///< ReturnValues
  bool return_old_on_condition_failure = false;                 ///< ReturnValuesOnConditionCheckFailure=ALL_OLD
};
/// UpdateItem: changes attributes of an item, creating it when the key has none (unless a condition prevents it).
/// @throws conditional_check_failed (the condition)
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
write_result update_item(const client& c, const update_item_request& r);

/// DeleteItem's parameters.
struct delete_item_request {
  std::string table_name{};                                     ///< TableName
  item key{};                                                   ///< Key: the key attributes
  std::string condition_expression{};                           ///< ConditionExpression (empty: none)
  attribute_names expression_attribute_names{};                 ///< ExpressionAttributeNames: "#n" -> attribute name
  attribute_values expression_attribute_values{};               ///< ExpressionAttributeValues: ":v" -> value
  ops::return_values return_values = ops::return_values::none;  ///< none or all_old
  bool return_old_on_condition_failure = false;                 ///< ReturnValuesOnConditionCheckFailure=ALL_OLD
};
/// DeleteItem: deletes the item with the key (no error when there is none).
/// @throws conditional_check_failed (the condition)
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
write_result delete_item(const client& c, const delete_item_request& r);

/// The single-item calls on the client's async engine (async.hpp): the same requests, results and errors.
task<get_item_result> async_get_item(client c, get_item_request r);
/// put_item() as a task.
task<write_result> async_put_item(client c, put_item_request r);
/// update_item() as a task.
task<write_result> async_update_item(client c, update_item_request r);
/// delete_item() as a task.
task<write_result> async_delete_item(client c, delete_item_request r);

// ---------------------------------------------------------------- query and scan (one page each)

/// Query's parameters.
struct query_request {
  std::string table_name{};                        ///< TableName
  std::string index_name{};                        ///< IndexName
  std::string key_condition_expression{};          ///< KeyConditionExpression
  std::string filter_expression{};                 ///< FilterExpression (empty: none)
  std::string projection_expression{};             ///< ProjectionExpression: the attributes to return (empty: all)
  attribute_names expression_attribute_names{};    ///< ExpressionAttributeNames: "#n" -> attribute name
  attribute_values expression_attribute_values{};  ///< ExpressionAttributeValues: ":v" -> value
  std::optional<std::int32_t> limit{};             ///< DynamoDB's per-page evaluation limit
  bool scan_index_forward = true;                  ///< ScanIndexForward: false for descending sort keys
  bool consistent_read = false;                    ///< ConsistentRead: a strongly consistent read
  std::optional<item> exclusive_start_key{};       ///< ExclusiveStartKey: where the previous page ended
  ops::select select = select::default_;           ///< Select
  /// A capacity budget the request keeps to (see dynantic::capacity_limit); not sent.
  std::shared_ptr<dynantic::capacity_limit> capacity_limit{};
};
/// One page of a Query or Scan.
struct page_result {
  std::vector<item> items{};                 ///< the items, in order
  std::int64_t count = 0;                    ///< Count: items returned (after the filter)
  std::int64_t scanned_count = 0;            ///< ScannedCount: items read (before the filter)
  std::optional<item> last_evaluated_key{};  ///< set when more pages follow
};
/// Query: one page of the items of a partition (of the table or an index).
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
page_result query(const client& c, const query_request& r);

/// Scan's parameters.
struct scan_request {
  std::string table_name{};                        ///< TableName
  std::string index_name{};                        ///< IndexName
  std::string filter_expression{};                 ///< FilterExpression (empty: none)
  std::string projection_expression{};             ///< ProjectionExpression: the attributes to return (empty: all)
  attribute_names expression_attribute_names{};    ///< ExpressionAttributeNames: "#n" -> attribute name
  attribute_values expression_attribute_values{};  ///< ExpressionAttributeValues: ":v" -> value
  std::optional<std::int32_t> limit{};             ///< Limit
  bool consistent_read = false;                    ///< ConsistentRead: a strongly consistent read
  std::optional<item> exclusive_start_key{};       ///< ExclusiveStartKey: where the previous page ended
  std::optional<std::int32_t> segment{};           ///< parallel scan: this worker's segment
  std::optional<std::int32_t> total_segments{};    ///< parallel scan: number of segments
  ops::select select = select::default_;           ///< Select
  /// A capacity budget the request keeps to (see dynantic::capacity_limit); not sent.
  std::shared_ptr<dynantic::capacity_limit> capacity_limit{};
};
/// Scan: one page of the table's (or index's, or segment's) items.
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
page_result scan(const client& c, const scan_request& r);
/// One Query / Scan page on the client's async engine.
task<page_result> async_query(client c, query_request r);
/// scan() as a task.
task<page_result> async_scan(client c, scan_request r);

// ---------------------------------------------------------------- batches

/// The keys of one table in a BatchGetItem, and how to read them.
struct keys_and_attributes {
  std::vector<item> keys{};                      ///< the keys to fetch
  bool consistent_read = false;                  ///< ConsistentRead: a strongly consistent read
  std::string projection_expression{};           ///< ProjectionExpression: the attributes to return (empty: all)
  attribute_names expression_attribute_names{};  ///< ExpressionAttributeNames: "#n" -> attribute name
};
/// BatchGetItem's parameters.
struct batch_get_item_request {
  std::map<std::string, keys_and_attributes> request_items{};  ///< table -> keys (100 keys at most in all)
};
/// BatchGetItem's answer.
struct batch_get_item_result {
  std::map<std::string, std::vector<item>> responses{};  ///< Responses: table -> items found
  std::map<std::string, keys_and_attributes>
      unprocessed_keys{};  ///< UnprocessedKeys: what DynamoDB left for a later request
};
/// BatchGetItem: one request; no chunking and no retry of UnprocessedKeys here (that is the batch engine's job).
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
batch_get_item_result batch_get_item(const client& c, const batch_get_item_request& r);

/// A PutRequest (the whole item) or a DeleteRequest (the key).
using write_request = dynantic::write_request;  ///< (error.hpp: batch_write_incomplete reports them)
/// BatchWriteItem's parameters.
struct batch_write_item_request {
  std::map<std::string, std::vector<write_request>> request_items{};  ///< table -> requests (25 at most in all)
};
/// BatchWriteItem's answer.
struct batch_write_item_result {
  std::map<std::string, std::vector<write_request>> unprocessed_items{};  ///< UnprocessedItems: not applied yet
  /// table -> the item collections written to (client_options::item_collection_metrics)
  std::map<std::string, std::vector<ops::item_collection_metrics>> item_collection_metrics{};
};
/// BatchWriteItem: one request; no chunking and no retry of UnprocessedItems here.
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
batch_write_item_result batch_write_item(const client& c, const batch_write_item_request& r);
/// One BatchGetItem / BatchWriteItem request on the client's async engine (no chunking, no retry of what is left
/// unprocessed: table<M>::async_batch_get / async_batch_save do that).
task<batch_get_item_result> async_batch_get_item(client c, batch_get_item_request r);
/// batch_write_item() as a task.
task<batch_write_item_result> async_batch_write_item(client c, batch_write_item_request r);

// ---------------------------------------------------------------- transactions

/// One Get of a TransactGetItems.
struct transact_get {
  std::string table_name{};                      ///< TableName
  item key{};                                    ///< Key: the key attributes
  std::string projection_expression{};           ///< ProjectionExpression: the attributes to return (empty: all)
  attribute_names expression_attribute_names{};  ///< ExpressionAttributeNames: "#n" -> attribute name
};
/// TransactGetItems' parameters (100 gets at most).
struct transact_get_items_request {
  std::vector<transact_get> items{};  ///< the items, in order
};
/// TransactGetItems' answer.
struct transact_get_items_result {
  std::vector<std::optional<item>> items{};  ///< in request order; empty where no item has the key
};
/// TransactGetItems: up to 100 items read as of one moment.
/// @throws transaction_canceled (a conflicting transaction; reasons per get)
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
transact_get_items_result transact_get_items(const client& c, const transact_get_items_request& r);
/// transact_get_items() as a task.
task<transact_get_items_result> async_transact_get_items(client c, transact_get_items_request r);

/// One action of a TransactWriteItems.
struct transact_write {
  /// Put, Update, Delete or ConditionCheck.
  enum class kind { put, update, delete_, condition_check };
  kind type = kind::put;     ///< which action
  std::string table_name{};  ///< TableName
  item data{};               ///< the item for put, the key otherwise
  /// Optional fast path for put: the item already encoded (and validated) as DynamoDB-JSON; `data` is then
  /// ignored.
  std::string data_json{};
  std::string update_expression{};                 ///< UpdateExpression
  std::string condition_expression{};              ///< ConditionExpression (empty: none)
  attribute_names expression_attribute_names{};    ///< ExpressionAttributeNames: "#n" -> attribute name
  attribute_values expression_attribute_values{};  ///< ExpressionAttributeValues: ":v" -> value
  bool return_old_on_condition_failure = false;    ///< ReturnValuesOnConditionCheckFailure=ALL_OLD
};
/// TransactWriteItems' parameters (100 actions at most).
struct transact_write_items_request {
  std::vector<transact_write> items{};  ///< the items, in order
  std::string client_request_token{};   ///< idempotency token; the same token makes a retry safe
};
/// TransactWriteItems' answer.
struct transact_write_items_result {
  /// table -> the item collections written to (client_options::item_collection_metrics)
  std::map<std::string, std::vector<ops::item_collection_metrics>> item_collection_metrics{};
};
/// TransactWriteItems: up to 100 actions applied all together or not at all.
/// @throws transaction_canceled with a reason per action (and the stored items where asked)
/// @throws transaction_conflict (another transaction touched an item; retried by the client first)
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
transact_write_items_result transact_write_items(const client& c, const transact_write_items_request& r);
/// transact_write_items() as a task.
task<transact_write_items_result> async_transact_write_items(client c, transact_write_items_request r);

// ---------------------------------------------------------------- tables

/// KeyType: HASH (partition key) or RANGE (sort key).
enum class key_type { hash, range };
/// AttributeType of a key attribute: S, N or B.
enum class scalar_type { s, n, b };
/// BillingMode: PAY_PER_REQUEST (on demand) or PROVISIONED.
enum class billing_mode { pay_per_request, provisioned };

/// One KeySchema element.
struct key_schema_element {
  std::string attribute_name{};    ///< AttributeName
  key_type type = key_type::hash;  ///< KeyType
  /// Same name and type.
  friend bool operator==(const key_schema_element&, const key_schema_element&) = default;
};
/// One AttributeDefinitions element (key attributes only).
struct attribute_definition {
  std::string attribute_name{};       ///< AttributeName
  scalar_type type = scalar_type::s;  ///< AttributeType
  /// Same name and type.
  friend bool operator==(const attribute_definition&, const attribute_definition&) = default;
};
/// An index's Projection.
struct projection {
  /// ProjectionType: ALL, KEYS_ONLY or INCLUDE.
  enum class kind { all, keys_only, include };
  kind type = kind::all;                          ///< ProjectionType
  std::vector<std::string> non_key_attributes{};  ///< for include
  /// Same type and attributes.
  friend bool operator==(const projection&, const projection&) = default;
};
/// ProvisionedThroughput of a provisioned table or GSI.
struct provisioned_throughput {
  std::int64_t read_capacity_units = 0;   ///< ReadCapacityUnits
  std::int64_t write_capacity_units = 0;  ///< WriteCapacityUnits
  /// Same units.
  friend bool operator==(const provisioned_throughput&, const provisioned_throughput&) = default;
};
/// A global or local secondary index, in a CreateTable request or a table description.
struct secondary_index {
  std::string index_name{};                            ///< IndexName
  std::vector<key_schema_element> key_schema{};        ///< KeySchema
  ops::projection projection{};                        ///< Projection
  std::optional<provisioned_throughput> throughput{};  ///< GSIs of provisioned tables
  std::string index_status{};                          ///< in descriptions (GSIs): ACTIVE, CREATING, ...
};

/// CreateTable's parameters.
struct create_table_request {
  std::string table_name{};                                        ///< TableName
  std::vector<attribute_definition> attribute_definitions{};       ///< AttributeDefinitions
  std::vector<key_schema_element> key_schema{};                    ///< KeySchema
  std::vector<secondary_index> global_secondary_indexes{};         ///< GlobalSecondaryIndexes
  std::vector<secondary_index> local_secondary_indexes{};          ///< LocalSecondaryIndexes
  ops::billing_mode billing_mode = billing_mode::pay_per_request;  ///< BillingMode
  std::optional<provisioned_throughput> throughput{};              ///< required for provisioned
  /// StreamSpecification: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES; empty: no stream.
  std::string stream_view_type{};
};

/// DescribeTable's TableDescription (also returned by CreateTable and DeleteTable).
struct table_description {
  std::string table_name{};                                    ///< TableName
  std::string table_arn{};                                     ///< TableArn
  std::string table_status{};                                  ///< CREATING, ACTIVE, DELETING, UPDATING
  std::vector<attribute_definition> attribute_definitions{};   ///< AttributeDefinitions
  std::vector<key_schema_element> key_schema{};                ///< KeySchema
  std::vector<secondary_index> global_secondary_indexes{};     ///< GlobalSecondaryIndexes
  std::vector<secondary_index> local_secondary_indexes{};      ///< LocalSecondaryIndexes
  ops::billing_mode billing_mode = billing_mode::provisioned;  ///< BillingMode
  std::optional<provisioned_throughput> throughput{};          ///< ProvisionedThroughput
  std::string latest_stream_arn{};                             ///< LatestStreamArn: the table's stream, when it has one
  std::string stream_view_type{};     ///< StreamSpecification.StreamViewType while the stream is enabled
  std::int64_t item_count = 0;        ///< ItemCount (updated by DynamoDB about every six hours)
  std::int64_t table_size_bytes = 0;  ///< TableSizeBytes (updated about every six hours)
};

/// CreateTable. Returns at once (status CREATING on AWS); table<M>::create_table waits until ACTIVE.
/// @throws table_in_use (the table exists)
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
table_description create_table(const client& c, const create_table_request& r);
/// DeleteTable. @throws table_not_found, table_in_use (the table is being created or updated)
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
table_description delete_table(const client& c, const std::string& table_name);
/// DescribeTable: keys, indexes, status, billing of a table.
/// @throws table_not_found
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
table_description describe_table(const client& c, const std::string& table_name);

/// ListTables' parameters.
struct list_tables_request {
  std::string exclusive_start_table_name{};  ///< ExclusiveStartTableName: where the previous page ended
  std::optional<std::int32_t> limit{};       ///< Limit
};
/// ListTables' answer (one page).
struct list_tables_result {
  std::vector<std::string> table_names{};   ///< TableNames
  std::string last_evaluated_table_name{};  ///< non-empty when more follow
};
/// ListTables: one page of the account's table names in the region.
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html
list_tables_result list_tables(const client& c, const list_tables_request& r = {});

/// UpdateTimeToLive's TimeToLiveSpecification.
struct time_to_live_specification {
  bool enabled = true;           ///< Enabled
  std::string attribute_name{};  ///< AttributeName
};
/// UpdateTimeToLive: turns TTL on or off for an attribute.
/// @throws server_validation_error (TTL was changed less than about an hour ago, or is already in that state)
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
time_to_live_specification update_time_to_live(const client& c, const std::string& table_name,
                                               const time_to_live_specification& spec);

/// DescribeTimeToLive's TimeToLiveDescription.
struct time_to_live_description {
  std::string status{};          ///< ENABLING, ENABLED, DISABLING, DISABLED
  std::string attribute_name{};  ///< AttributeName
};
/// DescribeTimeToLive: the table's TTL attribute and status.
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTimeToLive.html
time_to_live_description describe_time_to_live(const client& c, const std::string& table_name);

// ---------------------------------------------------------------- DynamoDB Streams (client_options::api = streams)

/// DescribeStream's parameters.
struct describe_stream_request {
  std::string stream_arn{};                ///< StreamArn (table_description::latest_stream_arn)
  std::string exclusive_start_shard_id{};  ///< ExclusiveStartShardId: where the previous page ended
  std::optional<std::int32_t> limit{};     ///< Limit: shards per page
};
/// One shard of a stream.
struct shard {
  std::string shard_id{};                  ///< ShardId
  std::string parent_shard_id{};           ///< ParentShardId: read the parent's records first
  std::string starting_sequence_number{};  ///< SequenceNumberRange.StartingSequenceNumber
  std::string ending_sequence_number{};    ///< SequenceNumberRange.EndingSequenceNumber; empty while open
};
/// DescribeStream's StreamDescription (one page of shards).
struct stream_description {
  std::string stream_arn{};               ///< StreamArn
  std::string stream_status{};            ///< ENABLING, ENABLED, DISABLING, DISABLED
  std::string stream_view_type{};         ///< StreamViewType
  std::string table_name{};               ///< TableName
  std::vector<shard> shards{};            ///< Shards
  std::string last_evaluated_shard_id{};  ///< LastEvaluatedShardId: non-empty when more shards follow
};
/// DescribeStream: the stream's shards. Needs a client with client_options::api = api::streams.
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html
stream_description describe_stream(const client& c, const describe_stream_request& r);

/// Where a shard iterator starts.
enum class shard_iterator_type { trim_horizon, latest, at_sequence_number, after_sequence_number };
/// GetShardIterator's parameters.
struct get_shard_iterator_request {
  std::string stream_arn{};                                      ///< StreamArn
  std::string shard_id{};                                        ///< ShardId
  shard_iterator_type type = shard_iterator_type::trim_horizon;  ///< ShardIteratorType
  std::string sequence_number{};                                 ///< SequenceNumber, for the *_sequence_number types
};
/// GetShardIterator. @return the iterator (valid for 15 minutes)
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html
std::string get_shard_iterator(const client& c, const get_shard_iterator_request& r);

/// GetRecords' parameters.
struct get_records_request {
  std::string shard_iterator{};         ///< ShardIterator
  std::optional<std::int32_t> limit{};  ///< Limit: records per call (1,000 at most)
};
/// GetRecords' answer: read its records with parse_stream_records(answer) (stream.hpp).
struct get_records_result {
  std::string answer{};               ///< the answer's JSON
  std::string next_shard_iterator{};  ///< NextShardIterator; empty when the shard is closed and read to its end
};
/// GetRecords: the next records of a shard.
/// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html
get_records_result get_records(const client& c, const get_records_request& r);

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
  std::vector<answer_item> items{};  ///< the items, in order
  std::int64_t count = 0;            ///< Count: items returned (after the filter)
  std::optional<item> last_evaluated_key{};
};
raw_page_result query_raw(const client& c, const ops::query_request& r);
raw_page_result scan_raw(const client& c, const ops::scan_request& r);
task<raw_page_result> async_query_raw(client c, ops::query_request r);
task<raw_page_result> async_scan_raw(client c, ops::scan_request r);
}  // namespace dynantic::detail
