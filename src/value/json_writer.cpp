#include "value/json_writer.hpp"

#include <algorithm>
#include <array>
#include <set>
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

void json_writer::append_string(std::string_view s) {
  out_ += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!needs_escape[c]) continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
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
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
}

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
        check_utf8(v.as_string());
        w_.string(v.as_string());
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
    std::set<std::string> seen;
    std::size_t i = 0;
    for (const auto& e : elems) {
      path_.push_back({{}, i++, true});
      std::string canon;
      if (v.type() == value_type::ss) {
        check_utf8(e);
        w_.string(e);
        canon = e;
      } else if (v.type() == value_type::ns) {
        bool ok = check_num(e);
        w_.string(e);
        canon = ok ? canonical_number(e) : e;
      } else {
        w_.string(base64_encode(e));
        canon = e;
      }
      if (!seen.insert(std::move(canon)).second) problem("duplicate element in a set");
      path_.pop_back();
    }
    w_.end_array();
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
