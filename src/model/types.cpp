#include <dynantic/model/types.hpp>

#include <sys/random.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic {

using namespace std::chrono;

timestamp now() { return time_point_cast<microseconds>(system_clock::now()); }

namespace {
void put2(std::string& s, unsigned v) {
  s += static_cast<char>('0' + v / 10);
  s += static_cast<char>('0' + v % 10);
}

void put_date(std::string& s, year_month_day d) {
  int y = static_cast<int>(d.year());
  if (y < 0 || y > 9999) throw validation_error("", "year " + std::to_string(y) + " is outside 0000..9999");
  s += static_cast<char>('0' + y / 1000);
  s += static_cast<char>('0' + y / 100 % 10);
  put2(s, static_cast<unsigned>(y % 100));
  s += '-';
  put2(s, static_cast<unsigned>(d.month()));
  s += '-';
  put2(s, static_cast<unsigned>(d.day()));
}

bool digits(std::string_view t, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > t.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    v = v * 10 + (t[i] - '0');
  }
  out = v;
  return true;
}

std::optional<year_month_day> date_at(std::string_view t) {
  int y, m, d;
  if (t.size() < 10 || !digits(t, 0, 4, y) || t[4] != '-' || !digits(t, 5, 2, m) || t[7] != '-' ||
      !digits(t, 8, 2, d)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}
}  // namespace

std::string format_date(year_month_day d) {
  std::string s;
  put_date(s, d);
  return s;
}

std::optional<year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  return date_at(text);
}

std::string format_timestamp(timestamp t) {
  auto day = floor<days>(t);
  std::string s;
  s.reserve(27);
  put_date(s, year_month_day{day});
  hh_mm_ss<microseconds> hms{t - day};
  s += 'T';
  put2(s, static_cast<unsigned>(hms.hours().count()));
  s += ':';
  put2(s, static_cast<unsigned>(hms.minutes().count()));
  s += ':';
  put2(s, static_cast<unsigned>(hms.seconds().count()));
  auto us = hms.subseconds().count();
  if (us != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
    s += buf;
  }
  s += 'Z';
  return s;
}

std::optional<timestamp> parse_timestamp(std::string_view t) {
  auto d = date_at(t);
  if (!d || t.size() < 19 || (t[10] != 'T' && t[10] != 't' && t[10] != ' ')) return std::nullopt;
  int h, mi, se;
  if (!digits(t, 11, 2, h) || t[13] != ':' || !digits(t, 14, 2, mi) || t[16] != ':' || !digits(t, 17, 2, se)) {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || se > 59) return std::nullopt;
  std::size_t pos = 19;
  long long us = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long scale = 100000;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (scale > 0) us += (t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  minutes offset{0};
  if (pos < t.size()) {
    if ((t[pos] == 'Z' || t[pos] == 'z') && pos + 1 == t.size()) {
      pos = t.size();
    } else if (t[pos] == '+' || t[pos] == '-') {
      int oh, om;
      if (!digits(t, pos + 1, 2, oh) || pos + 6 != t.size() || t[pos + 3] != ':' || !digits(t, pos + 4, 2, om) ||
          oh > 23 || om > 59) {
        return std::nullopt;
      }
      offset = hours{oh} + minutes{om};
      if (t[pos] == '-') offset = -offset;
      pos = t.size();
    } else {
      return std::nullopt;
    }
  }
  timestamp r = sys_days{*d} + hours{h} + minutes{mi} + seconds{se} + microseconds{us};
  return r - offset;
}

// ---------------------------------------------------------------- decimal

decimal::decimal(std::string_view text) {
  if (auto why = codec::check_number(text)) {
    throw validation_error("", "invalid decimal '" + std::string(text) + "': " + *why);
  }
  text_ = std::string(text);
}

std::string decimal::canonical() const { return codec::canonical_number(text_); }

double decimal::to_double() const { return std::strtod(text_.c_str(), nullptr); }

int decimal::compare(const decimal& other) const {
  // Compare canonical forms: sign, then magnitude (digits * 10^exp).
  auto parse = [](const std::string& c, bool& neg, std::string& digits, long long& exp) {
    neg = !c.empty() && c[0] == '-';
    std::size_t start = neg ? 1 : 0;
    auto e = c.find('E');
    digits = c.substr(start, e == std::string::npos ? std::string::npos : e - start);
    exp = e == std::string::npos ? 0 : std::stoll(c.substr(e + 1));
  };
  std::string ca = canonical(), cb = other.canonical();
  if (ca == cb) return 0;
  bool na, nb;
  std::string da, db;
  long long ea, eb;
  parse(ca, na, da, ea);
  parse(cb, nb, db, eb);
  bool za = ca == "0", zb = cb == "0";
  int sa = za ? 0 : (na ? -1 : 1), sb = zb ? 0 : (nb ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  // same sign, both non-zero: compare magnitudes by the position of the leading digit, then digits
  long long ma = ea + static_cast<long long>(da.size()), mb = eb + static_cast<long long>(db.size());
  int mag;
  if (ma != mb) {
    mag = ma < mb ? -1 : 1;
  } else {
    std::size_t n = std::max(da.size(), db.size());
    da.resize(n, '0');
    db.resize(n, '0');
    mag = da < db ? -1 : (da > db ? 1 : 0);
  }
  return sa < 0 ? -mag : mag;
}

// ---------------------------------------------------------------- uuid

uuid uuid::v4() {
  uuid u;
  std::size_t got = 0;
  while (got < u.bytes_.size()) {
    ssize_t n = ::getrandom(u.bytes_.data() + got, u.bytes_.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw error("dynantic: getrandom() failed");
    }
    got += static_cast<std::size_t>(n);
  }
  u.bytes_[6] = static_cast<std::uint8_t>((u.bytes_[6] & 0x0f) | 0x40);  // version 4
  u.bytes_[8] = static_cast<std::uint8_t>((u.bytes_[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return u;
}

std::optional<uuid> uuid::parse(std::string_view t) {
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') return std::nullopt;
  uuid u;
  std::size_t b = 0;
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] == '-') {
      ++i;
      continue;
    }
    auto hexval = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hexval(t[i]), lo = hexval(t[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    u.bytes_[b++] = static_cast<std::uint8_t>(hi * 16 + lo);
    i += 2;
  }
  return u;
}

std::string uuid::to_string() const {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[bytes_[i] >> 4];
    s += hex[bytes_[i] & 15];
  }
  return s;
}

}  // namespace dynantic
