#include "value/json_reader.hpp"

#include <algorithm>
#include <mutex>
#include <vector>
#include <string>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic::detail {
namespace {

[[noreturn]] void shape(std::string_view what) { throw decode_error("malformed DynamoDB-JSON: " + std::string(what)); }

std::string_view as_string(simdjson::dom::element e, std::string_view what) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) shape(std::string(what) + " must be a string");
  return s;
}

simdjson::dom::array as_array(simdjson::dom::element e, std::string_view what) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) shape(std::string(what) + " must be an array");
  return a;
}

std::string checked_number(std::string_view text) {
  if (auto why = codec::check_number(text)) {
    throw validation_error("", "invalid number '" + std::string(text) + "': " + *why);
  }
  return std::string(text);
}

std::string decoded_binary(std::string_view text) {
  auto raw = codec::base64_decode(text);
  if (!raw) shape("B value is not valid base64");
  return std::move(*raw);
}

}  // namespace

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

namespace {
struct parser_pool {
  std::mutex mutex;
  std::vector<std::unique_ptr<simdjson::dom::parser>> kept;
};
parser_pool& parsers() {
  static auto* p = new parser_pool;  // never destroyed: parsers may come back during static destruction
  return *p;
}
constexpr std::size_t max_kept_parsers = 16;
constexpr std::size_t max_kept_parser_capacity = 32 << 20;
}  // namespace

pooled_parser::pooled_parser() {
  auto& pool = parsers();
  {
    std::lock_guard lock(pool.mutex);
    if (!pool.kept.empty()) {
      p_ = std::move(pool.kept.back());
      pool.kept.pop_back();
    }
  }
  if (!p_) p_ = std::make_unique<simdjson::dom::parser>();
}

pooled_parser::~pooled_parser() {
  if (!p_ || p_->capacity() > max_kept_parser_capacity) return;
  auto& pool = parsers();
  std::lock_guard lock(pool.mutex);
  if (pool.kept.size() < max_kept_parsers) pool.kept.push_back(std::move(p_));
}

simdjson::simdjson_result<simdjson::dom::element> pooled_parser::parse(const std::string& json) const {
  if (p_->capacity() < json.size()) {
    if (auto err = p_->allocate(json.size() + json.size() / 8)) return err;
  }
  return p_->parse(json);
}

simdjson::dom::element parse_json(std::string_view json) {
  simdjson::dom::element e;
  auto err = thread_parser().parse(json.data(), json.size()).get(e);
  if (err != simdjson::SUCCESS) throw decode_error(std::string("malformed JSON: ") + simdjson::error_message(err));
  return e;
}

attribute_value read_value(simdjson::dom::element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) shape("a value must be an object like {\"S\":\"x\"}");
  if (o.size() != 1) shape("a value must have exactly one type tag");
  auto field = *o.begin();
  std::string_view tag = field.key;
  simdjson::dom::element v = field.value;
  if (tag.size() == 1) {
    switch (tag[0]) {
      case 'S': return attribute_value::string(std::string(as_string(v, "S")));
      case 'N': return attribute_value::number_unchecked(checked_number(as_string(v, "N")));
      case 'B': return attribute_value::binary_from_string(decoded_binary(as_string(v, "B")));
      case 'M': return attribute_value::map(read_item(v));
      case 'L': {
        std::vector<attribute_value> l;
        auto a = as_array(v, "L");
        l.reserve(a.size());
        for (auto x : a) l.push_back(read_value(x));
        return attribute_value::list(std::move(l));
      }
      default: break;
    }
  } else if (tag == "BOOL") {
    bool b;
    if (v.get_bool().get(b) != simdjson::SUCCESS) shape("BOOL must be true or false");
    return attribute_value::boolean(b);
  } else if (tag == "NULL") {
    bool b;
    if (v.get_bool().get(b) != simdjson::SUCCESS || !b) shape("NULL must be true");
    return attribute_value::null();
  } else if (tag == "SS" || tag == "NS" || tag == "BS") {
    std::vector<std::string> elems;
    auto a = as_array(v, tag);
    elems.reserve(a.size());
    for (auto x : a) {
      auto s = as_string(x, "a set element");
      if (tag[0] == 'S') elems.emplace_back(s);
      else if (tag[0] == 'N') elems.push_back(checked_number(s));
      else elems.push_back(decoded_binary(s));
    }
    // What could not be written back is not read either: DynamoDB stores no empty set and no set with two equal
    // elements (numbers compare by value).
    if (elems.empty()) shape("an empty " + std::string(tag) + " (DynamoDB stores no empty sets)");
    if (elems.size() > 1) {
      std::vector<std::string> sorted;
      sorted.reserve(elems.size());
      for (const auto& x : elems) sorted.push_back(tag[0] == 'N' ? codec::canonical_number(x) : x);
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        shape(std::string(tag) + " has two equal elements");
      }
    }
    if (tag[0] == 'S') return attribute_value::string_set(std::move(elems));
    if (tag[0] == 'N') return attribute_value::number_set_unchecked(std::move(elems));
    return attribute_value::binary_set(std::move(elems));
  }
  shape("unknown type tag '" + std::string(tag) + "'");
}

item read_item(simdjson::dom::element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) shape("an item must be an object");
  item it;
  for (auto field : o) {
    it.insert_or_assign(it.end(), std::string(field.key), read_value(field.value));
  }
  return it;
}

std::string_view get_string(simdjson::dom::object o, std::string_view key) {
  std::string_view s;
  if (o[key].get_string().get(s) != simdjson::SUCCESS) shape("missing string member '" + std::string(key) + "'");
  return s;
}

}  // namespace dynantic::detail

namespace dynantic::codec {

item read_item(std::string_view json) { return detail::read_item(detail::parse_json(json)); }
attribute_value read_value(std::string_view json) { return detail::read_value(detail::parse_json(json)); }

}  // namespace dynantic::codec
