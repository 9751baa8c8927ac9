// Serialization of the low-level requests and parsing of their answers.
#include <dynantic/ops/operations.hpp>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

#include "buffers.hpp"
#include "model/ddb_json_dom.hpp"
#include "ops/batch_codec.hpp"
#include "value/json_reader.hpp"
#include "value/json_writer.hpp"
#include "wire/client_impl.hpp"

namespace dynantic::ops {
namespace {

using detail::json_writer;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// ------------------------------------------------------------------ writing

void write_item(json_writer& w, std::string_view key, const item& it) {
  w.key(key);
  w.raw_with([&](std::string& out) { codec::write_item(out, it); });
}

void write_common(json_writer& w, const attribute_names& names, const attribute_values& values) {
  if (!names.empty()) {
    w.key("ExpressionAttributeNames");
    w.begin_object();
    for (const auto& [k, v] : names) w.member(k, v);
    w.end_object();
  }
  if (!values.empty()) write_item(w, "ExpressionAttributeValues", values);
}

void check_name_format(std::string_view what, const std::string& n) {
  if (!dynantic::detail::valid_table_name(n)) {
    throw validation_error(std::string(what),
                           "'" + n + "' is not a valid name: 3 to 255 characters of A-Z a-z 0-9 _ . -");
  }
}

void write_if(json_writer& w, std::string_view key, const std::string& s) {
  if (s.empty()) return;
  if (key.ends_with("Expression") && s.size() > 4096) {
    throw validation_error(std::string(key), "longer than DynamoDB's 4 KB limit for an expression (" +
                                                 std::to_string(s.size()) + " bytes)");
  }
  if (key == "IndexName") check_name_format(key, s);
  w.member(key, s);
}

std::string_view return_values_text(return_values r) {
  switch (r) {
    case return_values::none: return "NONE";
    case return_values::all_old: return "ALL_OLD";
    case return_values::updated_old: return "UPDATED_OLD";
    case return_values::all_new: return "ALL_NEW";
    case return_values::updated_new: return "UPDATED_NEW";
  }
  return "NONE";
}

void write_return(json_writer& w, return_values r, bool old_on_failure) {
  if (r != return_values::none) w.member("ReturnValues", return_values_text(r));
  if (old_on_failure) w.member("ReturnValuesOnConditionCheckFailure", "ALL_OLD");
}

void write_select(json_writer& w, select s) {
  switch (s) {
    case select::default_: return;
    case select::all_attributes: w.member("Select", "ALL_ATTRIBUTES"); return;
    case select::all_projected_attributes: w.member("Select", "ALL_PROJECTED_ATTRIBUTES"); return;
    case select::specific_attributes: w.member("Select", "SPECIFIC_ATTRIBUTES"); return;
    case select::count: w.member("Select", "COUNT"); return;
  }
}

void require_table(const std::string& t) {
  if (t.empty()) throw validation_error("TableName", "a table name is required");
  check_name_format("TableName", t);
}

// ------------------------------------------------------------------ reading

object as_object(element e) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) throw decode_error("dynantic: the answer is not a JSON object");
  return o;
}

object parse_answer(const std::string& body) { return as_object(detail::parse_json(body)); }

std::optional<item> opt_item(object o, std::string_view key) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS) return std::nullopt;
  return detail::read_item(e);
}

std::vector<item> item_list(element e) {
  std::vector<item> out;
  array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) throw decode_error("dynantic: expected a list of items");
  out.reserve(a.size());
  for (auto x : a) out.push_back(detail::read_item(x));
  return out;
}

std::string str(object o, std::string_view key) {
  std::string_view s;
  if (o[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

std::int64_t integer(object o, std::string_view key) {
  std::int64_t v = 0;
  if (o[key].get_int64().get(v) != simdjson::SUCCESS) return 0;
  return v;
}

// The items inside an error answer: a failed condition's stored item (ReturnValuesOnConditionCheckFailure), or
// each cancellation reason's. An answer that does not hold them leaves the error as the executor made it.
[[noreturn]] void rethrow_with_items(const conditional_check_failed& e, const std::string& body) {
  std::optional<item> old;
  try {
    old = opt_item(parse_answer(body), "Item");
  } catch (const error&) {
  }
  if (!old) throw;
  throw conditional_check_failed(e.info(), std::move(old));
}
[[noreturn]] void rethrow_with_items(const transaction_canceled& e, const std::string& body) {
  std::vector<cancellation_reason> reasons = e.reasons();
  try {
    array list;
    if (parse_answer(body)["CancellationReasons"].get_array().get(list) == simdjson::SUCCESS) {
      std::size_t i = 0;
      for (auto r : list) {
        object ro;
        if (i < reasons.size() && r.get_object().get(ro) == simdjson::SUCCESS) reasons[i].old = opt_item(ro, "Item");
        ++i;
      }
    }
  } catch (const error&) {
  }
  throw transaction_canceled(e.info(), std::move(reasons));
}

// Inside a catch block: rethrows the call's error with what the operations layer adds (the table named in
// table_not_found; the items of the error answer in conditional_check_failed and transaction_canceled).
[[noreturn]] void rethrow_call_error(const std::string& error_body, std::string_view table) {
  try {
    throw;
  } catch (const table_not_found& e) {
    if (table.empty() || !e.table().empty()) throw;
    throw table_not_found(e.info(), std::string(table));
  } catch (const conditional_check_failed& e) {
    rethrow_with_items(e, error_body);
  } catch (const transaction_canceled& e) {
    rethrow_with_items(e, error_body);
  }
}

// `table`: the one table the request is for, named in table_not_found.
std::string call(const client& c, std::string_view op, std::string body, std::string_view table = {},
                 std::shared_ptr<capacity_limit> limit = {}) {
  std::string error_body;
  try {
    return detail::client_access::impl(c).call(op, std::move(body), &error_body, std::move(limit));
  } catch (...) {
    rethrow_call_error(error_body, table);
  }
}

// call() on the client's async engine.
class async_call : public detail::api_awaiter {
 public:
  async_call(const client& c, std::string_view op, std::string body, std::string_view table = {},
             std::shared_ptr<capacity_limit> limit = {})
      : api_awaiter(c, op, std::move(body), std::move(limit)), table_(table) {}
  std::string await_resume() {
    std::string error_body;
    try {
      return result(&error_body);
    } catch (...) {
      rethrow_call_error(error_body, table_);
    }
  }

 private:
  std::string table_;
};

std::optional<item_collection_metrics> collection_of(object m) {
  auto key = opt_item(m, "ItemCollectionKey");
  if (!key) return std::nullopt;
  item_collection_metrics out{std::move(*key)};
  array range;
  if (m["SizeEstimateRangeGB"].get_array().get(range) == simdjson::SUCCESS) {
    std::size_t i = 0;
    for (auto v : range) {
      double d = 0;
      if (v.get_double().get(d) == simdjson::SUCCESS) (i++ == 0 ? out.low_gb : out.high_gb) = d;
    }
  }
  return out;
}

// ItemCollectionMetrics of a BatchWriteItem or TransactWriteItems answer: table -> list.
std::map<std::string, std::vector<item_collection_metrics>> collections_of(object o) {
  std::map<std::string, std::vector<item_collection_metrics>> out;
  object metrics;
  if (o["ItemCollectionMetrics"].get_object().get(metrics) != simdjson::SUCCESS) return out;
  for (auto f : metrics) {
    array a;
    if (f.value.get_array().get(a) != simdjson::SUCCESS) continue;
    auto& list = out[std::string(f.key)];
    for (auto e : a) {
      object m;
      if (e.get_object().get(m) != simdjson::SUCCESS) continue;
      if (auto c = collection_of(m)) list.push_back(std::move(*c));
    }
  }
  return out;
}

write_result write_answer(const std::string& body) {
  write_result r;
  if (body.size() <= 2) return r;
  object o = parse_answer(body);
  r.attributes = opt_item(o, "Attributes");
  object m;
  if (o["ItemCollectionMetrics"].get_object().get(m) == simdjson::SUCCESS) r.item_collection_metrics = collection_of(m);
  return r;
}

// ------------------------------------------------------------------ tables

std::string_view key_type_text(key_type k) { return k == key_type::hash ? "HASH" : "RANGE"; }
std::string_view scalar_text(scalar_type t) { return t == scalar_type::s ? "S" : t == scalar_type::n ? "N" : "B"; }

void write_key_schema(json_writer& w, const std::vector<key_schema_element>& ks) {
  w.key("KeySchema");
  w.begin_array();
  for (const auto& k : ks) {
    w.begin_object();
    w.member("AttributeName", k.attribute_name);
    w.member("KeyType", key_type_text(k.type));
    w.end_object();
  }
  w.end_array();
}

void write_throughput(json_writer& w, const provisioned_throughput& t) {
  w.key("ProvisionedThroughput");
  w.begin_object();
  w.member_int("ReadCapacityUnits", t.read_capacity_units);
  w.member_int("WriteCapacityUnits", t.write_capacity_units);
  w.end_object();
}

void write_projection(json_writer& w, const projection& p) {
  w.key("Projection");
  w.begin_object();
  w.member("ProjectionType", p.type == projection::kind::all         ? "ALL"
                             : p.type == projection::kind::keys_only ? "KEYS_ONLY"
                                                                     : "INCLUDE");
  if (p.type == projection::kind::include) {
    w.key("NonKeyAttributes");
    w.begin_array();
    for (const auto& a : p.non_key_attributes) w.string(a);
    w.end_array();
  }
  w.end_object();
}

void write_indexes(json_writer& w, std::string_view key, const std::vector<secondary_index>& idx, bool global,
                   billing_mode mode) {
  if (idx.empty()) return;
  w.key(key);
  w.begin_array();
  for (const auto& i : idx) {
    w.begin_object();
    w.member("IndexName", i.index_name);
    write_key_schema(w, i.key_schema);
    write_projection(w, i.projection);
    if (global && mode == billing_mode::provisioned) {
      write_throughput(w, i.throughput.value_or(provisioned_throughput{1, 1}));
    }
    w.end_object();
  }
  w.end_array();
}

std::vector<key_schema_element> read_key_schema(object o) {
  std::vector<key_schema_element> ks;
  array a;
  if (o["KeySchema"].get_array().get(a) != simdjson::SUCCESS) return ks;
  for (auto e : a) {
    object k = as_object(e);
    ks.push_back({str(k, "AttributeName"), str(k, "KeyType") == "RANGE" ? key_type::range : key_type::hash});
  }
  return ks;
}

std::optional<provisioned_throughput> read_throughput(object o) {
  object t;
  if (o["ProvisionedThroughput"].get_object().get(t) != simdjson::SUCCESS) return std::nullopt;
  return provisioned_throughput{integer(t, "ReadCapacityUnits"), integer(t, "WriteCapacityUnits")};
}

std::vector<secondary_index> read_indexes(object o, std::string_view key) {
  std::vector<secondary_index> out;
  array a;
  if (o[key].get_array().get(a) != simdjson::SUCCESS) return out;
  for (auto e : a) {
    object io = as_object(e);
    secondary_index si;
    si.index_name = str(io, "IndexName");
    si.key_schema = read_key_schema(io);
    si.index_status = str(io, "IndexStatus");
    si.throughput = read_throughput(io);
    object p;
    if (io["Projection"].get_object().get(p) == simdjson::SUCCESS) {
      auto t = str(p, "ProjectionType");
      si.projection.type = t == "KEYS_ONLY" ? projection::kind::keys_only
                           : t == "INCLUDE" ? projection::kind::include
                                            : projection::kind::all;
      array nk;
      if (p["NonKeyAttributes"].get_array().get(nk) == simdjson::SUCCESS) {
        for (auto n : nk) {
          std::string_view s;
          if (n.get_string().get(s) == simdjson::SUCCESS) si.projection.non_key_attributes.emplace_back(s);
        }
      }
    }
    out.push_back(std::move(si));
  }
  return out;
}

table_description read_table(object t) {
  table_description d;
  d.table_name = str(t, "TableName");
  d.table_arn = str(t, "TableArn");
  d.table_status = str(t, "TableStatus");
  d.key_schema = read_key_schema(t);
  array defs;
  if (t["AttributeDefinitions"].get_array().get(defs) == simdjson::SUCCESS) {
    for (auto e : defs) {
      object a = as_object(e);
      auto ty = str(a, "AttributeType");
      d.attribute_definitions.push_back({str(a, "AttributeName"), ty == "N"   ? scalar_type::n
                                                                  : ty == "B" ? scalar_type::b
                                                                              : scalar_type::s});
    }
  }
  d.global_secondary_indexes = read_indexes(t, "GlobalSecondaryIndexes");
  d.local_secondary_indexes = read_indexes(t, "LocalSecondaryIndexes");
  object bm;
  d.billing_mode = billing_mode::provisioned;
  if (t["BillingModeSummary"].get_object().get(bm) == simdjson::SUCCESS &&
      str(bm, "BillingMode") == "PAY_PER_REQUEST") {
    d.billing_mode = billing_mode::pay_per_request;
  }
  d.throughput = read_throughput(t);
  d.latest_stream_arn = str(t, "LatestStreamArn");
  object spec;
  if (t["StreamSpecification"].get_object().get(spec) == simdjson::SUCCESS) {
    bool on = false;
    if (spec["StreamEnabled"].get_bool().get(on) == simdjson::SUCCESS && on)
      d.stream_view_type = str(spec, "StreamViewType");
  }
  d.item_count = integer(t, "ItemCount");
  d.table_size_bytes = integer(t, "TableSizeBytes");
  return d;
}

table_description read_table_member(const std::string& body, std::string_view member) {
  object o = parse_answer(body);
  object t;
  if (o[member].get_object().get(t) != simdjson::SUCCESS) {
    throw decode_error("dynantic: the answer has no " + std::string(member));
  }
  return read_table(t);
}

void write_keys_and_attributes(json_writer& w, const keys_and_attributes& ka) {
  w.begin_object();
  w.key("Keys");
  w.begin_array();
  for (const auto& k : ka.keys) w.raw_with([&](std::string& out) { codec::write_item(out, k); });
  w.end_array();
  if (ka.consistent_read) w.member_bool("ConsistentRead", true);
  write_if(w, "ProjectionExpression", ka.projection_expression);
  write_common(w, ka.expression_attribute_names, {});
  w.end_object();
}

}  // namespace

// ------------------------------------------------------------------ single items

namespace {
std::string get_item_body(const get_item_request& r) {
  require_table(r.table_name);
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", r.table_name);
  write_item(w, "Key", r.key);
  if (r.consistent_read) w.member_bool("ConsistentRead", true);
  write_if(w, "ProjectionExpression", r.projection_expression);
  write_common(w, r.expression_attribute_names, {});
  w.end_object();
  return body;
}
}  // namespace

get_item_result get_item(const client& c, const get_item_request& r) {
  return {opt_item(parse_answer(call(c, "GetItem", get_item_body(r), r.table_name)), "Item")};
}

namespace {
std::string put_item_body(const put_item_request& r) {
  require_table(r.table_name);
  std::string body;
  body.reserve(128 + r.item_json.size() + r.item.size() * 48);
  json_writer w(body);
  w.begin_object();
  w.member("TableName", r.table_name);
  if (r.item_json.empty()) {
    write_item(w, "Item", r.item);
  } else {
    w.key("Item");
    w.raw(r.item_json);
  }
  write_if(w, "ConditionExpression", r.condition_expression);
  write_common(w, r.expression_attribute_names, r.expression_attribute_values);
  write_return(w, r.return_values, r.return_old_on_condition_failure);
  w.end_object();
  return body;
}
}  // namespace

write_result put_item(const client& c, const put_item_request& r) {
  return write_answer(call(c, "PutItem", put_item_body(r), r.table_name));
}

namespace {
std::string update_item_body(const update_item_request& r) {
  require_table(r.table_name);
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", r.table_name);
  write_item(w, "Key", r.key);
  write_if(w, "UpdateExpression", r.update_expression);
  write_if(w, "ConditionExpression", r.condition_expression);
  write_common(w, r.expression_attribute_names, r.expression_attribute_values);
  write_return(w, r.return_values, r.return_old_on_condition_failure);
  w.end_object();
  return body;
}
}  // namespace

write_result update_item(const client& c, const update_item_request& r) {
  return write_answer(call(c, "UpdateItem", update_item_body(r), r.table_name));
}

namespace {
std::string delete_item_body(const delete_item_request& r) {
  require_table(r.table_name);
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", r.table_name);
  write_item(w, "Key", r.key);
  write_if(w, "ConditionExpression", r.condition_expression);
  write_common(w, r.expression_attribute_names, r.expression_attribute_values);
  write_return(w, r.return_values, r.return_old_on_condition_failure);
  w.end_object();
  return body;
}
}  // namespace

write_result delete_item(const client& c, const delete_item_request& r) {
  return write_answer(call(c, "DeleteItem", delete_item_body(r), r.table_name));
}

task<get_item_result> async_get_item(client c, get_item_request r) {
  async_call call(c, "GetItem", get_item_body(r), r.table_name);
  auto answer = co_await call;
  co_return get_item_result{opt_item(parse_answer(answer), "Item")};
}
task<write_result> async_put_item(client c, put_item_request r) {
  async_call call(c, "PutItem", put_item_body(r), r.table_name);
  auto answer = co_await call;
  co_return write_answer(answer);
}
task<write_result> async_update_item(client c, update_item_request r) {
  async_call call(c, "UpdateItem", update_item_body(r), r.table_name);
  auto answer = co_await call;
  co_return write_answer(answer);
}
task<write_result> async_delete_item(client c, delete_item_request r) {
  async_call call(c, "DeleteItem", delete_item_body(r), r.table_name);
  auto answer = co_await call;
  co_return write_answer(answer);
}

// ------------------------------------------------------------------ query and scan

namespace {
page_result read_page(const std::string& answer) {
  object o = parse_answer(answer);
  page_result p;
  element items;
  if (o["Items"].get(items) == simdjson::SUCCESS) p.items = item_list(items);
  p.count = integer(o, "Count");
  p.scanned_count = integer(o, "ScannedCount");
  p.last_evaluated_key = opt_item(o, "LastEvaluatedKey");
  return p;
}
}  // namespace

namespace {
std::string query_body(const query_request& r) {
  require_table(r.table_name);
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", r.table_name);
  write_if(w, "IndexName", r.index_name);
  write_if(w, "KeyConditionExpression", r.key_condition_expression);
  write_if(w, "FilterExpression", r.filter_expression);
  write_if(w, "ProjectionExpression", r.projection_expression);
  write_common(w, r.expression_attribute_names, r.expression_attribute_values);
  if (r.limit) w.member_int("Limit", *r.limit);
  if (!r.scan_index_forward) w.member_bool("ScanIndexForward", false);
  if (r.consistent_read) w.member_bool("ConsistentRead", true);
  if (r.exclusive_start_key) write_item(w, "ExclusiveStartKey", *r.exclusive_start_key);
  write_select(w, r.select);
  w.end_object();
  return body;
}

std::string scan_body(const scan_request& r) {
  require_table(r.table_name);
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", r.table_name);
  write_if(w, "IndexName", r.index_name);
  write_if(w, "FilterExpression", r.filter_expression);
  write_if(w, "ProjectionExpression", r.projection_expression);
  write_common(w, r.expression_attribute_names, r.expression_attribute_values);
  if (r.limit) w.member_int("Limit", *r.limit);
  if (r.consistent_read) w.member_bool("ConsistentRead", true);
  if (r.exclusive_start_key) write_item(w, "ExclusiveStartKey", *r.exclusive_start_key);
  if (r.segment) w.member_int("Segment", *r.segment);
  if (r.total_segments) w.member_int("TotalSegments", *r.total_segments);
  write_select(w, r.select);
  w.end_object();
  return body;
}

}  // namespace

page_result query(const client& c, const query_request& r) {
  return read_page(call(c, "Query", query_body(r), r.table_name, r.capacity_limit));
}
page_result scan(const client& c, const scan_request& r) {
  return read_page(call(c, "Scan", scan_body(r), r.table_name, r.capacity_limit));
}
task<page_result> async_query(client c, query_request r) {
  async_call call(c, "Query", query_body(r), r.table_name, r.capacity_limit);
  auto answer = co_await call;
  co_return read_page(answer);
}
task<page_result> async_scan(client c, scan_request r) {
  async_call call(c, "Scan", scan_body(r), r.table_name, r.capacity_limit);
  auto answer = co_await call;
  co_return read_page(answer);
}

// ------------------------------------------------------------------ batches

}  // namespace dynantic::ops

namespace dynantic::detail {

// A Query/Scan answer parsed once and kept: its items are decoded in place (no item trees).
class page_answer {
 public:
  explicit page_answer(std::string text) : text_(std::move(text)) {
    simdjson::dom::element doc;
    if (auto e = parser_.parse(text_).get(doc)) {  // no copy when the transport left the padding
      throw decode_error(std::string("malformed JSON: ") + simdjson::error_message(e));
    }
    simdjson::dom::object o;
    if (doc.get_object().get(o)) throw decode_error("dynantic: the answer is not a JSON object");
    simdjson::dom::array items;
    if (o["Items"].get_array().get(items) == simdjson::SUCCESS) {
      items_.reserve(items.size());
      for (auto it : items) {
        if (!it.is_object()) throw decode_error("dynantic: expected a list of items");
        items_.push_back(it);
      }
    }
    std::int64_t n = 0;
    if (o["Count"].get_int64().get(n) == simdjson::SUCCESS) count_ = n;
    simdjson::dom::element last;
    if (o["LastEvaluatedKey"].get(last) == simdjson::SUCCESS) last_ = read_item(last);
  }
  std::size_t size() const { return items_.size(); }
  simdjson::dom::element at(std::size_t i) const { return items_.at(i); }
  std::int64_t count() const { return count_; }
  std::optional<item>& last_evaluated_key() { return last_; }
  page_answer(const page_answer&) = delete;
  page_answer& operator=(const page_answer&) = delete;
  ~page_answer() { recycle_buffer(std::move(text_)); }

 private:
  std::string text_;
  pooled_parser parser_;  // its buffers and the text's are reused by a later page
  std::vector<simdjson::dom::element> items_;
  std::int64_t count_ = 0;
  std::optional<item> last_;
};

item answer_item::to_item() const { return read_item(answer->at(index)); }

void answer_item::visit(void* ctx, void (*cb)(void*, const ddb_value&)) const {
  cb(ctx, ddb_value_of_dom_item(answer->at(index)));
}

namespace {
raw_page_result read_raw_page(std::string text) {
  auto a = std::make_shared<page_answer>(std::move(text));
  raw_page_result r;
  r.items.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) r.items.push_back({a, i});
  r.count = a->count();
  r.last_evaluated_key = std::move(a->last_evaluated_key());
  return r;
}
}  // namespace

raw_page_result query_raw(const client& c, const ops::query_request& r) {
  return read_raw_page(client_access::impl(c).call("Query", ops::query_body(r), nullptr, r.capacity_limit));
}
raw_page_result scan_raw(const client& c, const ops::scan_request& r) {
  return read_raw_page(client_access::impl(c).call("Scan", ops::scan_body(r), nullptr, r.capacity_limit));
}
task<raw_page_result> async_query_raw(client c, ops::query_request r) {
  ops::async_call call(c, "Query", ops::query_body(r), r.table_name, r.capacity_limit);
  auto answer = co_await call;
  co_return read_raw_page(std::move(answer));
}
task<raw_page_result> async_scan_raw(client c, ops::scan_request r) {
  ops::async_call call(c, "Scan", ops::scan_body(r), r.table_name, r.capacity_limit);
  auto answer = co_await call;
  co_return read_raw_page(std::move(answer));
}

}  // namespace dynantic::detail

namespace dynantic::ops::detail_batch {
using detail::json_writer;

std::string batch_get_body(const batch_get_item_request& r) {
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.key("RequestItems");
  w.begin_object();
  for (const auto& [table, ka] : r.request_items) {
    w.key(table);
    write_keys_and_attributes(w, ka);
  }
  w.end_object();
  w.end_object();
  return body;
}

batch_get_item_result parse_batch_get(const std::string& answer) {
  object o = parse_answer(answer);
  batch_get_item_result res;
  object responses;
  if (o["Responses"].get_object().get(responses) == simdjson::SUCCESS) {
    for (auto f : responses) res.responses[std::string(f.key)] = item_list(f.value);
  }
  object unprocessed;
  if (o["UnprocessedKeys"].get_object().get(unprocessed) == simdjson::SUCCESS) {
    for (auto f : unprocessed) {
      object ko = as_object(f.value);
      keys_and_attributes ka;
      element keys;
      if (ko["Keys"].get(keys) == simdjson::SUCCESS) ka.keys = item_list(keys);
      bool consistent = false;
      if (ko["ConsistentRead"].get_bool().get(consistent) == simdjson::SUCCESS) ka.consistent_read = consistent;
      ka.projection_expression = str(ko, "ProjectionExpression");
      object names;
      if (ko["ExpressionAttributeNames"].get_object().get(names) == simdjson::SUCCESS) {
        for (auto n : names) {
          std::string_view s;
          if (n.value.get_string().get(s) == simdjson::SUCCESS) ka.expression_attribute_names[std::string(n.key)] = s;
        }
      }
      if (!ka.keys.empty()) res.unprocessed_keys[std::string(f.key)] = std::move(ka);
    }
  }
  return res;
}

std::string batch_write_body(std::span<const write_view> writes, std::size_t size_hint) {
  std::map<std::string_view, std::vector<std::size_t>> per_table;
  for (std::size_t i = 0; i < writes.size(); ++i) per_table[writes[i].table].push_back(i);
  std::string body;
  body = dynantic::detail::take_buffer(size_hint);
  json_writer w(body);
  w.begin_object();
  w.key("RequestItems");
  w.begin_object();
  for (const auto& [table, idx] : per_table) {
    w.key(table);
    w.begin_array();
    for (auto i : idx) {
      const write_view& q = writes[i];
      w.begin_object();
      w.key(q.put ? "PutRequest" : "DeleteRequest");
      w.begin_object();
      w.key(q.put ? "Item" : "Key");
      if (!q.json.empty() || !q.data) {
        w.raw(q.json);
      } else {
        w.raw_with([&](std::string& out) { codec::write_item(out, *q.data); });
      }
      w.end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  w.end_object();
  return body;
}

std::string batch_write_body(const batch_write_item_request& r) {
  std::vector<write_view> views;
  for (const auto& [table, reqs] : r.request_items) {
    for (const auto& q : reqs) views.push_back({table, q.type == write_request::kind::put, {}, &q.data});
  }
  return batch_write_body(views);
}

batch_write_item_result parse_batch_write(const std::string& answer) {
  object o = parse_answer(answer);
  batch_write_item_result res;
  object unprocessed;
  if (o["UnprocessedItems"].get_object().get(unprocessed) == simdjson::SUCCESS) {
    for (auto f : unprocessed) {
      array a;
      if (f.value.get_array().get(a) != simdjson::SUCCESS) continue;
      auto& out = res.unprocessed_items[std::string(f.key)];
      for (auto e : a) {
        object wo = as_object(e);
        object inner;
        if (wo["PutRequest"].get_object().get(inner) == simdjson::SUCCESS) {
          out.push_back(write_request::put(opt_item(inner, "Item").value_or(item{})));
        } else if (wo["DeleteRequest"].get_object().get(inner) == simdjson::SUCCESS) {
          out.push_back(write_request::delete_key(opt_item(inner, "Key").value_or(item{})));
        }
      }
      if (out.empty()) res.unprocessed_items.erase(std::string(f.key));
    }
  }
  res.item_collection_metrics = collections_of(o);
  return res;
}

}  // namespace dynantic::ops::detail_batch

namespace dynantic::ops {

batch_get_item_result batch_get_item(const client& c, const batch_get_item_request& r) {
  return detail_batch::parse_batch_get(call(c, "BatchGetItem", detail_batch::batch_get_body(r)));
}

batch_write_item_result batch_write_item(const client& c, const batch_write_item_request& r) {
  return detail_batch::parse_batch_write(call(c, "BatchWriteItem", detail_batch::batch_write_body(r)));
}
task<batch_get_item_result> async_batch_get_item(client c, batch_get_item_request r) {
  async_call call(c, "BatchGetItem", detail_batch::batch_get_body(r));
  auto answer = co_await call;
  co_return detail_batch::parse_batch_get(answer);
}
task<batch_write_item_result> async_batch_write_item(client c, batch_write_item_request r) {
  async_call call(c, "BatchWriteItem", detail_batch::batch_write_body(r));
  auto answer = co_await call;
  co_return detail_batch::parse_batch_write(answer);
}

// ------------------------------------------------------------------ transactions

namespace {
std::string transact_get_body(const transact_get_items_request& r) {
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.key("TransactItems");
  w.begin_array();
  for (const auto& g : r.items) {
    require_table(g.table_name);
    w.begin_object();
    w.key("Get");
    w.begin_object();
    w.member("TableName", g.table_name);
    write_item(w, "Key", g.key);
    write_if(w, "ProjectionExpression", g.projection_expression);
    write_common(w, g.expression_attribute_names, {});
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return body;
}
transact_get_items_result parse_transact_get(const std::string& answer, std::size_t n) {
  object o = parse_answer(answer);
  transact_get_items_result res;
  res.items.resize(n);
  array a;
  if (o["Responses"].get_array().get(a) == simdjson::SUCCESS) {
    std::size_t i = 0;
    for (auto e : a) {
      if (i >= res.items.size()) break;
      res.items[i++] = opt_item(as_object(e), "Item");
    }
  }
  return res;
}

}  // namespace

transact_get_items_result transact_get_items(const client& c, const transact_get_items_request& r) {
  return parse_transact_get(call(c, "TransactGetItems", transact_get_body(r)), r.items.size());
}
task<transact_get_items_result> async_transact_get_items(client c, transact_get_items_request r) {
  async_call call(c, "TransactGetItems", transact_get_body(r));
  auto answer = co_await call;
  co_return parse_transact_get(answer, r.items.size());
}

namespace {
std::string transact_write_body(const transact_write_items_request& r) {
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.key("TransactItems");
  w.begin_array();
  for (const auto& t : r.items) {
    require_table(t.table_name);
    w.begin_object();
    switch (t.type) {
      case transact_write::kind::put: w.key("Put"); break;
      case transact_write::kind::update: w.key("Update"); break;
      case transact_write::kind::delete_: w.key("Delete"); break;
      case transact_write::kind::condition_check: w.key("ConditionCheck"); break;
    }
    w.begin_object();
    w.member("TableName", t.table_name);
    if (t.type == transact_write::kind::put && !t.data_json.empty()) {
      w.key("Item");
      w.raw(t.data_json);
    } else {
      write_item(w, t.type == transact_write::kind::put ? "Item" : "Key", t.data);
    }
    if (t.type == transact_write::kind::update) write_if(w, "UpdateExpression", t.update_expression);
    write_if(w, "ConditionExpression", t.condition_expression);
    write_common(w, t.expression_attribute_names, t.expression_attribute_values);
    if (t.return_old_on_condition_failure) w.member("ReturnValuesOnConditionCheckFailure", "ALL_OLD");
    w.end_object();
    w.end_object();
  }
  w.end_array();
  write_if(w, "ClientRequestToken", r.client_request_token);
  w.end_object();
  return body;
}

transact_write_items_result parse_transact_write(const std::string& answer) {
  transact_write_items_result res;
  if (answer.find("\"ItemCollectionMetrics\"") != std::string::npos) {
    res.item_collection_metrics = collections_of(parse_answer(answer));
  }
  return res;
}
}  // namespace

transact_write_items_result transact_write_items(const client& c, const transact_write_items_request& r) {
  return parse_transact_write(call(c, "TransactWriteItems", transact_write_body(r)));
}
task<transact_write_items_result> async_transact_write_items(client c, transact_write_items_request r) {
  async_call call(c, "TransactWriteItems", transact_write_body(r));
  auto answer = co_await call;
  co_return parse_transact_write(answer);
}

// ------------------------------------------------------------------ tables

table_description create_table(const client& c, const create_table_request& r) {
  require_table(r.table_name);
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", r.table_name);
  w.key("AttributeDefinitions");
  w.begin_array();
  for (const auto& a : r.attribute_definitions) {
    w.begin_object();
    w.member("AttributeName", a.attribute_name);
    w.member("AttributeType", scalar_text(a.type));
    w.end_object();
  }
  w.end_array();
  write_key_schema(w, r.key_schema);
  write_indexes(w, "GlobalSecondaryIndexes", r.global_secondary_indexes, true, r.billing_mode);
  write_indexes(w, "LocalSecondaryIndexes", r.local_secondary_indexes, false, r.billing_mode);
  if (r.billing_mode == billing_mode::pay_per_request) {
    w.member("BillingMode", "PAY_PER_REQUEST");
  } else {
    w.member("BillingMode", "PROVISIONED");
    write_throughput(w, r.throughput.value_or(provisioned_throughput{5, 5}));
  }
  if (!r.stream_view_type.empty()) {
    w.key("StreamSpecification");
    w.begin_object();
    w.member_bool("StreamEnabled", true);
    w.member("StreamViewType", r.stream_view_type);
    w.end_object();
  }
  w.end_object();
  return read_table_member(call(c, "CreateTable", std::move(body), r.table_name), "TableDescription");
}

table_description delete_table(const client& c, const std::string& table_name) {
  require_table(table_name);
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", table_name);
  w.end_object();
  return read_table_member(call(c, "DeleteTable", std::move(body), table_name), "TableDescription");
}

table_description describe_table(const client& c, const std::string& table_name) {
  require_table(table_name);
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", table_name);
  w.end_object();
  return read_table_member(call(c, "DescribeTable", std::move(body), table_name), "Table");
}

list_tables_result list_tables(const client& c, const list_tables_request& r) {
  std::string body;
  json_writer w(body);
  w.begin_object();
  write_if(w, "ExclusiveStartTableName", r.exclusive_start_table_name);
  if (r.limit) w.member_int("Limit", *r.limit);
  w.end_object();
  auto answer = call(c, "ListTables", std::move(body));
  object o = parse_answer(answer);
  list_tables_result res;
  array a;
  if (o["TableNames"].get_array().get(a) == simdjson::SUCCESS) {
    for (auto e : a) {
      std::string_view s;
      if (e.get_string().get(s) == simdjson::SUCCESS) res.table_names.emplace_back(s);
    }
  }
  res.last_evaluated_table_name = str(o, "LastEvaluatedTableName");
  return res;
}

time_to_live_specification update_time_to_live(const client& c, const std::string& table_name,
                                               const time_to_live_specification& spec) {
  require_table(table_name);
  if (spec.attribute_name.empty()) throw validation_error("AttributeName", "a TTL attribute name is required");
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", table_name);
  w.key("TimeToLiveSpecification");
  w.begin_object();
  w.member_bool("Enabled", spec.enabled);
  w.member("AttributeName", spec.attribute_name);
  w.end_object();
  w.end_object();
  auto answer = call(c, "UpdateTimeToLive", std::move(body), table_name);
  object o = parse_answer(answer);
  time_to_live_specification res = spec;
  object s;
  if (o["TimeToLiveSpecification"].get_object().get(s) == simdjson::SUCCESS) {
    bool enabled = spec.enabled;
    if (s["Enabled"].get_bool().get(enabled) == simdjson::SUCCESS) res.enabled = enabled;
    res.attribute_name = str(s, "AttributeName");
  }
  return res;
}

time_to_live_description describe_time_to_live(const client& c, const std::string& table_name) {
  require_table(table_name);
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("TableName", table_name);
  w.end_object();
  auto answer = call(c, "DescribeTimeToLive", std::move(body), table_name);
  object o = parse_answer(answer);
  time_to_live_description d;
  object s;
  if (o["TimeToLiveDescription"].get_object().get(s) == simdjson::SUCCESS) {
    d.status = str(s, "TimeToLiveStatus");
    d.attribute_name = str(s, "AttributeName");
  }
  return d;
}

// ------------------------------------------------------------------ DynamoDB Streams

stream_description describe_stream(const client& c, const describe_stream_request& r) {
  if (r.stream_arn.empty()) throw validation_error("StreamArn", "a stream ARN is required");
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("StreamArn", r.stream_arn);
  write_if(w, "ExclusiveStartShardId", r.exclusive_start_shard_id);
  if (r.limit) w.member_int("Limit", *r.limit);
  w.end_object();
  object o = parse_answer(call(c, "DescribeStream", std::move(body)));
  object d;
  stream_description out;
  if (o["StreamDescription"].get_object().get(d) != simdjson::SUCCESS) return out;
  out.stream_arn = str(d, "StreamArn");
  out.stream_status = str(d, "StreamStatus");
  out.stream_view_type = str(d, "StreamViewType");
  out.table_name = str(d, "TableName");
  out.last_evaluated_shard_id = str(d, "LastEvaluatedShardId");
  array shards;
  if (d["Shards"].get_array().get(shards) == simdjson::SUCCESS) {
    for (auto e : shards) {
      object so = as_object(e);
      shard sh;
      sh.shard_id = str(so, "ShardId");
      sh.parent_shard_id = str(so, "ParentShardId");
      object range;
      if (so["SequenceNumberRange"].get_object().get(range) == simdjson::SUCCESS) {
        sh.starting_sequence_number = str(range, "StartingSequenceNumber");
        sh.ending_sequence_number = str(range, "EndingSequenceNumber");
      }
      out.shards.push_back(std::move(sh));
    }
  }
  return out;
}

std::string get_shard_iterator(const client& c, const get_shard_iterator_request& r) {
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("StreamArn", r.stream_arn);
  w.member("ShardId", r.shard_id);
  const char* type = r.type == shard_iterator_type::trim_horizon         ? "TRIM_HORIZON"
                     : r.type == shard_iterator_type::latest             ? "LATEST"
                     : r.type == shard_iterator_type::at_sequence_number ? "AT_SEQUENCE_NUMBER"
                                                                         : "AFTER_SEQUENCE_NUMBER";
  w.member("ShardIteratorType", type);
  write_if(w, "SequenceNumber", r.sequence_number);
  w.end_object();
  return str(parse_answer(call(c, "GetShardIterator", std::move(body))), "ShardIterator");
}

get_records_result get_records(const client& c, const get_records_request& r) {
  std::string body;
  json_writer w(body);
  w.begin_object();
  w.member("ShardIterator", r.shard_iterator);
  if (r.limit) w.member_int("Limit", *r.limit);
  w.end_object();
  get_records_result out;
  out.answer = call(c, "GetRecords", std::move(body));
  out.next_shard_iterator = str(parse_answer(out.answer), "NextShardIterator");
  return out;
}

}  // namespace dynantic::ops
