// wire_writer and wire_value: DynamoDB-JSON straight to and from models (see include/dynantic/detail/wire.hpp).
#include <dynantic/detail/wire.hpp>

#include <cstring>

#include <simdjson.h>

#include <dynantic/error.hpp>
#include <dynantic/model/converter.hpp>
#include <dynantic/value/codec.hpp>

#include "value/json_reader.hpp"

namespace dynantic::detail {

// ---------------------------------------------------------------- writer

void wire_writer::string(std::string_view s) {
  out_ += R"({"S":)";
  if (!append_json_string(out_, s) && !simdjson::validate_utf8(s.data(), s.size())) c_.fail("not valid UTF-8");
  out_ += '}';
}

void wire_writer::number_checked(std::string_view text) {
  if (auto why = codec::check_number(text)) c_.fail("invalid number '" + std::string(text) + "': " + *why);
  number(text);
}

void wire_writer::binary(std::span<const std::byte> raw) {
  out_ += R"({"B":")";
  out_ += codec::base64_encode({reinterpret_cast<const char*>(raw.data()), raw.size()});
  out_ += R"("})";
}

void wire_writer::begin_set(value_type t) {
  set_type_ = t;
  out_ += t == value_type::ss ? R"({"SS":[)" : t == value_type::ns ? R"({"NS":[)" : R"({"BS":[)";
  first_ = true;
}

void wire_writer::set_element(std::string_view e) {
  if (!first_) out_ += ',';
  first_ = false;
  if (set_type_ == value_type::bs) {
    out_ += '"';
    out_ += codec::base64_encode(e);
    out_ += '"';
  } else if (!append_json_string(out_, e) && set_type_ == value_type::ss &&
             !simdjson::validate_utf8(e.data(), e.size())) {
    c_.fail("not valid UTF-8");
  }
}

void wire_writer::value(const attribute_value& v) {
  try {
    codec::write_value(out_, v);
  } catch (const validation_error& e) {
    for (const auto& i : e.issues()) {
      if (i.path.empty()) {
        c_.fail(i.message);
      } else {
        conversion_context::scope s(c_, i.path);
        c_.fail(i.message);
      }
    }
    out_ += R"({"NULL":true})";  // keeps the text well-formed; the context holds the failure
  }
}

// ---------------------------------------------------------------- reader

namespace {
static_assert(sizeof(simdjson::dom::element) <= 16, "wire_value's storage is too small");
static_assert(std::is_trivially_copyable_v<simdjson::dom::element>);

[[noreturn]] void shape(std::string_view what) { throw decode_error("malformed DynamoDB-JSON: " + std::string(what)); }

simdjson::dom::element element_of(const wire_value& w) {
  simdjson::dom::element e;
  std::memcpy(&e, w.storage, sizeof e);
  return e;
}

value_type tag_of(std::string_view tag) {
  if (tag.size() == 1) {
    switch (tag[0]) {
      case 'S': return value_type::s;
      case 'N': return value_type::n;
      case 'B': return value_type::b;
      case 'M': return value_type::m;
      case 'L': return value_type::l;
      default: break;
    }
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

// A typed value {"T": v}: keeps v and the tag T.
wire_value make_typed(simdjson::dom::element typed) {
  simdjson::dom::object o;
  if (typed.get_object().get(o) != simdjson::SUCCESS) shape("a value must be an object like {\"S\":\"x\"}");
  auto it = o.begin();
  if (it == o.end()) shape("a value must have exactly one type tag");
  auto field = *it;
  ++it;
  if (it != o.end()) shape("a value must have exactly one type tag");
  wire_value w;
  w.tag = tag_of(field.key);
  simdjson::dom::element v = field.value;
  std::memcpy(w.storage, &v, sizeof v);
  return w;
}

wire_value make_item(simdjson::dom::element obj) {
  wire_value w;
  w.is_item = true;
  std::memcpy(w.storage, &obj, sizeof obj);
  return w;
}
}  // namespace

std::string_view wire_value::text() const {
  std::string_view s;
  if (is_item || element_of(*this).get_string().get(s) != simdjson::SUCCESS) {
    shape(std::string(type_tag(type())) + " must be a string");
  }
  return s;
}

bool wire_value::boolean() const {
  bool b = false;
  if (element_of(*this).get_bool().get(b) != simdjson::SUCCESS) shape("BOOL must be true or false");
  return b;
}

void wire_value::attributes(void* ctx, void (*cb)(void*, std::string_view, const wire_value&)) const {
  simdjson::dom::object o;
  if (element_of(*this).get_object().get(o) != simdjson::SUCCESS) shape("M must be an object");
  for (auto field : o) cb(ctx, field.key, make_typed(field.value));
}

void wire_value::elements(void* ctx, void (*cb)(void*, const wire_value&)) const {
  simdjson::dom::array a;
  if (element_of(*this).get_array().get(a) != simdjson::SUCCESS) shape("L must be an array");
  for (auto e : a) cb(ctx, make_typed(e));
}

void wire_value::set_elements(void* ctx, void (*cb)(void*, std::string_view)) const {
  simdjson::dom::array a;
  if (element_of(*this).get_array().get(a) != simdjson::SUCCESS) shape("a set must be an array");
  for (auto e : a) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) shape("set elements must be strings");
    cb(ctx, s);
  }
}

attribute_value wire_value::to_attribute() const {
  if (is_item) return attribute_value::map(read_item(element_of(*this)));
  // Rebuild {"T": v} through the regular reader.
  simdjson::dom::element e = element_of(*this);
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
    case value_type::null: return attribute_value::null();
    case value_type::m: return attribute_value::map(read_item(e));
    case value_type::l: {
      std::vector<attribute_value> l;
      for_each_element([&](const wire_value& x) { l.push_back(x.to_attribute()); });
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
  }
  shape("unknown type");
}

void wire_value::parse(std::string_view json, void* ctx, void (*cb)(void*, const wire_value&)) {
  simdjson::dom::element e = parse_json(json);
  if (!e.is_object()) shape("an item must be an object");
  cb(ctx, make_item(e));
}

}  // namespace dynantic::detail
