#pragma once
/// @file ddb_json.hpp
/// The model codec's path between models and DynamoDB-JSON text, without building an item tree in between:
/// ddb_writer appends DynamoDB-JSON, ddb_value reads parsed DynamoDB-JSON (simdjson underneath, hidden).
/// Used by converters that provide write()/read(); anything else goes through attribute_value.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include <dynantic/value/attribute_value.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic {
class conversion_context;

namespace detail {

/// Writes DynamoDB-JSON values into a string. Problems (invalid UTF-8, invalid numbers) go to the context.
/// It writes through a pointer into room it makes at the string's end (most writes are a fixed-size copy, no
/// call): `out` holds exactly what was written once finish() was called (or the writer destroyed).
class ddb_writer {
 public:
  ddb_writer(std::string& out, conversion_context& c) : out_(out), c_(c), pos_(out.data() + out.size()), end_(pos_) {}
  ~ddb_writer() { finish(); }
  ddb_writer(const ddb_writer&) = delete;
  ddb_writer& operator=(const ddb_writer&) = delete;
  /// Trims the string to what was written. Nothing may be written after.
  void finish() {
    if (pos_) out_.resize(static_cast<std::size_t>(pos_ - out_.data()));
    pos_ = end_ = nullptr;
  }

  // an object of attributes (the item itself, or the body of an M)
  void begin_attributes() {
    put('{');
    first_ = true;
  }
  void end_attributes() {
    put('}');
    first_ = false;
  }
  void attribute(std::string_view name);

  void string(std::string_view s);            // {"S":"..."}
  void number(std::string_view valid_text) {  // {"N":"..."}; the text is known to be valid
    char* d = room(valid_text.size() + 8);
    std::memcpy(d, R"({"N":")", 6);
    std::memcpy(d + 6, valid_text.data(), valid_text.size());
    std::memcpy(d + 6 + valid_text.size(), R"("})", 2);
    pos_ = d + valid_text.size() + 8;
  }
  void number_checked(std::string_view text);  // validates first
  void boolean(bool b) { b ? literal(R"({"BOOL":true})") : literal(R"({"BOOL":false})"); }
  void null() { literal(R"({"NULL":true})"); }
  void binary(std::span<const std::byte> raw);
  void begin_map() {
    nest();
    literal(R"({"M":{)");
    first_ = true;
  }
  void end_map() {
    literal("}}");
    first_ = false;
    --depth_;
  }
  void begin_list() {
    nest();
    literal(R"({"L":[)");
    first_ = true;
  }
  void list_element() {
    if (!first_) put(',');
    first_ = false;
  }
  void end_list() {
    literal("]}");
    first_ = false;
    --depth_;
  }
  /// A set: begin_set(ss/ns/bs), elements, end_set. Elements of NS must be valid number text.
  void begin_set(value_type t);
  void set_element(std::string_view e);
  void end_set() {
    literal("]}");
    first_ = false;
  }
  /// Any value (the slow path for converters without write()).
  void value(const attribute_value& v);

  conversion_context& context() { return c_; }

 private:
  /// DynamoDB nests maps and lists at most 32 levels deep.
  static constexpr int max_depth = 32;
  void nest() {
    if (++depth_ == max_depth + 1) too_deep();
  }
  void too_deep();
  /// At least n bytes of room at pos_.
  char* room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - pos_) < n) grow(n);
    return pos_;
  }
  void grow(std::size_t n);
  void put(char ch) {
    *room(1) = ch;
    ++pos_;
  }
  template <std::size_t N>
  void literal(const char (&s)[N]) {
    std::memcpy(room(N - 1), s, N - 1);
    pos_ += N - 1;
  }
  /// A JSON string with quotes and escapes; false when it has bytes other than ASCII.
  bool json_string(std::string_view s);
  /// Runs f(std::string&) on the string as written so far (for writers that append to a string).
  template <class F>
  void through_string(F&& f) {
    out_.resize(static_cast<std::size_t>(pos_ - out_.data()));
    struct again {  // also when f throws
      ddb_writer& w;
      ~again() { w.pos_ = w.end_ = w.out_.data() + w.out_.size(); }
    } a{*this};
    f(out_);
  }

  std::string& out_;
  conversion_context& c_;
  char* pos_;
  char* end_;
  bool first_ = true;
  int depth_ = 0;
  value_type set_type_ = value_type::ss;
};

/// One DynamoDB-JSON value (`{"S":"x"}`) of a document being read front to back (simdjson On-Demand
/// underneath, or an already parsed DOM for items inside larger answers): valid only inside the callback that
/// hands it out, and each value can be read once.
/// Shape errors throw decode_error.
class ddb_value {
 public:
  value_type type() const { return is_item ? value_type::m : tag; }
  /// S text, N text, or B as base64 text.
  std::string_view text() const;
  bool boolean() const;
  /// Calls f(name, ddb_value) for each attribute of an M (or of the item itself).
  template <class F>
  void for_each_attribute(F&& f) const {
    attributes(&f, [](void* fp, std::string_view name, const ddb_value& v) { (*static_cast<F*>(fp))(name, v); });
  }
  /// Calls f(ddb_value) for each element of an L.
  template <class F>
  void for_each_element(F&& f) const {
    elements(&f, [](void* fp, const ddb_value& v) { (*static_cast<F*>(fp))(v); });
  }
  /// Calls f(text) for each element of an SS, NS or BS (BS elements as base64 text).
  template <class F>
  void for_each_set_element(F&& f) const {
    set_elements(&f, [](void* fp, std::string_view s) { (*static_cast<F*>(fp))(s); });
  }
  /// The generic value (the slow path for converters without read()).
  attribute_value to_attribute() const;

  /// Parses a DynamoDB-JSON item and calls f(item_as_ddb_value) while the document lives.
  template <class F>
  static void parse_item(std::string_view json, F&& f) {
    parse(json, &f, [](void* fp, const ddb_value& v) { (*static_cast<F*>(fp))(v); });
  }

  // internal: a copy of the underlying parser element
  alignas(8) unsigned char storage[24];
  value_type tag = value_type::null;
  bool is_item = false;  // the top-level object of attributes (no type tag)
  bool dom = false;      // storage holds a parsed simdjson DOM element (a document already in memory)

 private:
  void attributes(void* ctx, void (*cb)(void*, std::string_view, const ddb_value&)) const;
  void elements(void* ctx, void (*cb)(void*, const ddb_value&)) const;
  void set_elements(void* ctx, void (*cb)(void*, std::string_view)) const;
  static void parse(std::string_view json, void* ctx, void (*cb)(void*, const ddb_value&));
};

}  // namespace detail
}  // namespace dynantic
