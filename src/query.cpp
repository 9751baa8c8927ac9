// Query/scan paging and cursors (see include/dynantic/query.hpp).
#include <dynantic/query.hpp>

#include <openssl/crypto.h>

#include <dynantic/value/codec.hpp>

#include "wire/sigv4.hpp"

namespace dynantic::detail {
namespace {

std::string b64url(std::string_view raw) {
  std::string s = codec::base64_encode(raw);
  for (auto& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::optional<std::string> unb64url(std::string_view text) {
  std::string s(text);
  for (auto& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return std::nullopt;
  }
  while (s.size() % 4) s += '=';
  return codec::base64_decode(s);
}

std::string binding_tag(std::string_view binding) { return sha256_hex(binding).substr(0, 16); }

item key_of(const item& it, const std::vector<std::string>& names) {
  item k;
  for (const auto& n : names) {
    auto f = it.find(n);
    if (f == it.end()) {
      throw error("dynantic: an item lacks the key attribute '" + n +
                  "' needed to continue after it (is it projected away?)");
    }
    k.emplace(n, f->second);
  }
  return k;
}

}  // namespace

std::string encode_cursor(const item& key, std::string_view binding, std::string_view secret) {
  std::string json = codec::write_item(key);
  std::string c = "c1." + binding_tag(binding) + "." + b64url(json);
  if (!secret.empty()) {
    std::string msg = std::string(binding) + "\n" + json;
    c += "." + b64url(hmac_sha256(secret, msg));
  }
  return c;
}

item decode_cursor(std::string_view cursor, std::string_view binding, std::string_view secret) {
  auto fail = [](const char* why) -> item { throw invalid_cursor(std::string("dynantic: invalid cursor: ") + why); };
  if (!cursor.starts_with("c1.")) return fail("not a dynantic cursor");
  cursor.remove_prefix(3);
  auto dot = cursor.find('.');
  if (dot == std::string_view::npos) return fail("truncated");
  if (cursor.substr(0, dot) != binding_tag(binding)) return fail("it belongs to another query");
  cursor.remove_prefix(dot + 1);
  dot = cursor.find('.');
  auto json = unb64url(cursor.substr(0, dot));
  if (!json) return fail("not base64url");
  if (!secret.empty()) {
    if (dot == std::string_view::npos) return fail("it is not signed");
    auto mac = unb64url(cursor.substr(dot + 1));
    std::string want = hmac_sha256(secret, std::string(binding) + "\n" + *json);
    if (!mac || mac->size() != want.size() || CRYPTO_memcmp(mac->data(), want.data(), want.size()) != 0) {
      return fail("the signature does not match (tampered, or signed with another key)");
    }
  }
  try {
    return codec::read_item(*json);
  } catch (const error&) {
    return fail("the position is not a key");
  }
}

std::string cursor_binding(const read_target& t, const std::string& extra) {
  return t.table + "\n" + t.index + "\n" + extra;
}

raw_page fetch_items(const page_request& r, const std::vector<std::string>& key_names, std::optional<item> start,
                     std::optional<std::size_t> want) {
  raw_page out;
  std::optional<item> pos = std::move(start);
  for (;;) {
    std::optional<std::int32_t> lim = r.page_size;
    if (want && !r.filtered) {
      // Without a filter every evaluated item is returned: ask for exactly what is missing.
      auto missing = static_cast<std::int32_t>(std::min<std::size_t>(*want - out.items.size(), 1'000'000));
      lim = lim ? std::min(*lim, missing) : missing;
    }
    auto p = r.fetch(pos, lim, false);
    for (std::size_t i = 0; i < p.items.size(); ++i) {
      out.items.push_back(std::move(p.items[i]));
      if (want && out.items.size() == *want) {
        bool more = i + 1 < p.items.size() || p.last_evaluated_key.has_value();
        if (more) out.next = key_of(out.items.back().to_item(), key_names);
        return out;
      }
    }
    pos = std::move(p.last_evaluated_key);
    if (!pos || !want) {
      out.next = std::move(pos);
      return out;
    }
  }
}

std::int64_t count_items(const page_request& r) {
  std::int64_t n = 0;
  std::optional<item> pos;
  do {
    auto p = r.fetch(pos, r.page_size, true);
    n += p.count;
    pos = std::move(p.last_evaluated_key);
  } while (pos);
  return n;
}

}  // namespace dynantic::detail
