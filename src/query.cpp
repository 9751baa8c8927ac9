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

namespace {
// Fetching up to `want` items (all of one page without): what to ask for next, what to keep of each answer.
struct item_walk {
  const std::vector<std::string>& key_names;
  std::optional<std::int32_t> page_size;
  bool filtered;
  std::optional<std::size_t> want;
  std::optional<item> pos;
  raw_page out{};

  std::optional<std::int32_t> next_limit() const {
    std::optional<std::int32_t> lim = page_size;
    if (want && !filtered) {
      // Without a filter every evaluated item is returned: ask for exactly what is missing.
      auto missing = static_cast<std::int32_t>(std::min<std::size_t>(*want - out.items.size(), 1'000'000));
      lim = lim ? std::min(*lim, missing) : missing;
    }
    return lim;
  }
  // @return true when done (`out` is the result).
  bool take(raw_page_result&& p) {
    for (std::size_t i = 0; i < p.items.size(); ++i) {
      out.items.push_back(std::move(p.items[i]));
      if (want && out.items.size() == *want) {
        bool more = i + 1 < p.items.size() || p.last_evaluated_key.has_value();
        if (more) out.next = key_of(out.items.back().to_item(), key_names);
        return true;
      }
    }
    pos = std::move(p.last_evaluated_key);
    if (!pos || !want) {
      out.next = std::move(pos);
      return true;
    }
    return false;
  }
};
}  // namespace

raw_page fetch_items(const page_request& r, const std::vector<std::string>& key_names, std::optional<item> start,
                     std::optional<std::size_t> want) {
  item_walk w{key_names, r.page_size, r.filtered, want, std::move(start)};
  while (!w.take(r.fetch(w.pos, w.next_limit(), false))) {
  }
  return std::move(w.out);
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

// ------------------------------------------------------------------ query and scan requests

namespace {
// The Query or Scan request of one page of `s`.
struct page_call {
  bool is_scan = false;
  ops::scan_request scan;
  ops::query_request query;
};

page_call page_call_of(const read_spec& s, const std::optional<item>& start, std::optional<std::int32_t> limit,
                       bool count) {
  page_call out;
  out.is_scan = s.is_scan;
  render_context ctx;
  // placeholders in reading order: key condition, filter, projection
  std::string key_condition;
  if (!s.is_scan) {
    key_condition = render_key_condition(ctx, s.pk_name, s.pk_value, s.sk_name, s.sk_op, s.sk_values, s.target.index);
  }
  std::string filter;
  if (!s.tag.empty()) {  // reads through a subtype narrow to its items
    std::string n = ctx.name(s.discriminator);
    filter = n + " = " + ctx.value(attribute_value::string(std::string(s.tag)));
    if (s.filter) filter += " AND (" + render_condition(*s.filter, ctx) + ")";
  } else if (s.filter) {
    filter = render_condition(*s.filter, ctx);
  }
  std::string projection;
  for (const auto& n : s.projection) {
    if (!projection.empty()) projection += ", ";
    projection += ctx.name(n);
  }
  if (s.is_scan) {
    ops::scan_request& r = out.scan;
    r.table_name = s.target.table;
    r.index_name = s.target.index;
    r.filter_expression = std::move(filter);
    r.projection_expression = std::move(projection);
    r.expression_attribute_names = std::move(ctx.names());
    r.expression_attribute_values = std::move(ctx.values());
    r.limit = limit;
    r.consistent_read = s.consistent;
    r.exclusive_start_key = start;
    if (s.total_segments) {
      r.segment = s.segment;
      r.total_segments = s.total_segments;
    }
    if (count) r.select = ops::select::count;
    r.capacity_limit = s.capacity_limit;
    return out;
  }
  ops::query_request& q = out.query;
  q.table_name = s.target.table;
  q.index_name = s.target.index;
  q.key_condition_expression = std::move(key_condition);
  q.filter_expression = std::move(filter);
  q.projection_expression = std::move(projection);
  q.expression_attribute_names = std::move(ctx.names());
  q.expression_attribute_values = std::move(ctx.values());
  q.limit = limit;
  q.scan_index_forward = !s.reverse;
  q.consistent_read = s.consistent;
  q.exclusive_start_key = start;
  if (count) q.select = ops::select::count;
  q.capacity_limit = s.capacity_limit;
  return out;
}
}  // namespace

raw_page_result fetch_page(const read_spec& s, const std::optional<item>& start, std::optional<std::int32_t> limit,
                           bool count) {
  auto call = page_call_of(s, start, limit, count);
  return call.is_scan ? scan_raw(s.target.c, call.scan) : query_raw(s.target.c, call.query);
}

task<raw_page> async_fetch_items(read_spec s, std::optional<item> start, std::optional<std::size_t> want) {
  item_walk w{s.target.key_names, s.page_size, s.filter != nullptr || !s.tag.empty(), want, std::move(start)};
  for (;;) {
    auto call = page_call_of(s, w.pos, w.next_limit(), false);
    auto t = call.is_scan ? async_scan_raw(s.target.c, std::move(call.scan))
                          : async_query_raw(s.target.c, std::move(call.query));
    auto p = co_await std::move(t);
    if (w.take(std::move(p))) co_return std::move(w.out);
  }
}

page_request make_page_request(const read_spec& s) {
  page_request r;
  r.limit = s.limit;
  r.page_size = s.page_size;
  r.filtered = s.filter != nullptr || !s.tag.empty();
  r.fetch = [copy = s](const std::optional<item>& start, std::optional<std::int32_t> limit, bool count) {
    return fetch_page(copy, start, limit, count);
  };
  return r;
}

std::string read_binding(const read_spec& s) {
  if (s.is_scan) {
    return cursor_binding(s.target,
                          "scan\n" + std::to_string(s.segment) + "/" + std::to_string(s.total_segments.value_or(0)));
  }
  std::string pk;
  codec::write_value(pk, s.pk_value);
  return cursor_binding(s.target, "query\n" + s.pk_name + "\n" + pk);
}

read_spec::read_spec(read_target t) : target(std::move(t)) {}
read_spec::read_spec(const read_spec&) = default;
read_spec::read_spec(read_spec&&) noexcept = default;
read_spec& read_spec::operator=(const read_spec&) = default;
read_spec& read_spec::operator=(read_spec&&) noexcept = default;
read_spec::~read_spec() = default;

struct read_cursor {
  explicit read_cursor(const read_spec& s) : stream(s), table(s.target.table), on_invalid(s.on_invalid) {}
  item_stream stream;
  std::string table;
  invalid_handler on_invalid;
};

std::shared_ptr<read_cursor> open_cursor(const read_spec& s) { return std::make_shared<read_cursor>(s); }
const answer_item* cursor_current(const read_cursor& r) { return r.stream.current(); }
void cursor_next(read_cursor& r) { r.stream.next(); }
const std::string& cursor_table(const read_cursor& r) { return r.table; }
const invalid_handler& cursor_on_invalid(const read_cursor& r) { return r.on_invalid; }

bool decode_answer_into(const model_desc& d, const std::string& table, const answer_item& a, void* out,
                        const invalid_handler& on_invalid) {
  try {
    a.for_item([&](const ddb_value& v) { decode_read_into(d, table, v, out); });
    return true;
  } catch (const validation_error& e) {  // names the item already
    if (!on_invalid) throw;
    on_invalid(invalid_item{a.to_item(), e});
    return false;
  }
}

item_stream::item_stream(const read_spec& s)
    : req_(make_page_request(s)), key_names_(s.target.key_names), limit_(s.limit) {
  fill();
}

void item_stream::next() {
  ++pos_;
  ++delivered_;
  if (limit_ && delivered_ >= *limit_) {
    page_ = {};
    pos_ = 0;
  } else if (pos_ >= page_.items.size()) {
    fill();
  }
}

void item_stream::fill() {
  // pages may come back empty (filters): keep going until items or the end
  for (;;) {
    page_.items.clear();
    pos_ = 0;
    if (started_ && !page_.next) return;
    if (limit_ && delivered_ >= *limit_) return;
    std::optional<std::size_t> want;
    if (limit_) want = *limit_ - delivered_;
    auto next = std::move(page_.next);
    page_ = fetch_items(req_, key_names_, std::move(next), want);
    started_ = true;
    if (!page_.items.empty()) return;
  }
}

index_keys_info index_keys(const model_desc& d, std::span<const model_desc* const> family, std::string_view index) {
  index_keys_info ix;
  bool local = false;
  for (const model_desc* f : family) {
    for (std::size_t i = 0; i < f->index_count; ++i) {
      const index_decl& x = f->indexes[i];
      if (x.index != index) continue;
      if (x.kind == index_role::gsi_partition) {
        ix.partition = f->members[x.member].name;
        ix.partition_scalar = f->members[x.member].scalar;
      } else {
        ix.sort = f->members[x.member].name;
      }
      local |= x.kind == index_role::lsi_sort;
    }
  }
  auto table_keys = key_names(d);
  if (local) {
    ix.partition = table_keys.at(0);
    ix.partition_scalar = d.partition_key->scalar;
  }
  if (ix.partition.empty()) {
    throw validation_error(std::string(index), "the model declares no index of this name (gsi_key/lsi_sort_key)");
  }
  ix.position = {ix.partition};
  if (!ix.sort.empty()) ix.position.push_back(ix.sort);
  for (auto& k : table_keys) {
    if (std::find(ix.position.begin(), ix.position.end(), k) == ix.position.end()) ix.position.push_back(k);
  }
  return ix;
}

void check_index_key_value(const index_keys_info& ix, std::string_view index, const attribute_value& v) {
  const value_type want = ix.partition_scalar == 'N'   ? value_type::n
                          : ix.partition_scalar == 'B' ? value_type::b
                                                       : value_type::s;
  if (v.type() != want) {
    throw validation_error(ix.partition, "the partition key of index '" + std::string(index) + "' is " +
                                             std::string(type_tag(want)) + ", the value is " +
                                             std::string(type_tag(v.type())));
  }
}

read_spec table_query_spec(client c, const std::string& table, const model_desc& d, const void* pk) {
  auto names = key_names(d);
  item key = key_of_parts(d, pk, nullptr);
  read_spec s(read_target{std::move(c), table, {}, names});
  s.pk_name = names.at(0);
  s.pk_value = std::move(key.begin()->second);
  if (names.size() > 1) s.sk_name = names[1];
  return s;
}

read_spec index_query_spec(client c, const std::string& table, const model_desc& d,
                           std::span<const model_desc* const> family, std::string_view index, attribute_value pk,
                           bool check) {
  auto ix = index_keys(d, family, index);
  if (check) check_index_key_value(ix, index, pk);
  read_spec s(read_target{std::move(c), table, std::string(index), std::move(ix.position)});
  s.pk_name = std::move(ix.partition);
  s.pk_value = std::move(pk);
  s.sk_name = std::move(ix.sort);
  return s;
}

read_spec scan_spec(client c, const std::string& table, const model_desc& d, std::span<const model_desc* const> family,
                    std::string_view index) {
  std::vector<std::string> position = index.empty() ? key_names(d) : index_keys(d, family, index).position;
  read_spec s(read_target{std::move(c), table, std::string(index), std::move(position)});
  s.is_scan = true;
  return s;
}

}  // namespace dynantic::detail
