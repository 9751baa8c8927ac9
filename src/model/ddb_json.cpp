// ddb_writer and ddb_value: DynamoDB-JSON straight to and from models (see include/dynantic/detail/ddb_json.hpp).
#include <dynantic/detail/ddb_json.hpp>

#include <algorithm>
#include <cstring>

#include <simdjson.h>

#include <dynantic/error.hpp>
#include <dynantic/model/converter.hpp>
#include <dynantic/value/codec.hpp>

#include "model/ddb_json_dom.hpp"
#include "value/json_reader.hpp"

namespace dynantic::detail {

// ---------------------------------------------------------------- writer

void ddb_writer::grow(std::size_t n) {
  // Room up to the capacity already reserved (a writer over a big buffer takes it in steps, so that resize
  // does not write zeros over more than the next few items), else the string grows (doubling).
  const std::size_t at = static_cast<std::size_t>(pos_ - out_.data());
  const std::size_t step = std::max<std::size_t>(n, 2048);
  std::size_t size = at + step;
  if (out_.capacity() >= at + n) size = std::min(out_.capacity(), size);
  out_.resize(size);
  pos_ = out_.data() + at;
  end_ = out_.data() + size;
}

bool ddb_writer::json_string(std::string_view s) {
  json_text k = json_string_class(s);
  if (k == json_text::escaped) {
    bool ascii = true;
    through_string([&](std::string& out) { ascii = append_json_string(out, s); });
    return ascii;
  }
  char* d = room(s.size() + 2);
  d[0] = '"';
  std::memcpy(d + 1, s.data(), s.size());
  d[s.size() + 1] = '"';
  pos_ = d + s.size() + 2;
  return k == json_text::ascii;
}

void ddb_writer::attribute(std::string_view name) {
  if (!first_) put(',');
  first_ = false;
  json_string(name);
  put(':');
}

void ddb_writer::string(std::string_view s) {
  if (json_text k = json_string_class(s); k != json_text::escaped) {  // the common case: one copy
    char* d = room(s.size() + 8);
    std::memcpy(d, R"({"S":")", 6);
    std::memcpy(d + 6, s.data(), s.size());
    std::memcpy(d + 6 + s.size(), R"("})", 2);
    pos_ = d + s.size() + 8;
    if (k == json_text::plain && !simdjson::validate_utf8(s.data(), s.size())) c_.fail("not valid UTF-8");
    return;
  }
  literal(R"({"S":)");
  if (!json_string(s) && !simdjson::validate_utf8(s.data(), s.size())) c_.fail("not valid UTF-8");
  put('}');
}

void ddb_writer::too_deep() { c_.fail("nested deeper than DynamoDB's 32 levels of maps and lists"); }

void ddb_writer::number_checked(std::string_view text) {
  if (auto why = codec::check_number(text)) c_.fail("invalid number '" + std::string(text) + "': " + *why);
  number(text);
}

void ddb_writer::binary(std::span<const std::byte> raw) {
  literal(R"({"B":")");
  through_string([&](std::string& out) {
    out += codec::base64_encode({reinterpret_cast<const char*>(raw.data()), raw.size()});
  });
  literal(R"("})");
}

void ddb_writer::begin_set(value_type t) {
  set_type_ = t;
  if (t == value_type::ss) literal(R"({"SS":[)");
  else if (t == value_type::ns) literal(R"({"NS":[)");
  else literal(R"({"BS":[)");
  first_ = true;
}

void ddb_writer::set_element(std::string_view e) {
  if (!first_) put(',');
  first_ = false;
  if (set_type_ == value_type::bs) {
    put('"');
    through_string([&](std::string& out) { out += codec::base64_encode(e); });
    put('"');
  } else if (!json_string(e) && set_type_ == value_type::ss && !simdjson::validate_utf8(e.data(), e.size())) {
    c_.fail("not valid UTF-8");
  }
}

void ddb_writer::value(const attribute_value& v) {
  try {
    through_string([&](std::string& out) { codec::write_value(out, v); });
  } catch (const validation_error& e) {
    for (const auto& i : e.issues()) {
      if (i.path.empty()) {
        c_.fail(i.message);
      } else {
        conversion_context::scope s(c_, i.path);
        c_.fail(i.message);
      }
    }
    null();  // keeps the text well-formed; the context holds the failure
  }
}

// ---------------------------------------------------------------- reader
// On-Demand: the document is parsed as it is walked, once, front to back, with no tape of the whole
// document first. Measured about twice as fast as walking the DOM for decoding models.

namespace {
namespace od = simdjson::ondemand;
static_assert(sizeof(od::value) <= sizeof(ddb_value::storage), "ddb_value's storage is too small");
static_assert(sizeof(od::object) <= sizeof(ddb_value::storage), "ddb_value's storage is too small");
static_assert(std::is_trivially_copyable_v<od::value> && std::is_trivially_copyable_v<od::object>);

[[noreturn]] void shape(std::string_view what) { throw decode_error("malformed DynamoDB-JSON: " + std::string(what)); }
[[noreturn]] void bad(simdjson::error_code e) {
  throw decode_error(std::string("malformed DynamoDB-JSON: ") + simdjson::error_message(e));
}

template <class T>
T load(const ddb_value& w) {
  T v;
  std::memcpy(static_cast<void*>(&v), w.storage, sizeof v);
  return v;
}

// The one-letter type tags: S, N, B, M, L.
bool one_letter_tag(char c, value_type& t) {
  switch (c) {
    case 'S': t = value_type::s; return true;
    case 'N': t = value_type::n; return true;
    case 'B': t = value_type::b; return true;
    case 'M': t = value_type::m; return true;
    case 'L': t = value_type::l; return true;
    default: return false;
  }
}

value_type tag_of(std::string_view tag) {
  value_type t;
  if (tag.size() == 1) {
    if (one_letter_tag(tag[0], t)) return t;
  } else if (tag == "BOOL") {
    return value_type::boolean;
  } else if (tag == "NULL") {
    return value_type::null;
  } else if (tag == "SS") {
    return value_type::ss;
  } else if (tag == "NS") {
    return value_type::ns;
  } else if (tag == "BS") {
    return value_type::bs;
  }
  shape("unknown type tag '" + std::string(tag) + "'");
}

// The text of a JSON string straight from the input when it has no escapes (most keys and values), else
// unescaped by simdjson. The input was validated (UTF-8, structure) by stage 1 and is padded.
std::string_view view_of(od::raw_json_string raw, od::value* v, od::field* f) {
  const char* begin = raw.raw();
  const char* p = begin;
  // 8 bytes at a time (the input is padded): stop at the first '"' or '\\'.
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  for (;;) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    std::uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    std::uint64_t hit = ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
    if (hit) {
      p += __builtin_ctzll(hit) / 8;
      break;
    }
    p += 8;
  }
  if (*p == '"') return {begin, static_cast<std::size_t>(p - begin)};
  std::string_view s;
  simdjson::error_code e = f ? f->unescaped_key().get(s) : v->get_string().get(s);
  if (e) bad(e);
  return s;
}

std::string_view key_of(od::field& f) { return view_of(f.key(), nullptr, &f); }

// Type tags are 1 to 4 capital letters: read them in place.
value_type fast_tag(od::field& f) {
  const char* k = f.key().raw();
  value_type t;
  if (k[1] == '"') {
    if (one_letter_tag(k[0], t)) return t;
  } else if (k[2] == '"') {
    if (k[1] == 'S') {
      if (k[0] == 'S') return value_type::ss;
      if (k[0] == 'N') return value_type::ns;
      if (k[0] == 'B') return value_type::bs;
    }
  } else if (k[4] == '"') {
    if (std::memcmp(k, "BOOL", 4) == 0) return value_type::boolean;
    if (std::memcmp(k, "NULL", 4) == 0) return value_type::null;
  }
  return tag_of(key_of(f));  // escaped or unknown: the slow path names it
}

// A typed value {"T": v}: calls f with a ddb_value for v, then checks that no second tag follows.
template <class F>
void with_typed(od::value typed, F&& f) {
  od::object o;
  if (auto e = typed.get_object().get(o)) shape("a value must be an object like {\"S\":\"x\"}");
  bool first = true;
  for (auto result : o) {
    od::field field;
    if (auto e = std::move(result).get(field)) bad(e);
    if (!first) shape("a value must have exactly one type tag");
    first = false;
    ddb_value w;
    w.tag = fast_tag(field);
    od::value v = field.value();
    std::memcpy(static_cast<void*>(w.storage), &v, sizeof v);
    f(w);
  }
  if (first) shape("a value must have exactly one type tag");
}

void each_attribute(od::object o, void* ctx, void (*cb)(void*, std::string_view, const ddb_value&)) {
  for (auto result : o) {
    od::field field;
    if (auto e = std::move(result).get(field)) bad(e);
    std::string_view name = key_of(field);
    with_typed(field.value(), [&](const ddb_value& w) { cb(ctx, name, w); });
  }
}

std::string_view string_of(od::value v, std::string_view what) {
  od::raw_json_string raw;
  if (v.get_raw_json_string().get(raw)) shape(std::string(what) + " must be a string");
  return view_of(raw, &v, nullptr);
}
}  // namespace

// ---- the DOM backend: items inside an answer that is already parsed (batch gets)
namespace {
using dom_element = simdjson::dom::element;
static_assert(sizeof(dom_element) <= sizeof(ddb_value::storage), "ddb_value's storage is too small");
static_assert(std::is_trivially_copyable_v<dom_element>);

template <class F>
void with_typed_dom(dom_element typed, F&& f) {
  simdjson::dom::object o;
  if (typed.get_object().get(o)) shape("a value must be an object like {\"S\":\"x\"}");
  if (o.size() != 1) shape("a value must have exactly one type tag");
  for (auto field : o) {
    ddb_value w;
    w.dom = true;
    w.tag = tag_of(field.key);
    std::memcpy(static_cast<void*>(w.storage), &field.value, sizeof field.value);
    f(w);
  }
}

void each_attribute_dom(dom_element e, void* ctx, void (*cb)(void*, std::string_view, const ddb_value&)) {
  simdjson::dom::object o;
  if (e.get_object().get(o)) shape("M must be an object");
  for (auto field : o) {
    with_typed_dom(field.value, [&](const ddb_value& w) { cb(ctx, field.key, w); });
  }
}
}  // namespace

ddb_value ddb_value_of_dom_item(const simdjson::dom::element& item) {
  ddb_value w;
  w.dom = true;
  w.is_item = true;
  std::memcpy(static_cast<void*>(w.storage), &item, sizeof item);
  return w;
}

std::string_view ddb_value::text() const {
  if (is_item) shape("an item is not a string");
  if (dom) {
    std::string_view s;
    if (load<dom_element>(*this).get_string().get(s)) shape(std::string(type_tag(tag)) + " must be a string");
    return s;
  }
  return string_of(load<od::value>(*this), type_tag(tag));
}

bool ddb_value::boolean() const {
  bool b = false;
  if (dom) {
    if (load<dom_element>(*this).get_bool().get(b)) shape("BOOL must be true or false");
    return b;
  }
  if (load<od::value>(*this).get_bool().get(b)) shape("BOOL must be true or false");
  return b;
}

void ddb_value::attributes(void* ctx, void (*cb)(void*, std::string_view, const ddb_value&)) const {
  if (dom) return each_attribute_dom(load<dom_element>(*this), ctx, cb);
  if (is_item) return each_attribute(load<od::object>(*this), ctx, cb);
  od::object o;
  if (load<od::value>(*this).get_object().get(o)) shape("M must be an object");
  each_attribute(o, ctx, cb);
}

void ddb_value::elements(void* ctx, void (*cb)(void*, const ddb_value&)) const {
  if (dom) {
    simdjson::dom::array a;
    if (load<dom_element>(*this).get_array().get(a)) shape("L must be an array");
    for (auto e : a) with_typed_dom(e, [&](const ddb_value& w) { cb(ctx, w); });
    return;
  }
  od::array a;
  if (load<od::value>(*this).get_array().get(a)) shape("L must be an array");
  for (auto e : a) {
    od::value v;
    if (auto err = e.get(v)) bad(err);
    with_typed(v, [&](const ddb_value& w) { cb(ctx, w); });
  }
}

void ddb_value::set_elements(void* ctx, void (*cb)(void*, std::string_view)) const {
  if (dom) {
    simdjson::dom::array a;
    if (load<dom_element>(*this).get_array().get(a)) shape("a set must be an array");
    for (auto e : a) {
      std::string_view s;
      if (e.get_string().get(s)) shape("a set element must be a string");
      cb(ctx, s);
    }
    return;
  }
  od::array a;
  if (load<od::value>(*this).get_array().get(a)) shape("a set must be an array");
  for (auto e : a) {
    od::value v;
    if (auto err = e.get(v)) bad(err);
    cb(ctx, string_of(v, "a set element"));
  }
}

attribute_value ddb_value::to_attribute() const {
  if (is_item || tag == value_type::m) {
    item m;
    for_each_attribute(
        [&](std::string_view k, const ddb_value& v) { m.insert_or_assign(std::string(k), v.to_attribute()); });
    return attribute_value::map(std::move(m));
  }
  switch (tag) {
    case value_type::s: return attribute_value::string(std::string(text()));
    case value_type::n: {
      std::string t(text());
      if (auto why = codec::check_number(t)) throw validation_error("", "invalid number '" + t + "': " + *why);
      return attribute_value::number_unchecked(std::move(t));
    }
    case value_type::b: {
      auto raw = codec::base64_decode(text());
      if (!raw) shape("B value is not valid base64");
      return attribute_value::binary_from_string(std::move(*raw));
    }
    case value_type::boolean: return attribute_value::boolean(boolean());
    case value_type::null:
      if (!boolean()) shape("NULL must be true");
      return attribute_value::null();
    case value_type::l: {
      std::vector<attribute_value> l;
      for_each_element([&](const ddb_value& x) { l.push_back(x.to_attribute()); });
      return attribute_value::list(std::move(l));
    }
    case value_type::ss:
    case value_type::ns:
    case value_type::bs: {
      std::vector<std::string> elems;
      for_each_set_element([&](std::string_view s) {
        if (tag == value_type::bs) {
          auto raw = codec::base64_decode(s);
          if (!raw) shape("BS element is not valid base64");
          elems.push_back(std::move(*raw));
        } else {
          elems.emplace_back(s);
        }
      });
      if (tag == value_type::ss) return attribute_value::string_set(std::move(elems));
      if (tag == value_type::ns) return attribute_value::number_set(std::move(elems));
      return attribute_value::binary_set(std::move(elems));
    }
    default: break;
  }
  shape("unknown type");
}

void ddb_value::parse(std::string_view json, void* ctx, void (*cb)(void*, const ddb_value&)) {
  // The DOM parser checks the whole text: On-Demand skips what it does not read (an attribute the model does not
  // have) without checking it, and so accepted malformed JSON (found by fuzz/model.cpp). One parser per thread
  // keeps its buffers across calls.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e = parser.parse(json.data(), json.size()).get(doc)) bad(e);
  if (!doc.is_object()) shape("an item must be an object");
  cb(ctx, ddb_value_of_dom_item(doc));
}

}  // namespace dynantic::detail
