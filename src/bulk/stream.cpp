// Change records of DynamoDB Streams (Lambda events, GetRecords answers, Kinesis change records) read into
// stream_record, and the reader over a table's stream.
#include <dynantic/bulk/stream.hpp>

#include <simdjson.h>

#include <dynantic/ops/operations.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic {

namespace {
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw decode_error("dynantic: stream record" + (where.empty() ? std::string() : " " + where) + ": " + what);
}

std::optional<item> image(object d, const char* name, const std::string& where) {
  element e;
  if (d[name].get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  try {
    return codec::read_item(simdjson::minify(e));
  } catch (const error& x) {
    bad(where, std::string("dynamodb.") + name + ": " + x.what());
  }
}

// The table of a stream's ARN: arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL.
std::string table_of_arn(std::string_view arn) {
  auto t = arn.find(":table/");
  if (t == std::string_view::npos) return {};
  auto name = arn.substr(t + 7);
  return std::string(name.substr(0, name.find('/')));
}

timestamp from_epoch(double value, double units_per_second) {
  auto us = static_cast<std::int64_t>(value * (1e6 / units_per_second) + (value >= 0 ? 0.5 : -0.5));
  return timestamp(std::chrono::microseconds(us));
}

// One record: {eventName, eventID, eventSourceARN | tableName, userIdentity, dynamodb: {...}}.
stream_record read_record(object o, const std::string& where, std::string_view arn_fallback) {
  stream_record r;
  r.position = where;
  std::string_view s;
  if (o["eventName"].get_string().get(s) != simdjson::SUCCESS) bad(where, "no eventName");
  if (s == "INSERT") {
    r.kind = change_kind::insert;
  } else if (s == "MODIFY") {
    r.kind = change_kind::modify;
  } else if (s == "REMOVE") {
    r.kind = change_kind::remove;
  } else {
    bad(where, "eventName '" + std::string(s) + "' is none of INSERT, MODIFY, REMOVE");
  }
  if (o["eventID"].get_string().get(s) == simdjson::SUCCESS) r.event_id = s;
  bool kinesis = false;
  if (o["tableName"].get_string().get(s) == simdjson::SUCCESS) {
    r.table = s;
    kinesis = true;
  } else if (o["eventSourceARN"].get_string().get(s) == simdjson::SUCCESS) {
    r.table = table_of_arn(s);
  } else {
    r.table = table_of_arn(arn_fallback);
  }
  object who;
  if (o["userIdentity"].get_object().get(who) == simdjson::SUCCESS) {
    std::string_view type, principal;
    r.by_ttl = who["type"].get_string().get(type) == simdjson::SUCCESS && type == "Service" &&
               who["principalId"].get_string().get(principal) == simdjson::SUCCESS &&
               principal == "dynamodb.amazonaws.com";
  }
  object d;
  if (o["dynamodb"].get_object().get(d) != simdjson::SUCCESS) bad(where, "no dynamodb object");
  auto keys = image(d, "Keys", where);
  if (!keys) bad(where, "no dynamodb.Keys");
  r.keys = std::move(*keys);
  r.new_image = image(d, "NewImage", where);
  r.old_image = image(d, "OldImage", where);
  if (d["SequenceNumber"].get_string().get(s) == simdjson::SUCCESS) r.sequence_number = s;
  if (d["StreamViewType"].get_string().get(s) == simdjson::SUCCESS) r.view_type = s;
  std::int64_t n = 0;
  if (d["SizeBytes"].get_int64().get(n) == simdjson::SUCCESS) r.size_bytes = n;
  double when = 0;
  if (d["ApproximateCreationDateTime"].get_double().get(when) == simdjson::SUCCESS) {
    // Streams and Lambda: seconds. Kinesis change records: milliseconds, or what the precision says.
    double per_second = kinesis ? 1e3 : 1.0;
    if (d["ApproximateCreationDateTimePrecision"].get_string().get(s) == simdjson::SUCCESS) {
      per_second = s == "MICROSECOND" ? 1e6 : 1e3;
    }
    r.approximate_creation = from_epoch(when, per_second);
  }
  return r;
}
}  // namespace

std::vector<stream_record> parse_stream_records(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) bad("", "not JSON");
  object top;
  if (doc.get_object().get(top) != simdjson::SUCCESS) bad("", "not a JSON object");
  std::vector<stream_record> out;
  array records;
  if (top["Records"].get_array().get(records) != simdjson::SUCCESS) {
    out.push_back(read_record(top, "", {}));
    return out;
  }
  std::size_t i = 0;
  for (element e : records) {
    std::string where = "Records[" + std::to_string(i++) + "]";
    object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) bad(where, "not an object");
    object kinesis;
    if (o["kinesis"].get_object().get(kinesis) == simdjson::SUCCESS) {
      std::string_view data;
      if (kinesis["data"].get_string().get(data) != simdjson::SUCCESS) bad(where, "no kinesis.data");
      auto raw = codec::base64_decode(data);
      if (!raw) bad(where, "kinesis.data is not base64");
      simdjson::dom::parser inner;
      object change;
      if (inner.parse(*raw).get_object().get(change) != simdjson::SUCCESS) {
        bad(where, "kinesis.data is not a JSON change record");
      }
      out.push_back(read_record(change, where, {}));
      continue;
    }
    std::string_view arn;
    if (o["eventSourceARN"].get_string().get(arn) != simdjson::SUCCESS) arn = {};
    out.push_back(read_record(o, where, arn));
  }
  return out;
}

client streams_client(client_options o) {
  o.api = api::streams;
  return client(std::move(o));
}

std::string stream_arn_of(const client& c, const std::string& table) {
  auto d = ops::describe_table(c, table);
  if (d.latest_stream_arn.empty() || d.stream_view_type.empty()) {
    throw validation_error("table", "table '" + table + "' has no stream (table_options::stream_view_type)");
  }
  return d.latest_stream_arn;
}

stream_reader::stream_reader(client streams, std::string stream_arn, ops::shard_iterator_type start)
    : c_(std::move(streams)), arn_(std::move(stream_arn)), start_(start) {}

std::vector<stream_record> stream_reader::poll() {
  // Open the shards whose parent is read to its end (or unknown: trimmed away).
  std::vector<ops::shard> shards;
  std::string table;
  ops::describe_stream_request req{.stream_arn = arn_, .exclusive_start_shard_id = {}, .limit = {}};
  do {
    auto d = ops::describe_stream(c_, req);
    table = d.table_name;
    for (auto& s : d.shards) shards.push_back(std::move(s));
    req.exclusive_start_shard_id = d.last_evaluated_shard_id;
  } while (!req.exclusive_start_shard_id.empty());
  std::set<std::string> known;
  for (const auto& s : shards) known.insert(s.shard_id);
  for (const auto& s : shards) {
    if (done_.count(s.shard_id) || iterators_.count(s.shard_id)) continue;
    bool parent_pending =
        !s.parent_shard_id.empty() && known.count(s.parent_shard_id) && !done_.count(s.parent_shard_id);
    if (parent_pending) continue;
    iterators_[s.shard_id] = ops::get_shard_iterator(
        c_, {.stream_arn = arn_, .shard_id = s.shard_id, .type = start_, .sequence_number = {}});
  }
  std::vector<stream_record> out;
  for (auto it = iterators_.begin(); it != iterators_.end();) {
    auto r = ops::get_records(c_, {.shard_iterator = it->second, .limit = {}});
    for (auto& rec : parse_stream_records(r.answer)) {
      rec.position.clear();                      // positions of one answer mean nothing to the caller
      if (rec.table.empty()) rec.table = table;  // GetRecords' records carry no ARN
      out.push_back(std::move(rec));
    }
    if (r.next_shard_iterator.empty()) {
      done_.insert(it->first);
      it = iterators_.erase(it);
    } else {
      it->second = std::move(r.next_shard_iterator);
      ++it;
    }
  }
  return out;
}

namespace detail {
validation_error at_record(const validation_error& e, const std::string& where) {
  std::vector<validation_issue> issues;
  for (const auto& i : e.issues()) issues.push_back({i.path.empty() ? where : where + "." + i.path, i.message});
  return validation_error(std::move(issues));
}
}  // namespace detail

}  // namespace dynantic
