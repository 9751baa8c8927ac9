#pragma once
// A small JSON writer that appends to a std::string. The caller produces well-formed structure; the
// writer handles commas and string escaping. Measured faster than building a DOM and serializing it.
#include <cstdint>
#include <string>
#include <string_view>

namespace dynantic::detail {

class json_writer {
 public:
  explicit json_writer(std::string& out) : out_(out) {}

  void begin_object() {
    sep();
    out_ += '{';
    first_ = true;
  }
  void end_object() {
    out_ += '}';
    first_ = false;
  }
  void begin_array() {
    sep();
    out_ += '[';
    first_ = true;
  }
  void end_array() {
    out_ += ']';
    first_ = false;
  }
  /// An object key; the next value follows without a comma.
  void key(std::string_view k) {
    sep();
    append_string(k);
    out_ += ':';
    first_ = true;
  }
  /// @return true when `s` is all ASCII (then it is valid UTF-8 without further checks).
  bool string(std::string_view s) {
    sep();
    return append_string(s);
  }
  /// Raw JSON text (a number, or a pre-rendered fragment).
  void raw(std::string_view text) {
    sep();
    out_ += text;
  }
  void boolean(bool b) {
    sep();
    out_ += b ? "true" : "false";
  }
  void integer(std::int64_t v) {
    sep();
    out_ += std::to_string(v);
  }
  void null() {
    sep();
    out_ += "null";
  }

  // Shorthands for members.
  void member(std::string_view k, std::string_view s) {
    key(k);
    string(s);
  }
  void member_bool(std::string_view k, bool b) {
    key(k);
    boolean(b);
  }
  void member_int(std::string_view k, std::int64_t v) {
    key(k);
    integer(v);
  }

  /// Lets `f(std::string&)` append one complete JSON value at the current position.
  template <class F>
  void raw_with(F&& f) {
    sep();
    f(out_);
  }

 private:
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  bool append_string(std::string_view s);

  std::string& out_;
  bool first_ = true;
};

}  // namespace dynantic::detail
