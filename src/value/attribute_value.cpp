#include <dynantic/value/attribute_value.hpp>

#include <cstring>
#include <stdexcept>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic {

std::string_view type_tag(value_type t) noexcept {
  switch (t) {
    case value_type::null: return "NULL";
    case value_type::s: return "S";
    case value_type::n: return "N";
    case value_type::b: return "B";
    case value_type::boolean: return "BOOL";
    case value_type::m: return "M";
    case value_type::l: return "L";
    case value_type::ss: return "SS";
    case value_type::ns: return "NS";
    case value_type::bs: return "BS";
  }
  return "?";
}

attribute_value attribute_value::string(std::string s) {
  attribute_value v;
  v.type_ = value_type::s;
  v.text_ = std::move(s);
  return v;
}

attribute_value attribute_value::number(std::string_view text) {
  if (auto why = codec::check_number(text)) {
    throw validation_error("", "invalid number '" + std::string(text) + "': " + *why);
  }
  return number_unchecked(std::string(text));
}

attribute_value attribute_value::number_unchecked(std::string text) {
  attribute_value v;
  v.type_ = value_type::n;
  v.text_ = std::move(text);
  return v;
}

attribute_value attribute_value::binary(std::span<const std::byte> raw) {
  attribute_value v;
  v.type_ = value_type::b;
  v.text_.assign(reinterpret_cast<const char*>(raw.data()), raw.size());
  return v;
}

attribute_value attribute_value::binary_from_string(std::string raw) {
  attribute_value v;
  v.type_ = value_type::b;
  v.text_ = std::move(raw);
  return v;
}

attribute_value attribute_value::boolean(bool b) {
  attribute_value v;
  v.type_ = value_type::boolean;
  v.bool_ = b;
  return v;
}

attribute_value attribute_value::map(item m) {
  attribute_value v;
  v.type_ = value_type::m;
  v.map_ = std::move(m);
  return v;
}

attribute_value attribute_value::list(std::vector<attribute_value> l) {
  attribute_value v;
  v.type_ = value_type::l;
  v.list_ = std::move(l);
  return v;
}

attribute_value attribute_value::string_set(std::vector<std::string> ss) {
  attribute_value v;
  v.type_ = value_type::ss;
  v.set_ = std::move(ss);
  return v;
}

attribute_value attribute_value::number_set(std::vector<std::string> ns) {
  std::vector<validation_issue> issues;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    if (auto why = codec::check_number(ns[i])) {
      issues.push_back({"[" + std::to_string(i) + "]", "invalid number '" + ns[i] + "': " + *why});
    }
  }
  if (!issues.empty()) throw validation_error(std::move(issues));
  return number_set_unchecked(std::move(ns));
}

attribute_value attribute_value::number_set_unchecked(std::vector<std::string> ns) {
  attribute_value v;
  v.type_ = value_type::ns;
  v.set_ = std::move(ns);
  return v;
}

attribute_value attribute_value::binary_set(std::vector<std::string> bs) {
  attribute_value v;
  v.type_ = value_type::bs;
  v.set_ = std::move(bs);
  return v;
}

void attribute_value::expect(value_type t) const {
  if (type_ != t) {
    throw std::logic_error("dynantic: attribute_value holds " + std::string(type_tag(type_)) + ", not " +
                           std::string(type_tag(t)));
  }
}

const std::string& attribute_value::as_string() const {
  expect(value_type::s);
  return text_;
}
const std::string& attribute_value::as_number_text() const {
  expect(value_type::n);
  return text_;
}
std::span<const std::byte> attribute_value::as_binary() const {
  expect(value_type::b);
  return {reinterpret_cast<const std::byte*>(text_.data()), text_.size()};
}
const std::string& attribute_value::as_binary_string() const {
  expect(value_type::b);
  return text_;
}
bool attribute_value::as_bool() const {
  expect(value_type::boolean);
  return bool_;
}
const item& attribute_value::as_map() const {
  expect(value_type::m);
  return map_;
}
item& attribute_value::as_map() {
  expect(value_type::m);
  return map_;
}
const std::vector<attribute_value>& attribute_value::as_list() const {
  expect(value_type::l);
  return list_;
}
std::vector<attribute_value>& attribute_value::as_list() {
  expect(value_type::l);
  return list_;
}
const std::vector<std::string>& attribute_value::as_set() const {
  if (type_ != value_type::ss && type_ != value_type::ns && type_ != value_type::bs) {
    throw std::logic_error("dynantic: attribute_value holds " + std::string(type_tag(type_)) + ", not a set");
  }
  return set_;
}

bool operator==(const attribute_value& a, const attribute_value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case value_type::null: return true;
    case value_type::boolean: return a.bool_ == b.bool_;
    case value_type::s:
    case value_type::n:
    case value_type::b: return a.text_ == b.text_;
    case value_type::ss:
    case value_type::ns:
    case value_type::bs: return a.set_ == b.set_;
    case value_type::l: return a.list_ == b.list_;
    case value_type::m: return a.map_ == b.map_;
  }
  return false;
}

}  // namespace dynantic

namespace dynantic::detail {
namespace {
std::size_t number_size(std::string_view n) {
  // DynamoDB: about one byte per two significant digits, plus one.
  std::size_t digits = 0;
  for (char ch : n) digits += ch >= '0' && ch <= '9';
  return (digits + 1) / 2 + 1;
}

std::size_t value_size(const attribute_value& v) {
  switch (v.type()) {
    case value_type::s: return v.as_string().size();
    case value_type::n: return number_size(v.as_number_text());
    case value_type::b: return v.as_binary_string().size();
    case value_type::boolean:
    case value_type::null: return 1;
    case value_type::m: {
      std::size_t s = 3;
      for (const auto& [k, e] : v.as_map()) s += k.size() + value_size(e) + 1;
      return s;
    }
    case value_type::l: {
      std::size_t s = 3;
      for (const auto& e : v.as_list()) s += value_size(e) + 1;
      return s;
    }
    case value_type::ss:
    case value_type::bs: {
      std::size_t s = 0;
      for (const auto& e : v.as_set()) s += e.size();
      return s;
    }
    case value_type::ns: {
      std::size_t s = 0;
      for (const auto& e : v.as_set()) s += number_size(e);
      return s;
    }
  }
  return 0;
}

}  // namespace

std::size_t item_size(const item& it) {
  std::size_t s = 0;
  for (const auto& [k, v] : it) s += k.size() + value_size(v);
  return s;
}
}  // namespace dynantic::detail
