#pragma once
/// @file types.hpp
/// Value types of the model layer: dy::decimal (exact), dy::timestamp (ISO-8601 text), dy::uuid, dy::bytes.

#include <array>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynantic {

/// Raw bytes, stored as B (base64 on the wire).
using bytes = std::vector<std::byte>;

/// A point in time with microsecond precision, stored as ISO-8601 text in UTC like Python's isoformat:
/// `2024-05-01T12:34:56Z`, with six fraction digits only when they are not all zero (`...56.120000Z`).
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// The current time, truncated to microseconds.
timestamp now();

/// `2024-05-01T12:34:56Z` / `2024-05-01T12:34:56.120000Z`.
std::string format_timestamp(timestamp t);
/// Accepts `YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|+hh:mm|-hh:mm]` (no offset = UTC; ' ' may replace 'T').
/// Fractions beyond microseconds are truncated. @return nothing when the text is not such a time.
std::optional<timestamp> parse_timestamp(std::string_view text);

/// `2024-05-01`.
std::string format_date(std::chrono::year_month_day d);
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);

/// An exact decimal number as DynamoDB stores it: at most 38 significant digits, magnitude 1E-130 to
/// 9.99...E+125. Kept as decimal text; equality and order compare values (`1.50 == 1.5`).
class decimal {
 public:
  /// Zero.
  decimal() = default;
  /// @throws validation_error when `text` is not a valid DynamoDB number.
  explicit decimal(std::string_view text);
  explicit decimal(const char* text) : decimal(std::string_view(text)) {}
  decimal(std::int64_t v) : text_(std::to_string(v)) {}  // NOLINT: integers are always exact
  decimal(int v) : text_(std::to_string(v)) {}           // NOLINT

  /// The text as given (or as read from DynamoDB).
  const std::string& text() const noexcept { return text_; }
  /// Canonical text (no leading/trailing zeros, exponent when needed): equal values have equal canonical text.
  std::string canonical() const;
  bool is_negative() const noexcept { return !text_.empty() && text_[0] == '-' && canonical() != "0"; }
  /// Nearest double (for display or arithmetic you accept to be inexact).
  double to_double() const;

  friend bool operator==(const decimal& a, const decimal& b) { return a.compare(b) == 0; }
  friend std::strong_ordering operator<=>(const decimal& a, const decimal& b) { return a.compare(b) <=> 0; }

  /// Builds without validation (the text was validated already).
  static decimal from_valid_text(std::string text) {
    decimal d;
    d.text_ = std::move(text);
    return d;
  }

 private:
  int compare(const decimal& other) const;
  std::string text_ = "0";
};

/// A UUID, stored as canonical lower-case text (`123e4567-e89b-42d3-a456-426614174000`).
class uuid {
 public:
  /// The nil UUID (all zeros).
  constexpr uuid() = default;
  /// A random version-4 UUID from getrandom().
  static uuid v4();
  /// @return nothing when `text` is not 36 characters of hex digits in 8-4-4-4-12 groups.
  static std::optional<uuid> parse(std::string_view text);
  std::string to_string() const;
  constexpr bool is_nil() const {
    for (auto b : bytes_) {
      if (b != 0) return false;
    }
    return true;
  }
  const std::array<std::uint8_t, 16>& data() const noexcept { return bytes_; }
  friend auto operator<=>(const uuid&, const uuid&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace dynantic
