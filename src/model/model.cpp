// Non-template parts of the model layer: paths, number parsing, the converters of library types, patterns
// and plain JSON.
#include <charconv>
#include <cmath>
#include <mutex>
#include <regex>
#include <unordered_map>

#include <simdjson.h>

#include <dynantic/model/model.hpp>
#include <dynantic/model/polymorphic.hpp>
#include <dynantic/value/codec.hpp>

#include "value/json_reader.hpp"
#include "value/json_writer.hpp"

namespace dynantic {

void conversion_context::push_deeper(std::string_view name, std::size_t index, bool is_index) {
  deeper_.push_back({name, index, is_index});
  ++depth_;
}

std::string conversion_context::path() const {
  std::string p;
  for (std::size_t i = 0; i < depth_; ++i) {
    const segment& s = i < inline_depth ? inline_[i] : deeper_[i - inline_depth];
    if (s.is_index) {
      p += '[' + std::to_string(s.index) + ']';
    } else {
      if (!p.empty()) p += '.';
      p += s.name;
    }
  }
  return p;
}

void conversion_context::throw_if_failed() {
  if (!issues_.empty()) throw validation_error(std::move(issues_));
}

namespace detail {

void check_map_key(std::string_view k, conversion_context& c) {
  if (k.empty()) c.fail("a map key cannot be empty");
  else if (!is_valid_utf8(k)) c.fail("a map key must be valid UTF-8");
}

void no_alternative(conversion_context& c, value_type stored, const std::vector<validation_issue>& first) {
  std::string why;
  if (!first.empty())
    why = " (the first: " + (first[0].path.empty() ? "" : first[0].path + ": ") + first[0].message + ")";
  c.fail("no alternative of the variant reads " + std::string(type_name(stored)) + why);
}

std::string_view type_name(value_type t) {
  switch (t) {
    case value_type::null: return "NULL";
    case value_type::s: return "a string (S)";
    case value_type::n: return "a number (N)";
    case value_type::b: return "binary (B)";
    case value_type::boolean: return "a boolean (BOOL)";
    case value_type::m: return "a map (M)";
    case value_type::l: return "a list (L)";
    case value_type::ss: return "a string set (SS)";
    case value_type::ns: return "a number set (NS)";
    case value_type::bs: return "a binary set (BS)";
  }
  return "?";
}

void wrong_type(conversion_context& c, const attribute_value& a, std::string_view expected) {
  wrong_ddb_type(c, a.type(), expected);
}

void wrong_ddb_type(conversion_context& c, value_type got, std::string_view expected) {
  c.fail("expected " + std::string(expected) + ", got " + std::string(type_name(got)));
}

std::optional<std::string_view> ddb_number_text(const ddb_value& a, conversion_context& c) {
  if (a.type() == value_type::n) return a.text();
  wrong_ddb_type(c, a.type(), "a number (N)");
  return std::nullopt;
}

bool is_valid_utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

std::optional<std::string> integer_text(std::string_view n) {
  // Fast path: plain digits with an optional sign.
  std::size_t i = (!n.empty() && (n[0] == '-' || n[0] == '+')) ? 1 : 0;
  bool plain = i < n.size();
  for (std::size_t k = i; k < n.size(); ++k) plain &= n[k] >= '0' && n[k] <= '9';
  if (plain) return std::string(n[0] == '+' ? n.substr(1) : n);
  if (codec::check_number(n)) return std::nullopt;
  std::string c = codec::canonical_number(n);  // digits[E exp]
  auto e = c.find('E');
  if (e == std::string::npos) return c;
  long long exp = std::stoll(c.substr(e + 1));
  if (exp < 0) return std::nullopt;
  if (exp > 40) exp = 40;  // out of range for any integer anyway
  return c.substr(0, e) + std::string(static_cast<std::size_t>(exp), '0');
}

bool parse_signed(std::string_view text, std::int64_t& out, std::int64_t lo, std::int64_t hi) {
  auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size() && out >= lo && out <= hi;
}

bool parse_unsigned(std::string_view text, std::uint64_t& out, std::uint64_t hi) {
  if (!text.empty() && text[0] == '-') {
    // "-0" is zero; any other negative is out of range
    if (text.find_first_not_of("-0") != std::string_view::npos) return false;
    out = 0;
    return true;
  }
  auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size() && out <= hi;
}

std::string format_double(double v) {
  if (!std::isfinite(v)) return {};
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back as the same double
  return std::string(buf, r.ptr);
}

std::optional<double> parse_double(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  double d = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), d);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return d;
}

const std::string* number_text(const attribute_value& a, conversion_context& c) {
  if (a.is_number()) return &a.as_number_text();
  if (c.json_input && a.is_string() && !codec::check_number(a.as_string())) return &a.as_string();
  wrong_type(c, a, "a number (N)");
  return nullptr;
}

bool regex_match(std::string_view pattern, const std::string& text) {
  // Compiled once per pattern; <regex> stays out of the public headers.
  static std::mutex mu;
  static std::unordered_map<std::string, std::regex> cache;
  const std::regex* re;
  {
    std::lock_guard lock(mu);
    auto it = cache.find(std::string(pattern));
    if (it == cache.end()) it = cache.emplace(std::string(pattern), std::regex(std::string(pattern))).first;
    re = &it->second;
  }
  return std::regex_match(text, *re);
}

std::string describe_bound(bound_op op) {
  switch (op) {
    case bound_op::ge: return ">=";
    case bound_op::gt: return ">";
    case bound_op::le: return "<=";
    case bound_op::lt: return "<";
  }
  return "?";
}

// ---------------------------------------------------------------- plain JSON

namespace {
void plain_value(json_writer& w, const attribute_value& v) {
  switch (v.type()) {
    case value_type::null: w.null(); break;
    case value_type::s: w.string(v.as_string()); break;
    case value_type::n: w.raw(v.as_number_text()); break;
    case value_type::b: w.string(codec::base64_encode(v.as_binary_string())); break;
    case value_type::boolean: w.boolean(v.as_bool()); break;
    case value_type::m:
      w.begin_object();
      for (const auto& [k, e] : v.as_map()) {
        w.key(k);
        plain_value(w, e);
      }
      w.end_object();
      break;
    case value_type::l:
      w.begin_array();
      for (const auto& e : v.as_list()) plain_value(w, e);
      w.end_array();
      break;
    case value_type::ss:
    case value_type::ns:
    case value_type::bs:
      w.begin_array();
      for (const auto& e : v.as_set()) {
        if (v.type() == value_type::ns) w.raw(e);
        else if (v.type() == value_type::ss) w.string(e);
        else w.string(codec::base64_encode(e));
      }
      w.end_array();
      break;
  }
}

[[noreturn]] void bad_json(simdjson::error_code e) {
  throw decode_error(std::string("malformed JSON: ") + simdjson::error_message(e));
}

// On-Demand, because numbers must keep their exact text (raw_json_token); the DOM only has doubles.
attribute_value from_plain(simdjson::ondemand::value v, int depth) {
  if (depth > 512) throw decode_error("malformed JSON: nested too deeply");
  simdjson::ondemand::json_type t;
  if (auto e = v.type().get(t)) bad_json(e);
  switch (t) {
    case simdjson::ondemand::json_type::object: {
      item m;
      simdjson::ondemand::object o;
      if (auto e = v.get_object().get(o)) bad_json(e);
      for (auto field : o) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) bad_json(e);
        std::string k(key);
        simdjson::ondemand::value fv;
        if (auto e = field.value().get(fv)) bad_json(e);
        m.insert_or_assign(std::move(k), from_plain(fv, depth + 1));
      }
      return attribute_value::map(std::move(m));
    }
    case simdjson::ondemand::json_type::array: {
      std::vector<attribute_value> l;
      simdjson::ondemand::array a;
      if (auto e = v.get_array().get(a)) bad_json(e);
      for (auto x : a) {
        simdjson::ondemand::value xv;
        if (auto e = x.get(xv)) bad_json(e);
        l.push_back(from_plain(xv, depth + 1));
      }
      return attribute_value::list(std::move(l));
    }
    case simdjson::ondemand::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) bad_json(e);
      return attribute_value::string(std::string(s));
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b;
      if (auto e = v.get_bool().get(b)) bad_json(e);
      return attribute_value::boolean(b);
    }
    case simdjson::ondemand::json_type::null:
      if (!v.is_null()) bad_json(simdjson::INCORRECT_TYPE);
      return attribute_value::null();
    case simdjson::ondemand::json_type::number: {
      std::string_view raw = v.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
        raw.remove_suffix(1);
      }
      double check;
      if (auto e = v.get_double().get(check)) {
        if (e != simdjson::NUMBER_OUT_OF_RANGE) bad_json(e);
      }
      return attribute_value::number_unchecked(std::string(raw));
    }
  }
  bad_json(simdjson::INCORRECT_TYPE);
}
}  // namespace

std::string plain_json_from_item(const item& it) {
  std::string out;
  json_writer w(out);
  w.begin_object();
  for (const auto& [k, v] : it) {
    w.key(k);
    plain_value(w, v);
  }
  w.end_object();
  return out;
}

item item_from_plain_json(std::string_view json) {
  parse_json(json);  // full validation (On-Demand checks lazily and not what follows the document)
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(padded).get(doc)) bad_json(e);
  simdjson::ondemand::object o;
  if (auto e = doc.get_object().get(o)) bad_json(e);
  item m;
  for (auto field : o) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) bad_json(e);
    std::string k(key);
    simdjson::ondemand::value fv;
    if (auto e = field.value().get(fv)) bad_json(e);
    m.insert_or_assign(std::move(k), from_plain(fv, 1));
  }
  return m;
}

}  // namespace detail

// ---------------------------------------------------------------- library converters

void converter<decimal>::from_attribute(const attribute_value& a, decimal& out, conversion_context& c) {
  const std::string* text = detail::number_text(a, c);
  if (!text) return;
  if (auto why = codec::check_number(*text)) return c.fail("'" + *text + "' is not a valid decimal: " + *why);
  out = decimal::from_valid_text(*text);
}

void converter<decimal>::read(const detail::ddb_value& a, decimal& out, conversion_context& c) {
  auto text = detail::ddb_number_text(a, c);
  if (!text) return;
  if (auto why = codec::check_number(*text))
    return c.fail("'" + std::string(*text) + "' is not a valid decimal: " + *why);
  out = decimal::from_valid_text(std::string(*text));
}

void converter<bytes>::read(const detail::ddb_value& a, bytes& out, conversion_context& c) {
  if (a.type() != value_type::b) return detail::wrong_ddb_type(c, a.type(), "binary (B)");
  auto raw = codec::base64_decode(a.text());
  if (!raw) return c.fail("B value is not valid base64");
  out.assign(reinterpret_cast<const std::byte*>(raw->data()),
             reinterpret_cast<const std::byte*>(raw->data()) + raw->size());
}

void converter<uuid>::read(const detail::ddb_value& a, uuid& out, conversion_context& c) {
  if (a.type() != value_type::s) return detail::wrong_ddb_type(c, a.type(), "a UUID string (S)");
  auto u = uuid::parse(a.text());
  if (!u) return c.fail("'" + std::string(a.text()) + "' is not a UUID");
  out = *u;
}

void converter<bytes>::from_attribute(const attribute_value& a, bytes& out, conversion_context& c) {
  std::string raw;
  if (a.is_binary()) {
    raw = a.as_binary_string();
  } else if (c.json_input && a.is_string()) {
    auto d = codec::base64_decode(a.as_string());
    if (!d) return c.fail("expected base64 text");
    raw = std::move(*d);
  } else {
    return detail::wrong_type(c, a, "binary (B)");
  }
  out.assign(reinterpret_cast<const std::byte*>(raw.data()),
             reinterpret_cast<const std::byte*>(raw.data()) + raw.size());
}

// ---------------------------------------------------------------- ISO-8601 texts

namespace detail {
namespace {
/// How each text type is written and read, and what a reader expected when the text does not parse.
template <class T>
struct text_form;
template <>
struct text_form<timestamp> {
  static std::string format(const timestamp& v) { return format_timestamp(v); }
  static std::optional<timestamp> parse(std::string_view t) { return parse_timestamp(t); }
  static std::string wrong(std::string_view t) {
    return "'" + std::string(t) + "' is not an ISO-8601 time like 2024-05-01T12:34:56Z";
  }
  static constexpr const char* expected = "an ISO-8601 time string (S)";
};
template <>
struct text_form<zoned_timestamp> {
  static std::string format(const zoned_timestamp& v) { return format_zoned(v); }
  static std::optional<zoned_timestamp> parse(std::string_view t) { return parse_zoned(t); }
  static std::string wrong(std::string_view t) {
    if (parse_naive(t)) return "'" + std::string(t) + "' has no UTC offset (a naive time: use dy::naive_timestamp)";
    return "'" + std::string(t) + "' is not an ISO-8601 time with an offset like 2024-05-01T14:34:56+02:00";
  }
  static constexpr const char* expected = "an ISO-8601 time string (S)";
};
template <>
struct text_form<naive_timestamp> {
  static std::string format(const naive_timestamp& v) { return format_naive(v); }
  static std::optional<naive_timestamp> parse(std::string_view t) { return parse_naive(t); }
  static std::string wrong(std::string_view t) {
    if (parse_zoned(t)) {
      return "'" + std::string(t) + "' has a UTC offset (use dy::zoned_timestamp or dy::timestamp for aware times)";
    }
    return "'" + std::string(t) + "' is not an ISO-8601 time without a zone like 2024-05-01T12:34:56";
  }
  static constexpr const char* expected = "an ISO-8601 time string (S)";
};
template <>
struct text_form<std::chrono::year_month_day> {
  static std::string format(const std::chrono::year_month_day& v) {
    if (!v.ok()) throw validation_error("", "not a valid date");
    return format_date(v);
  }
  static std::optional<std::chrono::year_month_day> parse(std::string_view t) { return parse_date(t); }
  static std::string wrong(std::string_view t) { return "'" + std::string(t) + "' is not a date like 2024-05-01"; }
  static constexpr const char* expected = "a date string (S)";
};

/// The text of `v`, or an issue in `c` (years outside 0000..9999, invalid dates).
template <class T>
std::optional<std::string> text_of(const T& v, conversion_context& c) {
  try {
    return text_form<T>::format(v);
  } catch (const validation_error& e) {
    c.fail(e.issues().front().message);
    return std::nullopt;
  }
}
template <class T>
void from_text(std::string_view t, T& out, conversion_context& c) {
  if (auto v = text_form<T>::parse(t)) out = *v;
  else c.fail(text_form<T>::wrong(t));
}
}  // namespace

template <class T>
attribute_value text_converter<T>::to_attribute(const T& v, conversion_context& c) {
  return attribute_value::string(text_of(v, c).value_or(""));
}
template <class T>
void text_converter<T>::write(const T& v, ddb_writer& w) {
  if constexpr (std::is_same_v<T, timestamp>) {  // the common one: no string on the heap
    char buf[32];
    try {
      return w.string({buf, format_timestamp_to(v, buf)});
    } catch (const validation_error& e) {
      w.context().fail(e.issues().front().message);
      return w.string("");
    }
  }
  w.string(text_of(v, w.context()).value_or(""));
}
template <class T>
void text_converter<T>::from_attribute(const attribute_value& a, T& out, conversion_context& c) {
  if (!a.is_string()) return wrong_type(c, a, text_form<T>::expected);
  from_text(a.as_string(), out, c);
}
template <class T>
void text_converter<T>::read(const ddb_value& a, T& out, conversion_context& c) {
  if (a.type() != value_type::s) return wrong_ddb_type(c, a.type(), text_form<T>::expected);
  from_text(a.text(), out, c);
}

template struct text_converter<timestamp>;
template struct text_converter<zoned_timestamp>;
template struct text_converter<naive_timestamp>;
template struct text_converter<std::chrono::year_month_day>;
}  // namespace detail

void converter<uuid>::from_attribute(const attribute_value& a, uuid& out, conversion_context& c) {
  if (!a.is_string()) return detail::wrong_type(c, a, "a UUID string (S)");
  auto u = uuid::parse(a.as_string());
  if (!u) return c.fail("'" + a.as_string() + "' is not a UUID");
  out = *u;
}

}  // namespace dynantic

namespace dynantic::detail {

void check_tag(const attribute_value* stored, std::string_view tag, conversion_context& c) {
  if (!stored) return c.fail("required attribute is missing (the tag '" + std::string(tag) + "' of this subtype)");
  if (!stored->is_string()) return c.fail("must be the string '" + std::string(tag) + "' (this subtype's tag)");
  if (stored->as_string() != tag) {
    c.fail("is '" + stored->as_string() + "', not this subtype's tag '" + std::string(tag) + "'");
  }
}

std::optional<std::string> stored_tag(const item& it, std::string_view discriminator) {
  auto f = it.find(discriminator);
  if (f == it.end() || !f->second.is_string()) return std::nullopt;
  return f->second.as_string();
}

}  // namespace dynantic::detail
