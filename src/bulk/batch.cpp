// The batch engine (see include/dynantic/bulk/batch.hpp). Rounds: every ready chunk goes out through
// client_impl::execute (at most max_in_flight on the wire); failed or partly processed chunks come back with
// capped exponential backoff and full jitter; whatever is left when attempts or the deadline run out is
// reported, request by request.
#include <dynantic/bulk/batch.hpp>

#include <algorithm>
#include <deque>
#include <random>
#include <thread>
#include <unordered_map>

#include <dynantic/value/codec.hpp>

#include "ops/batch_codec.hpp"
#include "value/json_reader.hpp"
#include "value/json_writer.hpp"
#include "wire/client_impl.hpp"

namespace dynantic::detail {
namespace {

using clock_type = std::chrono::steady_clock;
constexpr std::size_t max_writes_per_request = 25;   // BatchWriteItem limit
constexpr std::size_t max_keys_per_request = 100;    // BatchGetItem limit
constexpr std::size_t max_request_bytes = 16u << 20; // 16 MB per request
constexpr std::size_t max_item_bytes = 400u << 10;   // 400 KB per item

std::size_t number_size(std::string_view n) {
  // DynamoDB: about one byte per two significant digits, plus one.
  std::size_t digits = 0;
  for (char ch : n) digits += ch >= '0' && ch <= '9';
  return (digits + 1) / 2 + 1;
}

std::size_t value_size(const attribute_value& v) {
  switch (v.type()) {
    case value_type::s: return v.as_string().size();
    case value_type::n: return number_size(v.as_number_text());
    case value_type::b: return v.as_binary_string().size();
    case value_type::boolean:
    case value_type::null: return 1;
    case value_type::m: {
      std::size_t s = 3;
      for (const auto& [k, e] : v.as_map()) s += k.size() + value_size(e) + 1;
      return s;
    }
    case value_type::l: {
      std::size_t s = 3;
      for (const auto& e : v.as_list()) s += value_size(e) + 1;
      return s;
    }
    case value_type::ss:
    case value_type::bs: {
      std::size_t s = 0;
      for (const auto& e : v.as_set()) s += e.size();
      return s;
    }
    case value_type::ns: {
      std::size_t s = 0;
      for (const auto& e : v.as_set()) s += number_size(e);
      return s;
    }
  }
  return 0;
}

std::string key_text(const item& it, const std::vector<std::string>& names) {
  item k;
  for (const auto& n : names) {
    auto f = it.find(n);
    if (f != it.end()) k.emplace(n, f->second);
  }
  // Numbers compare by value: 1 and 1.0 are the same key.
  for (auto& [name, v] : k) {
    if (v.is_number()) v = attribute_value::number_unchecked(codec::canonical_number(v.as_number_text()));
  }
  return codec::write_item(k);
}

double jitter() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

clock_type::duration backoff(const batch_options& o, int attempt) {
  double cap = static_cast<double>(o.max_backoff.count());
  double ceiling = std::min(cap, static_cast<double>(o.base_delay.count()) * std::ldexp(1.0, std::min(attempt, 30)));
  return std::chrono::microseconds(static_cast<long long>(jitter() * ceiling * 1000.0));
}

bool retryable(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const throttled&) {
    return true;
  } catch (const transport_error&) {
    return true;
  } catch (const service_error& s) {
    return s.retryable();
  } catch (...) {
    return false;
  }
}

struct chunk {
  std::vector<std::size_t> entries;
  int attempts = 0;
  clock_type::time_point ready{};
};

// Splits entries into chunks of at most `per_request` and at most 16 MB of body.
std::vector<chunk> make_chunks(const std::vector<std::size_t>& idx, const std::vector<std::size_t>& bytes,
                               std::size_t per_request) {
  std::vector<chunk> out;
  chunk cur;
  std::size_t size = 64;
  for (auto i : idx) {
    std::size_t b = bytes[i] + 64;
    if (!cur.entries.empty() && (cur.entries.size() == per_request || size + b > max_request_bytes)) {
      out.push_back(std::move(cur));
      cur = {};
      size = 64;
    }
    cur.entries.push_back(i);
    size += b;
  }
  if (!cur.entries.empty()) out.push_back(std::move(cur));
  return out;
}

// Every entry, in order, in chunks ready now.
std::deque<chunk> first_chunks(const std::vector<std::size_t>& bytes, std::size_t per_request) {
  std::vector<std::size_t> all(bytes.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::deque<chunk> queue;
  for (auto& ch : make_chunks(all, bytes, per_request)) queue.push_back(std::move(ch));
  return queue;
}

// Waits until a chunk is due, then takes up to 1,024 due chunks for one round: execute() keeps max_in_flight
// of them on the wire until the round is done, so rounds must be long for the pipeline to stay full
// (1,024 bodies of 25 items are a few MB).
std::vector<chunk> next_round(std::deque<chunk>& queue) {
  auto next = clock_type::time_point::max();
  for (const auto& c : queue) next = std::min(next, c.ready);
  if (next > clock_type::now()) std::this_thread::sleep_until(next);
  auto now = clock_type::now();
  std::vector<chunk> round;
  for (auto it = queue.begin(); it != queue.end() && round.size() < 1024;) {
    if (it->ready <= now) {
      round.push_back(std::move(*it));
      it = queue.erase(it);
    } else {
      ++it;
    }
  }
  return round;
}

// When the deadline has passed, moves everything still queued to `left` and empties the queue.
bool past_deadline(const batch_options& o, clock_type::time_point start, std::deque<chunk>& queue,
                   std::vector<std::size_t>& left) {
  if (!o.deadline || clock_type::now() - start <= *o.deadline) return false;
  for (const auto& ch : queue) left.insert(left.end(), ch.entries.begin(), ch.entries.end());
  queue.clear();
  return true;
}

}  // namespace

std::size_t item_size(const item& it) {
  std::size_t s = 0;
  for (const auto& [k, v] : it) s += k.size() + value_size(v);
  return s;
}

std::size_t run_batch_write(const client& c, std::vector<write_entry> in, const batch_options& o) {
  // De-duplicate: the last request for a key wins (like boto3's overwrite_by_pkeys).
  std::unordered_map<std::string, std::size_t> last;
  std::vector<std::string> keys(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const item& k = in[i].json.empty() ? in[i].request.data : in[i].key;
    keys[i] = in[i].table + '\n' + key_text(k, in[i].key_names);
    last[keys[i]] = i;
  }
  std::vector<write_entry> entries;
  std::vector<std::string> entry_keys;
  std::vector<std::size_t> original;  // index in the caller's list, for messages
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (last[keys[i]] == i) {
      entries.push_back(std::move(in[i]));
      entry_keys.push_back(std::move(keys[i]));
      original.push_back(i);
    }
  }
  // Encode and check everything before sending anything.
  std::vector<std::string> json(entries.size());
  std::vector<std::size_t> bytes(entries.size());
  std::vector<validation_issue> issues;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::string where = "[" + std::to_string(original[i]) + "]";
    if (!entries[i].json.empty()) {
      json[i] = std::move(entries[i].json);
    } else {
      try {
        json[i] = codec::write_item(entries[i].request.data);
      } catch (const validation_error& e) {
        for (const auto& is : e.issues()) issues.push_back({where + "." + is.path, is.message});
      }
    }
    if (entries[i].request.type == ops::write_request::kind::put && json[i].size() > max_item_bytes) {
      // the JSON text is longer than DynamoDB's size of the item: measure exactly only when it may matter
      const item& data = entries[i].request.data.empty() ? (entries[i].request.data = codec::read_item(json[i]))
                                                          : entries[i].request.data;
      if (item_size(data) > max_item_bytes) {
        issues.push_back({where, "item is larger than DynamoDB's 400 KB limit (" + std::to_string(item_size(data)) + " bytes)"});
      }
    }
    bytes[i] = json[i].size() + entries[i].table.size();
  }
  if (!issues.empty()) throw validation_error(std::move(issues));
  std::unordered_map<std::string, std::size_t> by_key;
  for (std::size_t i = 0; i < entries.size(); ++i) by_key[entry_keys[i]] = i;

  std::deque<chunk> queue = first_chunks(bytes, max_writes_per_request);

  auto& impl = client_access::impl(c);
  auto start = clock_type::now();
  batch_progress progress{0, 0, entries.size()};
  std::vector<std::size_t> unapplied;
  std::exception_ptr cause;

  while (!queue.empty()) {
    if (past_deadline(o, start, queue, unapplied)) break;
    std::vector<chunk> round = next_round(queue);
    std::vector<api_call> calls(round.size());
    for (std::size_t k = 0; k < round.size(); ++k) {
      // {"RequestItems":{"table":[{"PutRequest":{"Item":...}}, ...], ...}} grouped by table
      std::map<std::string, std::vector<std::size_t>> per_table;
      for (auto i : round[k].entries) per_table[entries[i].table].push_back(i);
      std::string body;
      json_writer w(body);
      w.begin_object();
      w.key("RequestItems");
      w.begin_object();
      for (const auto& [table, idx] : per_table) {
        w.key(table);
        w.begin_array();
        for (auto i : idx) {
          bool put = entries[i].request.type == ops::write_request::kind::put;
          w.begin_object();
          w.key(put ? "PutRequest" : "DeleteRequest");
          w.begin_object();
          w.key(put ? "Item" : "Key");
          w.raw(json[i]);
          w.end_object();
          w.end_object();
        }
        w.end_array();
      }
      w.end_object();
      w.end_object();
      calls[k].operation = "BatchWriteItem";
      calls[k].body = std::move(body);
    }
    impl.execute(calls, o.max_in_flight);
    progress.requests_sent += calls.size();
    for (std::size_t k = 0; k < round.size(); ++k) {
      chunk& ch = round[k];
      std::vector<std::size_t> again;
      if (calls[k].error) {
        if (!retryable(calls[k].error)) {
          cause = calls[k].error;
          unapplied.insert(unapplied.end(), ch.entries.begin(), ch.entries.end());
          continue;
        }
        cause = calls[k].error;
        again = ch.entries;
      } else {
        auto res = ops::detail_batch::parse_batch_write(calls[k].response);
        for (const auto& [table, reqs] : res.unprocessed_items) {
          for (const auto& rq : reqs) {
            // find the entry this unprocessed request came from
            std::vector<std::string> names;
            for (auto i : ch.entries) {
              if (entries[i].table == table) {
                names = entries[i].key_names;
                break;
              }
            }
            auto f = by_key.find(table + '\n' + key_text(rq.data, names));
            if (f != by_key.end()) again.push_back(f->second);
          }
        }
        progress.items_done += ch.entries.size() - again.size();
      }
      if (again.empty()) continue;
      if (ch.attempts + 1 >= o.max_attempts) {
        unapplied.insert(unapplied.end(), again.begin(), again.end());
        continue;
      }
      chunk next{std::move(again), ch.attempts + 1, clock_type::now() + backoff(o, ch.attempts)};
      queue.push_back(std::move(next));
    }
    if (o.progress) o.progress(progress);
  }

  if (!unapplied.empty()) {
    std::sort(unapplied.begin(), unapplied.end());
    std::vector<std::pair<std::string, ops::write_request>> left;
    for (auto i : unapplied) {
      if (entries[i].request.data.empty()) entries[i].request.data = codec::read_item(json[i]);
      left.emplace_back(entries[i].table, entries[i].request);
    }
    std::size_t applied = entries.size() - unapplied.size();
    throw batch_write_incomplete("dynantic: batch write incomplete: " + std::to_string(unapplied.size()) + " of " +
                                     std::to_string(entries.size()) + " requests were not applied",
                                 std::move(left), applied, cause);
  }
  return entries.size();
}

std::vector<std::optional<item>> run_batch_get(const client& c, const std::vector<get_entry>& in, bool consistent,
                                               const batch_options& o) {
  auto json = run_batch_get_json(c, in, consistent, o);
  std::vector<std::optional<item>> out(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i]) out[i] = codec::read_item(*json[i]);
  }
  return out;
}

std::vector<std::optional<std::string>> run_batch_get_json(const client& c, const std::vector<get_entry>& in,
                                                           bool consistent, const batch_options& o) {
  // Ask once per key.
  std::unordered_map<std::string, std::size_t> unique_index;
  std::vector<std::size_t> slot(in.size());
  std::vector<std::size_t> firsts;
  std::vector<std::vector<std::string>> names_of;
  for (std::size_t i = 0; i < in.size(); ++i) {
    std::vector<std::string> names;
    for (const auto& [k, v] : in[i].key) names.push_back(k);
    std::string key = in[i].table + '\n' + key_text(in[i].key, names);
    auto [it, inserted] = unique_index.emplace(key, firsts.size());
    if (inserted) {
      firsts.push_back(i);
      names_of.push_back(std::move(names));
    }
    slot[i] = it->second;
  }
  std::vector<std::optional<std::string>> found(firsts.size());
  std::vector<std::size_t> bytes(firsts.size(), 0);
  std::deque<chunk> queue = first_chunks(bytes, max_keys_per_request);

  auto& impl = client_access::impl(c);
  auto start = clock_type::now();
  batch_progress progress{0, 0, firsts.size()};
  std::vector<std::size_t> not_fetched;
  std::exception_ptr cause;
  auto index_of = [&](const std::string& table, const item& k) -> std::optional<std::size_t> {
    std::vector<std::string> names;
    for (const auto& [n, v] : k) names.push_back(n);
    auto f = unique_index.find(table + '\n' + key_text(k, names));
    if (f == unique_index.end()) return std::nullopt;
    return f->second;
  };

  while (!queue.empty()) {
    if (past_deadline(o, start, queue, not_fetched)) break;
    std::vector<chunk> round = next_round(queue);
    std::vector<api_call> calls(round.size());
    for (std::size_t k = 0; k < round.size(); ++k) {
      ops::batch_get_item_request r;
      for (auto u : round[k].entries) {
        auto& ka = r.request_items[in[firsts[u]].table];
        ka.keys.push_back(in[firsts[u]].key);
        ka.consistent_read = consistent;
      }
      calls[k].operation = "BatchGetItem";
      calls[k].body = ops::detail_batch::batch_get_body(r);
    }
    impl.execute(calls, o.max_in_flight);
    progress.requests_sent += calls.size();
    for (std::size_t k = 0; k < round.size(); ++k) {
      chunk& ch = round[k];
      std::vector<std::size_t> again;
      if (calls[k].error) {
        cause = calls[k].error;
        if (!retryable(calls[k].error)) {
          not_fetched.insert(not_fetched.end(), ch.entries.begin(), ch.entries.end());
          continue;
        }
        again = ch.entries;
      } else {
        // Read the answer in place: keys locate the requests, items are kept as their JSON text.
        simdjson::dom::element doc = parse_json(calls[k].response);
        simdjson::dom::object unprocessed;
        if (doc["UnprocessedKeys"].get_object().get(unprocessed) == simdjson::SUCCESS) {
          for (auto t : unprocessed) {
            simdjson::dom::array keys;
            if (t.value["Keys"].get_array().get(keys) != simdjson::SUCCESS) continue;
            for (auto key : keys) {
              if (auto u = index_of(std::string(t.key), read_item(key))) again.push_back(*u);
            }
          }
        }
        simdjson::dom::object responses;
        if (doc["Responses"].get_object().get(responses) == simdjson::SUCCESS) {
          for (auto t : responses) {
            std::string table(t.key);
            const std::vector<std::string>* names = nullptr;
            for (auto u : ch.entries) {
              if (in[firsts[u]].table == table) {
                names = &names_of[u];
                break;
              }
            }
            simdjson::dom::array items;
            if (!names || t.value.get_array().get(items) != simdjson::SUCCESS) continue;
            for (auto it : items) {
              item key;
              for (const auto& n : *names) {
                simdjson::dom::element v;
                if (it[n].get(v) == simdjson::SUCCESS) key.emplace(n, read_value(v));
              }
              auto f = unique_index.find(table + '\n' + key_text(key, *names));
              if (f != unique_index.end()) found[f->second] = simdjson::to_string(it);
            }
          }
        }
        progress.items_done += ch.entries.size() - again.size();
      }
      if (again.empty()) continue;
      if (ch.attempts + 1 >= o.max_attempts) {
        not_fetched.insert(not_fetched.end(), again.begin(), again.end());
        continue;
      }
      queue.push_back(chunk{std::move(again), ch.attempts + 1, clock_type::now() + backoff(o, ch.attempts)});
    }
    if (o.progress) o.progress(progress);
  }

  if (!not_fetched.empty()) {
    std::vector<std::pair<std::string, item>> got, missing;
    for (std::size_t u = 0; u < firsts.size(); ++u) {
      if (found[u]) got.emplace_back(in[firsts[u]].table, codec::read_item(*found[u]));
    }
    std::sort(not_fetched.begin(), not_fetched.end());
    for (auto u : not_fetched) missing.emplace_back(in[firsts[u]].table, in[firsts[u]].key);
    throw batch_get_incomplete("dynantic: batch get incomplete: " + std::to_string(missing.size()) + " of " +
                                   std::to_string(firsts.size()) + " keys were not fetched (the items fetched are kept)",
                               std::move(got), std::move(missing), cause);
  }
  std::vector<std::optional<std::string>> out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = found[slot[i]];
  return out;
}

}  // namespace dynantic::detail
