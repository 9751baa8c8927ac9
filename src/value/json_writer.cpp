#include "value/json_writer.hpp"

#include <algorithm>
#include <cstring>
#include <array>
#include <vector>

#include <simdjson.h>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic::detail {
namespace {
// 1 where a byte needs escaping in a JSON string.
constexpr std::array<bool, 256> make_escape_table() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}
constexpr auto needs_escape = make_escape_table();
}  // namespace

namespace {
constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t highs = 0x8080808080808080ULL;
// Bytes of w that are < n (n <= 128), as their high bit (the classic SWAR "hasless").
constexpr std::uint64_t less_than(std::uint64_t w, std::uint8_t n) { return (w - ones * n) & ~w & highs; }
constexpr std::uint64_t equal_to(std::uint64_t w, std::uint8_t c) {
  std::uint64_t x = w ^ (ones * c);
  return (x - ones) & ~x & highs;
}
}  // namespace

json_text json_string_class(std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  auto special = [](std::uint64_t w) { return less_than(w, 0x20) | equal_to(w, '"') | equal_to(w, '\\'); };
  std::uint64_t w, high = 0;
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::memcpy(&w, p + i, 8);
      high |= w;
      if (special(w)) return json_text::escaped;
    }
    if (i < n) {  // the last 8 bytes, overlapping what was read
      std::memcpy(&w, p + n - 8, 8);
      high |= w;
      if (special(w)) return json_text::escaped;
    }
  } else if (n >= 4) {  // two 4-byte reads that cover the string
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    w = a | (std::uint64_t{b} << 32);
    high = w;
    if (special(w)) return json_text::escaped;
  } else if (n > 0) {  // first, middle and last byte; the rest 'a'
    w = 0x6161616161000000ULL | static_cast<unsigned char>(p[0]) |
        (std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
        (std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16);
    high = w;
    if (special(w)) return json_text::escaped;
  }
  return (high & highs) == 0 ? json_text::ascii : json_text::plain;
}

bool append_json_string(std::string& out_, std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  // Fast path: most strings need no escaping and are copied in one go.
  if (json_text k = json_string_class(s); k != json_text::escaped) {
    out_.reserve(out_.size() + n + 2);
    out_ += '"';
    out_.append(p, n);
    out_ += '"';
    return k == json_text::ascii;
  }
  out_.reserve(out_.size() + s.size() + 8);
  out_ += '"';
  std::size_t run = 0, i = 0;
  std::uint64_t high = 0;
  while (i < n) {
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      high |= w;
      if (less_than(w, 0x20) | equal_to(w, '"') | equal_to(w, '\\')) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = static_cast<unsigned char>(p[i]);
    high |= c;
    if (!needs_escape[c]) {
      ++i;
      continue;
    }
    out_.append(p + run, i - run);
    run = ++i;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      default: {
        static constexpr char hex[] = "0123456789abcdef";
        char buf[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out_.append(buf, 6);
      }
    }
  }
  out_.append(p + run, n - run);
  out_ += '"';
  return (high & highs) == 0;
}

bool json_writer::append_string(std::string_view s) { return append_json_string(out_, s); }

}  // namespace dynantic::detail

namespace dynantic::codec {
namespace {

using detail::json_writer;

// Writes values, collecting every validation problem with its path. The path is kept as a stack of
// segments and only formatted when a problem is found.
class item_encoder {
 public:
  explicit item_encoder(std::string& out) : w_(out) {}

  void item_body(const item& it) {
    w_.begin_object();
    for (const auto& [name, v] : it) {
      w_.key(name);
      path_.push_back({name, 0, false});
      value(v);
      path_.pop_back();
    }
    w_.end_object();
  }

  void value(const attribute_value& v) {
    w_.begin_object();
    w_.key(type_tag(v.type()));
    switch (v.type()) {
      case value_type::null: w_.boolean(true); break;
      case value_type::boolean: w_.boolean(v.as_bool()); break;
      case value_type::s:
        if (!w_.string(v.as_string())) check_utf8(v.as_string());  // ASCII needs no check
        break;
      case value_type::n:
        check_num(v.as_number_text());
        w_.string(v.as_number_text());
        break;
      case value_type::b: w_.string(base64_encode(v.as_binary_string())); break;
      case value_type::m: item_body(v.as_map()); break;
      case value_type::l: {
        w_.begin_array();
        std::size_t i = 0;
        for (const auto& e : v.as_list()) {
          path_.push_back({{}, i++, true});
          value(e);
          path_.pop_back();
        }
        w_.end_array();
        break;
      }
      case value_type::ss:
      case value_type::ns:
      case value_type::bs: set(v); break;
    }
    w_.end_object();
  }

  std::vector<validation_issue>& issues() { return issues_; }

 private:
  struct segment {
    std::string_view name;
    std::size_t index;
    bool is_index;
  };

  void set(const attribute_value& v) {
    const auto& elems = v.as_set();
    if (elems.empty()) problem("an empty set cannot be stored (omit the attribute instead)");
    w_.begin_array();
    std::size_t i = 0;
    for (const auto& e : elems) {
      path_.push_back({{}, i++, true});
      if (v.type() == value_type::ss) {
        if (!w_.string(e)) check_utf8(e);
      } else if (v.type() == value_type::ns) {
        check_num(e);
        w_.string(e);
      } else {
        w_.string(base64_encode(e));
      }
      path_.pop_back();
    }
    w_.end_array();
    if (elems.size() > 1) check_duplicates(v);
  }

  // DynamoDB rejects a set with two equal elements (numbers compare by value: 1 and 1.0 are equal).
  void check_duplicates(const attribute_value& v) {
    const auto& elems = v.as_set();
    std::vector<std::pair<std::string, std::size_t>> canon;
    std::vector<std::pair<std::string_view, std::size_t>> plain;
    if (v.type() == value_type::ns) {
      canon.reserve(elems.size());
      for (std::size_t i = 0; i < elems.size(); ++i) {
        if (check_number(elems[i])) continue;  // already reported
        canon.emplace_back(canonical_number(elems[i]), i);
      }
      for (const auto& [c, i] : canon) plain.emplace_back(c, i);
    } else {
      plain.reserve(elems.size());
      for (std::size_t i = 0; i < elems.size(); ++i) plain.emplace_back(elems[i], i);
    }
    std::sort(plain.begin(), plain.end());
    std::vector<std::size_t> dups;
    for (std::size_t k = 1; k < plain.size(); ++k) {
      if (plain[k].first == plain[k - 1].first) dups.push_back(plain[k].second);
    }
    std::sort(dups.begin(), dups.end());
    for (auto i : dups) {
      path_.push_back({{}, i, true});
      problem("duplicate element in a set");
      path_.pop_back();
    }
  }

  void check_utf8(std::string_view s) {
    if (!simdjson::validate_utf8(s.data(), s.size())) problem("not valid UTF-8");
  }
  bool check_num(std::string_view n) {
    if (auto why = check_number(n)) {
      problem("invalid number '" + std::string(n) + "': " + *why);
      return false;
    }
    return true;
  }

  void problem(std::string message) {
    std::string p;
    for (const auto& s : path_) {
      if (s.is_index) {
        p += '[' + std::to_string(s.index) + ']';
      } else {
        if (!p.empty()) p += '.';
        p += s.name;
      }
    }
    issues_.push_back({std::move(p), std::move(message)});
  }

  json_writer w_;
  std::vector<segment> path_;
  std::vector<validation_issue> issues_;
};

}  // namespace

void write_item(std::string& out, const item& it) {
  std::size_t mark = out.size();
  item_encoder e(out);
  e.item_body(it);
  if (!e.issues().empty()) {
    out.resize(mark);
    throw validation_error(std::move(e.issues()));
  }
}

std::string write_item(const item& it) {
  std::string s;
  write_item(s, it);
  return s;
}

void write_value(std::string& out, const attribute_value& v) {
  std::size_t mark = out.size();
  item_encoder e(out);
  e.value(v);
  if (!e.issues().empty()) {
    out.resize(mark);
    throw validation_error(std::move(e.issues()));
  }
}

}  // namespace dynantic::codec
