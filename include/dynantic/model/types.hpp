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
namespace detail {
/// format_timestamp into a buffer: its length (at most 27). @throws validation_error as format_timestamp
std::size_t format_timestamp_to(timestamp t, char (&out)[32]);
}  // namespace detail
/// Accepts `YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|+hh:mm|-hh:mm]` (no offset = UTC; ' ' may replace 'T').
/// Fractions beyond microseconds are truncated. @return nothing when the text is not such a time.
std::optional<timestamp> parse_timestamp(std::string_view text);

/// A date and time without a zone (Python's naive datetime, Pydantic's `datetime` without tzinfo), stored as
/// `2024-05-01T12:34:56` with `.ffffff` only when the microseconds are not zero, exactly as isoformat() writes.
using naive_timestamp = std::chrono::local_time<std::chrono::microseconds>;

/// An instant together with the UTC offset it is written in (Python's aware datetime): stored as
/// `2024-05-01T14:34:56+02:00` (the local time at that offset), or with `Z` when the offset is zero, as Python
/// Dynantic writes UTC. Reading gives back the same instant and the same offset.
///
/// Equality and order: `==` holds when instant and offset are both equal (the stored texts are then equal);
/// `<=>` orders by instant, then by offset. Two texts of one instant at different offsets are different values
/// (they are different strings to DynamoDB too). DynamoDB compares stored strings as text, so a sort key of
/// zoned times sorts by instant only when every item uses the same offset; use dy::timestamp (always `Z`) for
/// keys that must sort by time.
class zoned_timestamp {
 public:
  /// 1970-01-01T00:00:00Z.
  zoned_timestamp() = default;
  /// @throws validation_error for an offset of 24 hours or more, or not a whole number of minutes.
  zoned_timestamp(timestamp instant, std::chrono::minutes offset);
  /// The same instant in UTC (`Z`).
  explicit zoned_timestamp(timestamp instant) : instant_(instant) {}

  /// The instant (UTC).
  timestamp instant() const noexcept { return instant_; }
  /// The offset from UTC it was written with.
  std::chrono::minutes offset() const noexcept { return offset_; }
  /// The wall-clock time at the offset (what the text shows before the offset).
  naive_timestamp local() const noexcept {
    return naive_timestamp{instant_.time_since_epoch() +
                           std::chrono::duration_cast<std::chrono::microseconds>(offset_)};
  }

  /// Same instant and same offset.
  friend bool operator==(const zoned_timestamp&, const zoned_timestamp&) = default;
  /// Ordered by instant, then offset.
  friend std::strong_ordering operator<=>(const zoned_timestamp& a, const zoned_timestamp& b) {
    if (auto c = a.instant_ <=> b.instant_; c != 0) return c;
    return a.offset_ <=> b.offset_;
  }

 private:
  timestamp instant_{};
  std::chrono::minutes offset_{0};
};

/// `2024-05-01T12:34:56` / `2024-05-01T12:34:56.120000` (like Python's isoformat).
std::string format_naive(naive_timestamp t);
/// Accepts `YYYY-MM-DDTHH:MM:SS[.f{1,9}]` without a zone. @return nothing otherwise (also for a text with a zone).
std::optional<naive_timestamp> parse_naive(std::string_view text);
/// `2024-05-01T14:34:56+02:00`, `2024-05-01T12:34:56Z` for offset zero.
std::string format_zoned(const zoned_timestamp& t);
/// Accepts `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+hh:mm|-hh:mm)`. @return nothing otherwise (also without a zone).
std::optional<zoned_timestamp> parse_zoned(std::string_view text);

/// `2024-05-01`.
std::string format_date(std::chrono::year_month_day d);
/// Reads "2024-02-29"; nothing when it is not a valid date.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);

/// An exact decimal number as DynamoDB stores it: at most 38 significant digits, magnitude 1E-130 to
/// 9.99...E+125. Kept as decimal text; equality and order compare values (`1.50 == 1.5`).
class decimal {
 public:
  /// Zero.
  decimal() = default;
  /// @throws validation_error when `text` is not a valid DynamoDB number.
  explicit decimal(std::string_view text);
  /// From decimal text; see decimal(std::string_view).
  explicit decimal(const char* text) : decimal(std::string_view(text)) {}
  /// An integer (always exact).
  decimal(std::int64_t v) : text_(std::to_string(v)) {}  // NOLINT: integers are always exact
  /// An integer (always exact).
  decimal(int v) : text_(std::to_string(v)) {}  // NOLINT

  /// The text as given (or as read from DynamoDB).
  const std::string& text() const noexcept { return text_; }
  /// Canonical text (no leading/trailing zeros, exponent when needed): equal values have equal canonical text.
  std::string canonical() const;
  /// Below zero.
  bool is_negative() const noexcept { return !text_.empty() && text_[0] == '-' && canonical() != "0"; }
  /// Nearest double (for display or arithmetic you accept to be inexact).
  double to_double() const;

  /// Equal in value: 1.50 == 1.5.
  friend bool operator==(const decimal& a, const decimal& b) { return a.compare(b) == 0; }
  /// Ordered by value.
  friend std::strong_ordering operator<=>(const decimal& a, const decimal& b) { return a.compare(b) <=> 0; }

  /// Exact arithmetic: the result is the exact value, or arithmetic_error when DynamoDB could not store it
  /// (more than 38 significant digits, out of range). Never rounded. Integers convert implicitly:
  /// `balance - 5`, `price * 3`.
  friend decimal operator+(const decimal& a, const decimal& b);
  /// Exact difference. @throws arithmetic_error when it needs more than 38 digits or leaves DynamoDB's range
  friend decimal operator-(const decimal& a, const decimal& b);
  /// Exact product. @throws arithmetic_error as operator-
  friend decimal operator*(const decimal& a, const decimal& b);
  /// Exact division: `1 / 4` is 0.25; `1 / 3` is arithmetic_error (it does not terminate within 38 digits), as is
  /// a division by zero.
  friend decimal operator/(const decimal& a, const decimal& b);
  /// Negation.
  friend decimal operator-(const decimal& a);
  /// *this = *this + b.
  decimal& operator+=(const decimal& b) { return *this = *this + b; }
  /// *this = *this - b.
  decimal& operator-=(const decimal& b) { return *this = *this - b; }
  /// *this = *this * b.
  decimal& operator*=(const decimal& b) { return *this = *this * b; }
  /// *this = *this / b.
  decimal& operator/=(const decimal& b) { return *this = *this / b; }

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
  /// Lower-case text: "123e4567-e89b-42d3-a456-426614174000".
  std::string to_string() const;
  /// All zero (an auto_uuid key is filled when nil).
  constexpr bool is_nil() const {
    for (auto b : bytes_) {
      if (b != 0) return false;
    }
    return true;
  }
  /// The 16 bytes.
  const std::array<std::uint8_t, 16>& data() const noexcept { return bytes_; }
  /// Byte order.
  friend auto operator<=>(const uuid&, const uuid&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace dynantic
