#pragma once
/// @file stream.hpp
/// DynamoDB Streams: change records decoded into models (from a Lambda event, a GetRecords answer or a
/// Kinesis-delivered change record), and a reader over a table's stream.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <dynantic/client.hpp>
#include <dynantic/error.hpp>
#include <dynantic/model/keys.hpp>
#include <dynantic/model/polymorphic.hpp>
#include <dynantic/model/types.hpp>
#include <dynantic/ops/operations.hpp>
#include <dynantic/value/attribute_value.hpp>

namespace dynantic {

/// What happened to the item: eventName INSERT, MODIFY or REMOVE.
enum class change_kind { insert, modify, remove };

/// One change record as DynamoDB delivers it, before decoding into a model.
struct stream_record {
  change_kind kind = change_kind::insert;           ///< eventName
  std::string table{};                              ///< from eventSourceARN (.../table/NAME/stream/...) or tableName
  std::string event_id{};                           ///< eventID
  std::string sequence_number{};                    ///< dynamodb.SequenceNumber (empty in Kinesis records)
  std::optional<timestamp> approximate_creation{};  ///< dynamodb.ApproximateCreationDateTime
  std::int64_t size_bytes = 0;                      ///< dynamodb.SizeBytes
  std::string view_type{};          ///< dynamodb.StreamViewType: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES
  item keys{};                      ///< dynamodb.Keys
  std::optional<item> new_image{};  ///< dynamodb.NewImage (INSERT and MODIFY, with NEW_* view types)
  std::optional<item> old_image{};  ///< dynamodb.OldImage (MODIFY and REMOVE, with *OLD_* view types)
  /// A REMOVE by DynamoDB's TTL process (userIdentity: Service, dynamodb.amazonaws.com).
  bool by_ttl = false;
  /// Where the record was in its document: "Records[3]" (or "" for a single record).
  std::string position{};
};

/// Reads every change record of a document:
/// - a Lambda event from a DynamoDB stream: `{"Records":[{"eventName":..,"dynamodb":{...},"eventSourceARN":..}]}`;
/// - a DynamoDB Streams GetRecords answer (the same records, with NextShardIterator);
/// - a Lambda event from a Kinesis data stream fed by DynamoDB: `{"Records":[{"kinesis":{"data":"<base64>"}}]}`,
///   each data a Kinesis change record (`{"eventName":..,"tableName":..,"dynamodb":{...}}`);
/// - one record of any of these kinds.
/// @throws decode_error when the document is not JSON or a record lacks what every record has (eventName,
///         dynamodb.Keys), naming the record's position
std::vector<stream_record> parse_stream_records(std::string_view json);

/// How decode_changes() treats the records.
struct change_options {
  /// The table whose records to decode; empty: the model's table name. Records of other tables are skipped, or
  /// with `report_other_tables` a validation_error.
  std::string table{};
  /// Records of other tables are an error rather than skipped.
  bool report_other_tables = false;
  /// Decode records of any table (one model, several tables: per-tenant tables, a test's table).
  bool any_table = false;
};

/// One change of an item of model M (a variant of subtypes for a single-table base), decoded from a record.
template <class M>
struct change {
  change_kind kind = change_kind::insert;  ///< INSERT, MODIFY or REMOVE
  detail::key_type_t<M> key{};             ///< the item's key, typed
  std::optional<result_t<M>> old_image{};  ///< the item before the change, when the stream carries it
  std::optional<result_t<M>> new_image{};  ///< the item after the change, when the stream carries it
  stream_record record{};                  ///< the record with its metadata (and the raw images)
};

namespace detail {
/// The model's issues in `e`, moved under `where` ("Records[2].dynamodb.NewImage").
validation_error at_record(const validation_error& e, const std::string& where);

template <class M>
std::optional<result_t<M>> decode_image(const std::optional<item>& image, const stream_record& r, const char* name) {
  if (!image) return std::nullopt;
  try {
    return decode_stored<M>(*image);
  } catch (const validation_error& e) {
    throw at_record(e, (r.position.empty() ? "" : r.position + ".") + "dynamodb." + name);
  }
}
}  // namespace detail

/// The records of `records` for M's table, decoded: typed key, old and new images as models. Nothing is skipped
/// silently but records of other tables (see change_options).
/// @throws validation_error when a key or an image does not decode into M, every issue's path starting with the
///         record's position ("Records[2].dynamodb.NewImage.age"); unknown_discriminator / wrong_subtype for
///         single-table models
template <class M>
std::vector<change<M>> decode_changes(const std::vector<stream_record>& records, const change_options& o = {}) {
  const std::string table = o.table.empty() ? std::string(detail::model_v<M>.table) : o.table;
  std::vector<change<M>> out;
  out.reserve(records.size());
  for (const auto& r : records) {
    if (!o.any_table && r.table != table) {
      if (o.report_other_tables) {
        throw validation_error(r.position, "a record of table '" + r.table + "', not '" + table + "'");
      }
      continue;
    }
    change<M> c;
    c.kind = r.kind;
    try {
      c.key = detail::key_from_item<M>(r.keys);
    } catch (const validation_error& e) {
      throw detail::at_record(e, (r.position.empty() ? "" : r.position + ".") + "dynamodb.Keys");
    }
    c.old_image = detail::decode_image<M>(r.old_image, r, "OldImage");
    c.new_image = detail::decode_image<M>(r.new_image, r, "NewImage");
    c.record = r;
    out.push_back(std::move(c));
  }
  return out;
}

/// parse_stream_records() and decode_changes() in one: the changes of M's table in a Lambda event, a GetRecords
/// answer or a Kinesis change record. @throws decode_error, validation_error (see the two)
template <class M>
std::vector<change<M>> decode_changes(std::string_view json, const change_options& o = {}) {
  return decode_changes<M>(parse_stream_records(json), o);
}

/// A client for the DynamoDB Streams API (`o` with api = api::streams): its endpoint from
/// AWS_ENDPOINT_URL_DYNAMODB_STREAMS, AWS_ENDPOINT_URL, else https://streams.dynamodb.REGION.amazonaws.com.
/// @throws what the client's constructor throws
client streams_client(client_options o = {});

/// The stream of a table (DescribeTable's LatestStreamArn), through a DynamoDB client.
/// @throws table_not_found; validation_error when the table has no stream
std::string stream_arn_of(const client& c, const std::string& table);

/// Reads a table's stream from the oldest record still kept (24 hours) or from now: every shard, a parent's
/// records before its children's. Not thread-safe; one reader per consumer.
/// @code
///   dy::stream_reader reader(dy::streams_client(), dy::stream_arn_of(client, "users"));
///   for (auto& c : dy::decode_changes<User>(reader.poll())) ...
/// @endcode
class stream_reader {
 public:
  /// @param streams  a client of the Streams API (streams_client())
  /// @param stream_arn  the stream (stream_arn_of())
  /// @param start  trim_horizon: from the oldest record kept; latest: only records written from now on
  stream_reader(client streams, std::string stream_arn,
                ops::shard_iterator_type start = ops::shard_iterator_type::trim_horizon);
  /// The records that arrived since the last call (possibly none), in order within each shard. Sends one
  /// DescribeStream (paged) and one GetRecords per shard that is open for reading.
  /// @throws service_error (an expired iterator: TrimmedDataAccessException / ExpiredIteratorException), and
  ///         what every call throws
  std::vector<stream_record> poll();
  /// Shards read to their end (closed by DynamoDB and drained).
  std::size_t finished_shards() const { return done_.size(); }

 private:
  client c_;
  std::string arn_;
  ops::shard_iterator_type start_;
  std::map<std::string, std::string> iterators_;  // open shard -> next iterator
  std::set<std::string> done_;
};

}  // namespace dynantic
