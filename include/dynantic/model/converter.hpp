#pragma once
/// @file converter.hpp
/// The type mapping (DESIGN.md §2): dynantic::converter<T> turns a C++ value into an attribute_value and back,
/// reporting every problem with its path into a conversion_context. Specialize converter<T> for your own
/// types:
/// @code
/// template <>
/// struct dynantic::converter<money> {
///   static attribute_value to_attribute(const money& m, conversion_context&) {
///     return attribute_value::number(m.text());
///   }
///   static void from_attribute(const attribute_value& a, money& out, conversion_context& c) {
///     if (!a.is_number()) return c.fail("expected a number");
///     out = money(a.as_number_text());
///   }
/// };
/// @endcode
/// The built-in converters below (one per row of docs/types.md) have the same two functions, and also write()
/// and read() that encode and decode DynamoDB-JSON directly (optional for yours: without them, the library goes
/// through to_attribute/from_attribute).

#include <charconv>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

#include <dynantic/detail/ddb_json.hpp>
#include <dynantic/error.hpp>
#include <dynantic/model/types.hpp>
#include <dynantic/value/attribute_value.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic {

/// Where a conversion is (the path) and what went wrong so far.
class conversion_context {
 public:
  /// Plain-JSON input (from_json): sets may arrive as lists, bytes as base64 strings, numbers as strings.
  bool json_input = false;

  /// Records an issue at the current path; conversion goes on, so that every issue is reported.
  void fail(std::string message) { issues_.push_back({path(), std::move(message)}); }
  /// The current path: "profile.address.city", "tags[2]".
  std::string path() const;
  /// The issues so far.
  std::vector<validation_issue>& issues() { return issues_; }
  /// No issue so far.
  bool ok() const { return issues_.empty(); }
  /// Throws validation_error with every issue when there is any.
  void throw_if_failed();

  /// RAII: a path segment for the lifetime of the guard.
  class scope {
   public:
    /// Enters member or map key `name` (the view must outlive the guard).
    scope(conversion_context& c, std::string_view name) : c_(c) { c_.push(name, 0, false); }
    /// Enters list element `index`.
    scope(conversion_context& c, std::size_t index) : c_(c) { c_.push({}, index, true); }
    ~scope() { c_.pop(); }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

   private:
    conversion_context& c_;
  };

 private:
  struct segment {
    std::string_view name;
    std::size_t index;
    bool is_index;
  };
  // The path: the first segments inline (no allocation per conversion), deeper ones on the heap.
  static constexpr std::size_t inline_depth = 16;
  // Fields are stored one by one: building a temporary segment and copying it stalls store forwarding.
  void push(std::string_view name, std::size_t index, bool is_index) {
    if (depth_ >= inline_depth) [[unlikely]]
      return push_deeper(name, index, is_index);
    segment& s = inline_[depth_];
    s.name = name;
    s.index = index;
    s.is_index = is_index;
    ++depth_;
  }
  void push_deeper(std::string_view name, std::size_t index, bool is_index);
  void pop() {
    --depth_;
    if (depth_ >= inline_depth) deeper_.pop_back();
  }
  segment inline_[inline_depth];
  std::vector<segment> deeper_;
  std::size_t depth_ = 0;
  std::vector<validation_issue> issues_;
};

/// The customization point. Specializations provide to_attribute and from_attribute (see the file comment).
template <class T, class Enable = void>
struct converter;

template <class T>
concept convertible = requires(const T& v, T& out, const attribute_value& a, conversion_context& c) {
  { converter<T>::to_attribute(v, c) } -> std::same_as<attribute_value>;
  converter<T>::from_attribute(a, out, c);
};

namespace detail {

template <class T>
concept has_ddb_write = requires(const T& v, ddb_writer& w) {
  converter<T>::write(v, w);
};
template <class T>
concept has_ddb_read = requires(const ddb_value& a, T& out, conversion_context& c) {
  converter<T>::read(a, out, c);
};

/// Writes v as DynamoDB-JSON: the converter's write() when it has one, else through attribute_value.
template <class T>
void ddb_write(const T& v, ddb_writer& w) {
  if constexpr (has_ddb_write<T>) converter<T>::write(v, w);
  else w.value(converter<T>::to_attribute(v, w.context()));
}
/// Reads out from parsed DynamoDB-JSON: the converter's read() when it has one, else through attribute_value.
template <class T>
void ddb_read(const ddb_value& a, T& out, conversion_context& c) {
  if constexpr (has_ddb_read<T>) converter<T>::read(a, out, c);
  else converter<T>::from_attribute(a.to_attribute(), out, c);
}

void wrong_ddb_type(conversion_context& c, value_type got, std::string_view expected);
/// N text of a wire value (or nothing, with the issue reported).
std::optional<std::string_view> ddb_number_text(const ddb_value& a, conversion_context& c);
template <class T>
void read_integer_text(std::string_view text, T& out, conversion_context& c);
template <class T>
void read_float_text(std::string_view text, T& out, conversion_context& c);

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

std::string_view type_name(value_type t);
void wrong_type(conversion_context& c, const attribute_value& a, std::string_view expected);
/// The integer digits of an integral N text ("12", "1.2E1" -> "12"), or nothing when it has a fraction.
std::optional<std::string> integer_text(std::string_view n);
bool parse_signed(std::string_view text, std::int64_t& out, std::int64_t lo, std::int64_t hi);
bool parse_unsigned(std::string_view text, std::uint64_t& out, std::uint64_t hi);
std::string format_double(double v);
std::optional<double> parse_double(std::string_view text);
/// Reads an N (or, for JSON input, an S holding a number) into its text.
const std::string* number_text(const attribute_value& a, conversion_context& c);
bool is_valid_utf8(std::string_view s);

template <class T>
constexpr bool is_set_element_v = std::is_same_v<T, std::string> || std::is_same_v<T, bytes> ||
                                  std::is_same_v<T, decimal> || (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);

template <class T>
std::string set_element_text(const T& v, conversion_context& c);
template <class T>
void set_element_read(const std::string& text, T& out, conversion_context& c);

}  // namespace detail

/// @cond BUILTIN_CONVERTERS
// ---------------------------------------------------------------- scalars

template <>
struct converter<std::string> {
  static attribute_value to_attribute(const std::string& v, conversion_context& c) {
    if (!detail::is_valid_utf8(v)) c.fail("not valid UTF-8");
    return attribute_value::string(v);
  }
  static void from_attribute(const attribute_value& a, std::string& out, conversion_context& c) {
    if (!a.is_string()) return detail::wrong_type(c, a, "a string (S)");
    out = a.as_string();
  }
  static void write(const std::string& v, detail::ddb_writer& w) { w.string(v); }
  static void read(const detail::ddb_value& a, std::string& out, conversion_context& c) {
    if (a.type() != value_type::s) return detail::wrong_ddb_type(c, a.type(), "a string (S)");
    out.assign(a.text());
  }
};

template <>
struct converter<bool> {
  static attribute_value to_attribute(bool v, conversion_context&) { return attribute_value::boolean(v); }
  static void from_attribute(const attribute_value& a, bool& out, conversion_context& c) {
    if (!a.is_bool()) return detail::wrong_type(c, a, "a boolean (BOOL)");
    out = a.as_bool();
  }
  static void write(bool v, detail::ddb_writer& w) { w.boolean(v); }
  static void read(const detail::ddb_value& a, bool& out, conversion_context& c) {
    if (a.type() != value_type::boolean) return detail::wrong_ddb_type(c, a.type(), "a boolean (BOOL)");
    out = a.boolean();
  }
};

template <std::integral T>
requires(!std::is_same_v<T, bool> && !std::is_same_v<T, char>) struct converter<T> {
  static attribute_value to_attribute(T v, conversion_context&) { return attribute_value::number(v); }
  static void from_attribute(const attribute_value& a, T& out, conversion_context& c) {
    if (const std::string* text = detail::number_text(a, c)) detail::read_integer_text(*text, out, c);
  }
  static void write(T v, detail::ddb_writer& w) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    w.number(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }
  static void read(const detail::ddb_value& a, T& out, conversion_context& c) {
    if (auto text = detail::ddb_number_text(a, c)) detail::read_integer_text(*text, out, c);
  }
};

template <std::floating_point T>
struct converter<T> {
  static attribute_value to_attribute(T v, conversion_context& c) {
    std::string text = detail::format_double(static_cast<double>(v));
    if (text.empty()) {
      c.fail("NaN and infinity cannot be stored");
      return attribute_value::number_unchecked("0");
    }
    auto a = attribute_value::number_unchecked(text);
    if (auto why = codec_check(text)) c.fail("'" + text + "' cannot be stored: " + *why);
    return a;
  }
  static void from_attribute(const attribute_value& a, T& out, conversion_context& c) {
    if (const std::string* text = detail::number_text(a, c)) detail::read_float_text(*text, out, c);
  }
  static void write(T v, detail::ddb_writer& w) {
    std::string text = detail::format_double(static_cast<double>(v));
    if (text.empty()) {
      w.context().fail("NaN and infinity cannot be stored");
      w.number("0");
      return;
    }
    if (auto why = codec_check(text)) w.context().fail("'" + text + "' cannot be stored: " + *why);
    w.number(text);
  }
  static void read(const detail::ddb_value& a, T& out, conversion_context& c) {
    if (auto text = detail::ddb_number_text(a, c)) detail::read_float_text(*text, out, c);
  }

 private:
  static std::optional<std::string> codec_check(const std::string& text) { return codec::check_number(text); }
};

template <>
struct converter<decimal> {
  static attribute_value to_attribute(const decimal& v, conversion_context&) {
    return attribute_value::number_unchecked(v.text());
  }
  static void from_attribute(const attribute_value& a, decimal& out, conversion_context& c);
  static void write(const decimal& v, detail::ddb_writer& w) { w.number(v.text()); }
  static void read(const detail::ddb_value& a, decimal& out, conversion_context& c);
};

template <>
struct converter<bytes> {
  static attribute_value to_attribute(const bytes& v, conversion_context&) { return attribute_value::binary(v); }
  static void from_attribute(const attribute_value& a, bytes& out, conversion_context& c);
  static void write(const bytes& v, detail::ddb_writer& w) { w.binary(v); }
  static void read(const detail::ddb_value& a, bytes& out, conversion_context& c);
};

namespace detail {
/// Types stored as ISO-8601 text (S): times with and without a zone, dates. Defined in src/model/model.cpp for
/// timestamp, zoned_timestamp, naive_timestamp and std::chrono::year_month_day.
template <class T>
struct text_converter {
  static attribute_value to_attribute(const T& v, conversion_context& c);
  static void from_attribute(const attribute_value& a, T& out, conversion_context& c);
  static void write(const T& v, detail::ddb_writer& w);
  static void read(const detail::ddb_value& a, T& out, conversion_context& c);
};
extern template struct text_converter<timestamp>;
extern template struct text_converter<zoned_timestamp>;
extern template struct text_converter<naive_timestamp>;
extern template struct text_converter<std::chrono::year_month_day>;
}  // namespace detail

/// `2024-05-01T12:34:56Z` (UTC; offsets accepted on read and converted).
template <>
struct converter<timestamp> : detail::text_converter<timestamp> {};
/// `2024-05-01T14:34:56+02:00`: the instant and its offset.
template <>
struct converter<zoned_timestamp> : detail::text_converter<zoned_timestamp> {};
/// `2024-05-01T12:34:56`: no zone.
template <>
struct converter<naive_timestamp> : detail::text_converter<naive_timestamp> {};
/// `2024-05-01`.
template <>
struct converter<std::chrono::year_month_day> : detail::text_converter<std::chrono::year_month_day> {};

template <>
struct converter<uuid> {
  static attribute_value to_attribute(const uuid& v, conversion_context&) {
    return attribute_value::string(v.to_string());
  }
  static void from_attribute(const attribute_value& a, uuid& out, conversion_context& c);
  static void write(const uuid& v, detail::ddb_writer& w) { w.string(v.to_string()); }
  static void read(const detail::ddb_value& a, uuid& out, conversion_context& c);
};

template <>
struct converter<attribute_value> {
  static attribute_value to_attribute(const attribute_value& v, conversion_context&) { return v; }
  static void from_attribute(const attribute_value& a, attribute_value& out, conversion_context&) { out = a; }
  static void write(const attribute_value& v, detail::ddb_writer& w) { w.value(v); }
  static void read(const detail::ddb_value& a, attribute_value& out, conversion_context&) { out = a.to_attribute(); }
};

// ---------------------------------------------------------------- containers

template <class T>
requires convertible<T>
struct converter<std::optional<T>> {
  static attribute_value to_attribute(const std::optional<T>& v, conversion_context& c) {
    return v ? converter<T>::to_attribute(*v, c) : attribute_value::null();
  }
  static void from_attribute(const attribute_value& a, std::optional<T>& out, conversion_context& c) {
    if (a.is_null()) {
      out.reset();
      return;
    }
    T v{};
    converter<T>::from_attribute(a, v, c);
    out = std::move(v);
  }
  /// Empty optionals are omitted, never stored as NULL.
  static bool omit(const std::optional<T>& v) { return !v.has_value(); }
  static void write(const std::optional<T>& v, detail::ddb_writer& w) {
    if (v) detail::ddb_write(*v, w);
    else w.null();
  }
  static void read(const detail::ddb_value& a, std::optional<T>& out, conversion_context& c) {
    if (a.type() == value_type::null) {
      out.reset();
      return;
    }
    T v{};
    detail::ddb_read(a, v, c);
    out = std::move(v);
  }
};

namespace detail {
/// A map key DynamoDB accepts: not empty, valid UTF-8.
void check_map_key(std::string_view k, conversion_context& c);

template <class Seq, class T>
struct list_converter {
  static attribute_value to_attribute(const Seq& v, conversion_context& c) {
    std::vector<attribute_value> l;
    l.reserve(v.size());
    std::size_t i = 0;
    for (const auto& e : v) {
      conversion_context::scope s(c, i++);
      l.push_back(converter<T>::to_attribute(e, c));
    }
    return attribute_value::list(std::move(l));
  }
  static void from_attribute(const attribute_value& a, Seq& out, conversion_context& c) {
    if (!a.is_list()) return wrong_type(c, a, "a list (L)");
    out.clear();
    std::size_t i = 0;
    for (const auto& e : a.as_list()) {
      conversion_context::scope s(c, i++);
      T v{};
      converter<T>::from_attribute(e, v, c);
      out.push_back(std::move(v));
    }
  }
  static void write(const Seq& v, ddb_writer& w) {
    w.begin_list();
    std::size_t i = 0;
    for (const auto& e : v) {
      conversion_context::scope s(w.context(), i++);
      w.list_element();
      ddb_write(e, w);
    }
    w.end_list();
  }
  static void read(const ddb_value& a, Seq& out, conversion_context& c) {
    if (a.type() != value_type::l) return wrong_ddb_type(c, a.type(), "a list (L)");
    out.clear();
    std::size_t i = 0;
    a.for_each_element([&](const ddb_value& e) {
      conversion_context::scope s(c, i++);
      T v{};
      ddb_read(e, v, c);
      out.push_back(std::move(v));
    });
  }
};

template <class Map, class T>
struct map_converter {
  static attribute_value to_attribute(const Map& v, conversion_context& c) {
    item m;
    for (const auto& [k, e] : v) {
      conversion_context::scope s(c, k);
      check_map_key(k, c);
      m.emplace(k, converter<T>::to_attribute(e, c));
    }
    return attribute_value::map(std::move(m));
  }
  static void from_attribute(const attribute_value& a, Map& out, conversion_context& c) {
    if (!a.is_map()) return wrong_type(c, a, "a map (M)");
    out.clear();
    for (const auto& [k, e] : a.as_map()) {
      conversion_context::scope s(c, k);
      T v{};
      converter<T>::from_attribute(e, v, c);
      out.emplace(k, std::move(v));
    }
  }
  static void write(const Map& v, ddb_writer& w) {
    w.begin_map();
    for (const auto& [k, e] : v) {
      conversion_context::scope s(w.context(), k);
      check_map_key(k, w.context());
      w.attribute(k);
      ddb_write(e, w);
    }
    w.end_map();
  }
  static void read(const ddb_value& a, Map& out, conversion_context& c) {
    if (a.type() != value_type::m) return wrong_ddb_type(c, a.type(), "a map (M)");
    out.clear();
    a.for_each_attribute([&](std::string_view k, const ddb_value& e) {
      conversion_context::scope s(c, k);
      T v{};
      ddb_read(e, v, c);
      out.emplace(std::string(k), std::move(v));
    });
  }
};
}  // namespace detail

template <class T>
requires convertible<T>
struct converter<std::vector<T>> : detail::list_converter<std::vector<T>, T> {
};
template <class T>
requires convertible<T>
struct converter<std::list<T>> : detail::list_converter<std::list<T>, T> {
};
template <class T>
requires convertible<T>
struct converter<std::map<std::string, T>> : detail::map_converter<std::map<std::string, T>, T> {
};
template <class T>
requires convertible<T>
struct converter<std::unordered_map<std::string, T>> : detail::map_converter<std::unordered_map<std::string, T>, T> {
};

/// std::set of strings (SS), numbers (NS) or bytes (BS). An empty set is omitted on write (DynamoDB has no
/// empty sets) and reads back as empty.
template <class T>
requires detail::is_set_element_v<T>
struct converter<std::set<T>> {
  static constexpr value_type stored = std::is_same_v<T, std::string> ? value_type::ss
                                       : std::is_same_v<T, bytes>     ? value_type::bs
                                                                      : value_type::ns;

  static attribute_value to_attribute(const std::set<T>& v, conversion_context& c) {
    std::vector<std::string> elems;
    elems.reserve(v.size());
    std::size_t i = 0;
    for (const auto& e : v) {
      conversion_context::scope s(c, i++);
      elems.push_back(detail::set_element_text(e, c));
    }
    if constexpr (stored == value_type::ss) return attribute_value::string_set(std::move(elems));
    else if constexpr (stored == value_type::bs) return attribute_value::binary_set(std::move(elems));
    else return attribute_value::number_set_unchecked(std::move(elems));
  }
  static void from_attribute(const attribute_value& a, std::set<T>& out, conversion_context& c) {
    out.clear();
    if (c.json_input && a.is_list()) {  // plain JSON has no sets: a list of the elements
      std::size_t i = 0;
      for (const auto& e : a.as_list()) {
        conversion_context::scope s(c, i++);
        T v{};
        if constexpr (stored == value_type::ss) {
          if (!e.is_string()) {
            detail::wrong_type(c, e, "a string");
            continue;
          }
          v = e.as_string();
        } else if constexpr (stored == value_type::bs) {
          converter<bytes>::from_attribute(e, v, c);
        } else {
          converter<T>::from_attribute(e, v, c);
        }
        if (!out.insert(std::move(v)).second) c.fail("duplicate element in a set");
      }
      return;
    }
    if (a.type() != stored) {
      return detail::wrong_type(c, a,
                                stored == value_type::ss   ? "a string set (SS)"
                                : stored == value_type::bs ? "a binary set (BS)"
                                                           : "a number set (NS)");
    }
    std::size_t i = 0;
    for (const auto& e : a.as_set()) {
      conversion_context::scope s(c, i++);
      T v{};
      detail::set_element_read(e, v, c);
      out.insert(std::move(v));
    }
  }
  static bool omit(const std::set<T>& v) { return v.empty(); }
  static void write(const std::set<T>& v, detail::ddb_writer& w) {
    w.begin_set(stored);
    std::size_t i = 0;
    for (const auto& e : v) {
      conversion_context::scope s(w.context(), i++);
      if constexpr (std::is_same_v<T, std::string>) {
        w.set_element(e);
      } else if constexpr (std::is_same_v<T, bytes>) {
        w.set_element(std::string_view(reinterpret_cast<const char*>(e.data()), e.size()));
      } else {
        w.set_element(detail::set_element_text(e, w.context()));
      }
    }
    w.end_set();
  }
  static void read(const detail::ddb_value& a, std::set<T>& out, conversion_context& c) {
    out.clear();
    if (a.type() != stored) {
      return detail::wrong_ddb_type(c, a.type(),
                                    stored == value_type::ss   ? "a string set (SS)"
                                    : stored == value_type::bs ? "a binary set (BS)"
                                                               : "a number set (NS)");
    }
    std::size_t i = 0;
    a.for_each_set_element([&](std::string_view e) {
      conversion_context::scope s(c, i++);
      if constexpr (std::is_same_v<T, std::string>) {
        out.emplace(e);
      } else if constexpr (std::is_same_v<T, bytes>) {
        auto raw = codec::base64_decode(e);
        if (!raw) return c.fail("not valid base64");
        out.emplace(reinterpret_cast<const std::byte*>(raw->data()),
                    reinterpret_cast<const std::byte*>(raw->data()) + raw->size());
      } else {
        T v{};
        if constexpr (std::is_same_v<T, decimal>) {
          if (auto why = codec::check_number(e)) return c.fail("invalid number '" + std::string(e) + "': " + *why);
          v = decimal::from_valid_text(std::string(e));
        } else if constexpr (std::is_integral_v<T>) {
          detail::read_integer_text(e, v, c);
        } else {
          detail::read_float_text(e, v, c);
        }
        out.insert(std::move(v));
      }
    });
  }
};

// ---------------------------------------------------------------- variants

/// std::monostate (inside a std::variant): NULL, like Python's None in a list.
template <>
struct converter<std::monostate> {
  static attribute_value to_attribute(std::monostate, conversion_context&) { return attribute_value::null(); }
  static void from_attribute(const attribute_value& a, std::monostate&, conversion_context& c) {
    if (!a.is_null()) detail::wrong_type(c, a, "NULL");
  }
};

namespace detail {
/// No alternative of a variant read the stored value: one issue, with what the first alternative said.
void no_alternative(conversion_context& c, value_type stored, const std::vector<validation_issue>& first);
}  // namespace detail

/// std::variant of mapped types (a list of mixed values, a member Python types as `str | int | float`): written as
/// the held alternative is; read as the first alternative, in declaration order, that reads the stored value
/// without an issue (so list `std::int64_t` before `double` to keep integers integral).
template <class... Ts>
requires(convertible<Ts>&&...) struct converter<std::variant<Ts...>> {
  using V = std::variant<Ts...>;
  static attribute_value to_attribute(const V& v, conversion_context& c) {
    return std::visit([&](const auto& x) { return converter<std::remove_cvref_t<decltype(x)>>::to_attribute(x, c); },
                      v);
  }
  static void write(const V& v, detail::ddb_writer& w) {
    std::visit([&](const auto& x) { detail::ddb_write(x, w); }, v);
  }
  static void from_attribute(const attribute_value& a, V& out, conversion_context& c) {
    read_first(
        a.type(), c,
        [&](auto& x, conversion_context& t) { converter<std::remove_cvref_t<decltype(x)>>::from_attribute(a, x, t); },
        out);
  }
  // A parsed value can be read once (ddb_value): the alternatives are tried on its attribute_value.
  static void read(const detail::ddb_value& a, V& out, conversion_context& c) {
    from_attribute(a.to_attribute(), out, c);
  }

 private:
  template <class F>
  static void read_first(value_type stored, conversion_context& c, F&& read_one, V& out) {
    std::vector<validation_issue> first;
    bool done = false;
    auto attempt_one = [&]<class T>(std::type_identity<T>) {
      if (done) return;
      conversion_context attempt;
      attempt.json_input = c.json_input;
      T x{};
      read_one(x, attempt);
      if (attempt.ok()) {
        out = std::move(x);
        done = true;
      } else if (first.empty()) {
        first = std::move(attempt.issues());
      }
    };
    (attempt_one(std::type_identity<Ts>{}), ...);
    if (!done) detail::no_alternative(c, stored, first);
  }
};

// ---------------------------------------------------------------- set elements

namespace detail {
template <class T>
std::string set_element_text(const T& v, conversion_context& c) {
  if constexpr (std::is_same_v<T, std::string>) {
    return v;
  } else if constexpr (std::is_same_v<T, bytes>) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size());
  } else {
    return converter<T>::to_attribute(v, c).as_number_text();
  }
}
template <class T>
void set_element_read(const std::string& text, T& out, conversion_context& c) {
  if constexpr (std::is_same_v<T, std::string>) {
    out = text;
  } else if constexpr (std::is_same_v<T, bytes>) {
    out.assign(reinterpret_cast<const std::byte*>(text.data()),
               reinterpret_cast<const std::byte*>(text.data()) + text.size());
  } else {
    converter<T>::from_attribute(attribute_value::number_unchecked(text), out, c);
  }
}
template <class T>
void read_integer_text(std::string_view text, T& out, conversion_context& c) {
  // Fast path: plain integer digits.
  if constexpr (std::is_signed_v<T>) {
    std::int64_t v;
    if (parse_signed(text, v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max())) {
      out = static_cast<T>(v);
      return;
    }
  } else {
    std::uint64_t v;
    if (parse_unsigned(text, v, std::numeric_limits<T>::max())) {
      out = static_cast<T>(v);
      return;
    }
  }
  auto digits = integer_text(text);
  if (!digits) return c.fail("'" + std::string(text) + "' is not an integer");
  if constexpr (std::is_signed_v<T>) {
    std::int64_t v;
    if (!parse_signed(*digits, v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max())) {
      return c.fail("'" + std::string(text) + "' is out of range for a " + std::to_string(sizeof(T) * 8) +
                    "-bit integer");
    }
    out = static_cast<T>(v);
  } else {
    std::uint64_t v;
    if (!parse_unsigned(*digits, v, std::numeric_limits<T>::max())) {
      return c.fail("'" + std::string(text) + "' is out of range for an unsigned " + std::to_string(sizeof(T) * 8) +
                    "-bit integer");
    }
    out = static_cast<T>(v);
  }
}

template <class T>
void read_float_text(std::string_view text, T& out, conversion_context& c) {
  auto d = parse_double(text);
  if (!d) return c.fail("'" + std::string(text) + "' is not a number");
  if constexpr (std::is_same_v<T, float>) {
    if (*d > std::numeric_limits<float>::max() || *d < -std::numeric_limits<float>::max()) {
      return c.fail("'" + std::string(text) + "' is out of range for a float");
    }
  }
  out = static_cast<T>(*d);
}

}  // namespace detail

/// @endcond

}  // namespace dynantic
