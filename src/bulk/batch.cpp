// The batch engine (see include/dynantic/bulk/batch.hpp). Rounds: every ready chunk goes out through
// client_impl::execute (at most max_in_flight on the wire); failed or partly processed chunks come back with
// capped exponential backoff and full jitter; whatever is left when attempts or the deadline run out is
// reported, request by request.
#include <dynantic/bulk/batch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <coroutine>
#include <deque>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include <dynantic/ops/writes.hpp>
#include <dynantic/value/codec.hpp>

#include "buffers.hpp"
#include "model/ddb_json_dom.hpp"
#include "ops/batch_codec.hpp"
#include "value/json_reader.hpp"
#include "value/json_writer.hpp"
#include "wire/client_impl.hpp"
#include "wire/meters.hpp"
#include "wire/sigv4.hpp"

namespace dynantic::detail {
namespace {

using clock_type = std::chrono::steady_clock;
constexpr std::size_t max_writes_per_request = 25;    // BatchWriteItem limit
constexpr std::size_t max_keys_per_request = 100;     // BatchGetItem limit
constexpr std::size_t max_request_bytes = 16u << 20;  // 16 MB per request
constexpr std::size_t max_item_bytes = 400u << 10;    // 400 KB per item

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
  std::exception_ptr last_error{};  // of its last attempt that failed (the writers' pump)
};

// Splits entries into chunks of at most `per_request` and at most 16 MB of body (`bytes_of(i)`: entry i's size).
template <class Bytes>
std::vector<chunk> make_chunks(const std::vector<std::size_t>& idx, Bytes bytes_of, std::size_t per_request) {
  std::vector<chunk> out;
  chunk cur;
  std::size_t size = 64;
  for (auto i : idx) {
    std::size_t b = bytes_of(i) + 64;
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
  for (auto& ch : make_chunks(
           all, [&](std::size_t i) { return bytes[i]; }, per_request))
    queue.push_back(std::move(ch));
  return queue;
}

// When the first chunk is due.
clock_type::time_point first_due(const std::deque<chunk>& queue) {
  auto next = clock_type::time_point::max();
  for (const auto& c : queue) next = std::min(next, c.ready);
  return next;
}

// Takes one request's worth of due entries: the first due chunk, topped up to `per_request` entries (and
// 16 MB, `bytes_of(i)` being entry i's size) with the entries of other due chunks that have had as many
// attempts. What comes back unprocessed from many requests then goes out again in full requests, not in one
// short request per original request. Nothing when no chunk is due.
template <class Bytes>
std::optional<chunk> take_due(std::deque<chunk>& queue, clock_type::time_point now, std::size_t per_request,
                              Bytes bytes_of) {
  auto first = std::find_if(queue.begin(), queue.end(), [&](const chunk& c) { return c.ready <= now; });
  if (first == queue.end()) return std::nullopt;
  chunk out = std::move(*first);
  queue.erase(first);
  std::size_t size = 64;
  for (auto i : out.entries) size += bytes_of(i) + 64;
  bool full = out.entries.size() >= per_request;
  for (auto it = queue.begin(); it != queue.end() && !full;) {
    if (it->ready > now || it->attempts != out.attempts) {
      ++it;
      continue;
    }
    while (!it->entries.empty()) {
      std::size_t b = bytes_of(it->entries.back()) + 64;
      if (out.entries.size() >= per_request || size + b > max_request_bytes) {
        full = true;
        break;
      }
      out.entries.push_back(it->entries.back());
      it->entries.pop_back();
      size += b;
    }
    if (!out.last_error) out.last_error = it->last_error;
    if (it->entries.empty()) {
      it = queue.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

// Takes up to 1,024 requests' worth of due entries for one round (take_due): execute() keeps max_in_flight of
// them on the wire until the round is done, so rounds must be long for the pipeline to stay full (1,024 bodies of
// 25 items are a few MB).
template <class Bytes>
std::vector<chunk> next_round(std::deque<chunk>& queue, std::size_t per_request, Bytes bytes_of) {
  auto now = clock_type::now();
  std::vector<chunk> round;
  while (round.size() < 1024) {
    auto ch = take_due(queue, now, per_request, bytes_of);
    if (!ch) break;
    round.push_back(std::move(*ch));
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

// "; last failure: ..." for an incomplete batch's message (nothing when there was no failure, only retries
// running out on unprocessed requests).
std::string cause_text(const std::exception_ptr& cause) {
  if (!cause) return "; DynamoDB left them unprocessed until the attempts ran out";
  try {
    std::rethrow_exception(cause);
  } catch (const std::exception& e) {
    return std::string("; last failure: ") + e.what();
  } catch (...) {
    return "; last failure: unknown";
  }
}

// Waits until `until`: the blocking form sleeps; the async one is a timer of the client's engine.
class sleep_awaiter {
 public:
  sleep_awaiter(const client& c, clock_type::time_point until, bool async) : c_(c), until_(until), async_(async) {}
  bool await_ready() {
    if (until_ <= clock_type::now()) return true;
    if (async_) return false;
    std::this_thread::sleep_until(until_);
    return true;
  }
  void await_suspend(std::coroutine_handle<> h) {
    h_ = h;
    op_ = async_create_timer(c_, until_, &done, this);
    async_post(*op_);
  }
  void await_resume() noexcept {}

 private:
  static void done(void* self) { static_cast<sleep_awaiter*>(self)->h_.resume(); }
  const client& c_;
  clock_type::time_point until_;
  bool async_;
  async_op_ptr op_;
  std::coroutine_handle<> h_;
};

// One round's calls: the blocking form runs them on this thread (client_impl::execute); the async one posts them
// to the client's engine, at most max_in_flight at a time, and cancels them when the task is stopped.
class round_awaiter {
 public:
  round_awaiter(const client& c, std::span<api_call> calls, std::size_t max_in_flight, bool async)
      : c_(c), calls_(calls), max_(std::max<std::size_t>(1, max_in_flight)), async_(async) {}
  bool await_ready() {
    if (async_) return calls_.empty();
    client_access::impl(c_).execute(calls_, max_);
    return true;
  }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    h_ = h;
    ops_.reserve(calls_.size());
    for (auto& call : calls_) {
      ops_.push_back(async_create(c_, call.operation, std::move(call.body), &done, this, call.limit));
      ops_.back()->estimate = call.estimate;
    }
    if constexpr (has_stop_token<P>) {
      if (h.promise().stop.stop_possible()) on_stop_.emplace(h.promise().stop, canceller{this});
    }
    std::size_t first = std::min(max_, ops_.size());
    next_ = first;
    left_.store(ops_.size() + 1);
    for (std::size_t k = 0; k < first; ++k) async_post(*ops_[k]);
    return left_.fetch_sub(1) != 1;  // all ended already (another thread drives): go on
  }
  void await_resume() {
    on_stop_.reset();
    for (std::size_t k = 0; k < ops_.size(); ++k) {
      api_call& a = *ops_[k];
      calls_[k].response = std::move(a.response);
      calls_[k].error = std::move(a.error);
      calls_[k].error_body = std::move(a.error_body);
      calls_[k].attempts = a.attempts;
    }
  }

 private:
  struct canceller {
    round_awaiter* r;
    void operator()() const noexcept {
      for (auto& op : r->ops_) async_cancel(*op);
    }
  };
  static void done(void* self) {  // on the driving thread, one call at a time
    auto* r = static_cast<round_awaiter*>(self);
    if (r->next_ < r->ops_.size()) async_post(*r->ops_[r->next_++]);
    if (r->left_.fetch_sub(1) == 1) r->h_.resume();
  }
  const client& c_;
  std::span<api_call> calls_;
  std::size_t max_;
  bool async_;
  std::vector<async_op_ptr> ops_;
  std::size_t next_ = 0;
  std::atomic<std::size_t> left_{0};
  std::coroutine_handle<> h_;
  std::optional<std::stop_callback<canceller>> on_stop_;
};

// The stop token of the awaiting task.
struct this_stop_token {
  std::stop_token st;
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    if constexpr (has_stop_token<P>) st = h.promise().stop;
    return false;
  }
  std::stop_token await_resume() const noexcept { return st; }
};

// Runs a task that never suspends (the blocking form of the engine's coroutines) to its end.
template <class T>
T run_inline(task<T> t) {
  auto h = t.handle();
  h.resume();
  if (!h.done()) std::terminate();  // a blocking form suspended: a bug
  return h.promise().take();
}

// The one round loop of batch writes and gets. Rounds of due chunks go out concurrently (`build` makes a
// chunk's request body); each answer is read by `read`, which lists the entries to send again and returns false
// when the answer cannot be used (it sets `cause`: the chunk then counts as not done). Errors that can be retried
// and what `read` lists are queued again with capped exponential backoff and full jitter until max_attempts or
// the deadline. Entries not done end in `failed`; the last failure is `cause`. Exceptions from `read` (a
// caller's callback) stop the batch.
template <class Build, class Read, class Estimate>
task<void> run_rounds(const client& c, const batch_options& o, const std::vector<std::size_t>& bytes,
                      std::size_t per_request, std::size_t total, const char* operation, Build build, Read read,
                      Estimate estimate, std::vector<std::size_t>& failed, std::exception_ptr& cause, bool async) {
  std::deque<chunk> queue = first_chunks(bytes, per_request);
  auto bytes_of = [&](std::size_t i) { return bytes[i]; };
  auto start = clock_type::now();
  batch_progress progress{0, 0, total};
  std::stop_token stop = co_await this_stop_token{};
  while (!queue.empty()) {
    if (past_deadline(o, start, queue, failed)) break;
    sleep_awaiter pause(c, first_due(queue), async);
    co_await pause;
    if (stop.stop_requested()) {  // what is queued is not sent
      for (const auto& ch : queue) failed.insert(failed.end(), ch.entries.begin(), ch.entries.end());
      cause = std::make_exception_ptr(cancelled("dynantic: " + std::string(operation) + " batch cancelled", false));
      break;
    }
    std::vector<chunk> round = next_round(queue, per_request, bytes_of);
    std::vector<api_call> calls(round.size());
    for (std::size_t k = 0; k < round.size(); ++k) {
      calls[k].operation = operation;
      if (async) {
        calls[k].body = build(round[k]);
      } else {  // built as it goes out, its memory reused by the next one
        calls[k].make_body = [&build, &ch = round[k]] { return build(ch); };
        calls[k].recycle_body = true;
      }
      if (o.capacity_limit) {
        calls[k].limit = o.capacity_limit;
        calls[k].estimate = estimate(round[k]);
      }
    }
    round_awaiter sent(c, calls, o.max_in_flight, async);
    co_await sent;
    progress.requests_sent += calls.size();
    for (std::size_t k = 0; k < round.size(); ++k) {
      chunk& ch = round[k];
      std::vector<std::size_t> again;
      if (calls[k].error) {
        cause = calls[k].error;
        if (!retryable(calls[k].error)) {
          failed.insert(failed.end(), ch.entries.begin(), ch.entries.end());
          continue;
        }
        again = ch.entries;
      } else {
        if (!read(ch, calls[k].response, again)) {
          failed.insert(failed.end(), ch.entries.begin(), ch.entries.end());
          continue;
        }
        progress.items_done += ch.entries.size() - again.size();
      }
      if (again.empty()) continue;
      if (ch.attempts + 1 >= o.max_attempts) {
        failed.insert(failed.end(), again.begin(), again.end());
        continue;
      }
      queue.push_back(chunk{std::move(again), ch.attempts + 1, clock_type::now() + backoff(o, ch.attempts)});
    }
    for (auto& call : calls) {  // their memory goes to the next round's requests and answers
      recycle_buffer(std::move(call.body));
      recycle_buffer(std::move(call.response));
    }
    if (o.progress) o.progress(progress);
  }
}

}  // namespace

namespace {
// A hash set of key texts for one batch: open addressing over 1 + the index of a unique key (0: free), the
// texts themselves stay where they are (text_of(u) gives unique key u's). 16 to 32 bytes per key (a table kept at
// most half full), where a node-based map takes a node of about 48 bytes per key and a bucket.
class key_index {
 public:
  explicit key_index(std::size_t keys) {
    std::size_t n = 16;
    while (n < 2 * keys) n *= 2;
    slots_.assign(n, 0);
  }
  /// The unique key whose text is `text`; when there is none, adds it as unique key `next` and returns `next`.
  template <class TextOf>
  std::size_t find_or_add(std::string_view text, std::size_t next, const TextOf& text_of) {
    for (std::size_t h = first_slot(text);; h = (h + 1) & (slots_.size() - 1)) {
      if (slots_[h] == 0) {
        slots_[h] = next + 1;
        return next;
      }
      if (text_of(slots_[h] - 1) == text) return slots_[h] - 1;
    }
  }
  template <class TextOf>
  std::optional<std::size_t> find(std::string_view text, const TextOf& text_of) const {
    for (std::size_t h = first_slot(text);; h = (h + 1) & (slots_.size() - 1)) {
      if (slots_[h] == 0) return std::nullopt;
      if (text_of(slots_[h] - 1) == text) return slots_[h] - 1;
    }
  }

 private:
  std::size_t first_slot(std::string_view text) const {
    return std::hash<std::string_view>{}(text) & (slots_.size() - 1);
  }
  std::vector<std::size_t> slots_;  // at most half full
};

task<std::size_t> batch_write(client c, std::vector<write_entry> in, batch_options o, bool async) {
  // De-duplicate: the last request for a key wins (like boto3's overwrite_by_pkeys). Key texts stay in the
  // entries; `index` finds a key's unique number u by its text.
  for (auto& e : in) {
    if (!e.key_text.empty()) continue;
    static const std::vector<std::string> none;
    if (e.request.data.empty() && !e.json.empty()) e.request.data = codec::read_item(e.json);
    e.key_text = key_text(e.table, e.request.data, e.key_names ? *e.key_names : none);
  }
  const std::vector<write_entry>* texts = &in;
  auto text_of = [&](std::size_t u) -> std::string_view { return (*texts)[u].key_text; };
  key_index index(in.size());
  std::vector<std::size_t> unique_of(in.size()), first_of;  // key i's u; u's first key
  for (std::size_t i = 0; i < in.size(); ++i) {
    unique_of[i] =
        index.find_or_add(in[i].key_text, first_of.size(), [&](std::size_t u) { return text_of(first_of[u]); });
    if (unique_of[i] == first_of.size()) first_of.push_back(i);
  }
  std::vector<write_entry> entries;
  std::vector<std::size_t> original;   // index in the caller's list, for messages (empty: the same index)
  if (first_of.size() == in.size()) {  // no key twice (the common case): the list as it is, not a copy
    entries = std::move(in);
    texts = &entries;  // same positions: the index stays valid
  } else {
    std::vector<std::size_t> last_of(first_of.size());
    for (std::size_t i = 0; i < in.size(); ++i) last_of[unique_of[i]] = i;
    entries.reserve(first_of.size());
    original.reserve(first_of.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (last_of[unique_of[i]] == i) {
        entries.push_back(std::move(in[i]));
        original.push_back(i);
      }
    }
    texts = &entries;
    index = key_index(entries.size());  // u = the position in `entries`
    for (std::size_t i = 0; i < entries.size(); ++i) (void)index.find_or_add(entries[i].key_text, i, text_of);
  }
  std::vector<std::size_t>().swap(unique_of);
  std::vector<std::size_t>().swap(first_of);
  auto where = [&](std::size_t i) { return "[" + std::to_string(original.empty() ? i : original[i]) + "]"; };
  // Encode and check everything before sending anything (the JSON stays in the entries).
  std::vector<std::size_t> bytes(entries.size());
  std::vector<validation_issue> issues;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].json.empty()) {
      try {
        entries[i].json = codec::write_item(entries[i].request.data);
      } catch (const validation_error& e) {
        for (const auto& is : e.issues()) issues.push_back({where(i) + "." + is.path, is.message});
      }
    }
    if (entries[i].request.type == ops::write_request::kind::put && entries[i].json.size() > max_item_bytes) {
      // the JSON text is longer than DynamoDB's size of the item: measure exactly only when it may matter
      const item& data = entries[i].request.data.empty() ? (entries[i].request.data = codec::read_item(entries[i].json))
                                                         : entries[i].request.data;
      if (item_size(data) > max_item_bytes) {
        issues.push_back(
            {where(i), "item is larger than DynamoDB's 400 KB limit (" + std::to_string(item_size(data)) + " bytes)"});
      }
    }
    bytes[i] = entries[i].json.size() + entries[i].table.size();
  }
  if (!issues.empty()) throw validation_error(std::move(issues));

  std::vector<std::size_t> unapplied;
  std::exception_ptr cause;
  auto build = [&](const chunk& ch) {
    std::vector<ops::detail_batch::write_view> views;
    views.reserve(ch.entries.size());
    std::size_t size = 64;
    for (auto i : ch.entries) {
      views.push_back(
          {entries[i].table, entries[i].request.type == ops::write_request::kind::put, entries[i].json, nullptr});
      size += bytes[i] + 48;
    }
    return ops::detail_batch::batch_write_body(views, size);
  };
  auto read = [&](const chunk& ch, std::string& answer, std::vector<std::size_t>& again) {
    ops::batch_write_item_result res;
    try {
      res = ops::detail_batch::parse_batch_write(answer);
    } catch (const error&) {  // an answer of the wrong shape: what was applied is unknown, report the chunk
      cause = std::current_exception();
      return false;
    }
    for (const auto& [table, reqs] : res.unprocessed_items) {
      // the entries these unprocessed requests came from
      const std::vector<std::string>* names = nullptr;
      for (auto i : ch.entries) {
        if (entries[i].table == table) {
          names = entries[i].key_names;
          break;
        }
      }
      if (!names) continue;
      for (const auto& rq : reqs) {
        if (auto u = index.find(key_text(table, rq.data, *names), text_of)) again.push_back(*u);
      }
    }
    return true;
  };
  auto estimate = [&](const chunk& ch) {  // 1 unit per KB of each item
    double units = 0;
    for (auto i : ch.entries) units += std::ceil(static_cast<double>(bytes[i]) / 1024.0);
    return units;
  };
  auto rounds = run_rounds(c, o, bytes, max_writes_per_request, entries.size(), "BatchWriteItem", build, read, estimate,
                           unapplied, cause, async);
  co_await std::move(rounds);

  if (!unapplied.empty()) {
    std::sort(unapplied.begin(), unapplied.end());
    std::vector<std::pair<std::string, ops::write_request>> left;
    for (auto i : unapplied) {
      if (entries[i].request.data.empty()) entries[i].request.data = codec::read_item(entries[i].json);
      left.emplace_back(entries[i].table, entries[i].request);
    }
    std::size_t applied = entries.size() - unapplied.size();
    throw batch_write_incomplete("dynantic: batch write incomplete: " + std::to_string(unapplied.size()) + " of " +
                                     std::to_string(entries.size()) + " requests were not applied" + cause_text(cause),
                                 std::move(left), applied, cause);
  }
  co_return entries.size();
}
}  // namespace

std::size_t run_batch_write(const client& c, std::vector<write_entry> in, const batch_options& o) {
  return run_inline(batch_write(c, std::move(in), o, false));
}
task<std::size_t> async_run_batch_write(client c, std::vector<write_entry> in, batch_options o) {
  return batch_write(std::move(c), std::move(in), std::move(o), true);
}

namespace {
// The canonical key text of a DOM item's key attribute (the same text as append_key_text of its value).
bool append_dom_key_text(std::string& out, std::string_view name, simdjson::dom::element typed) {
  simdjson::dom::object o;
  if (typed.get_object().get(o) || o.size() != 1) return false;
  for (auto f : o) {
    std::string_view text;
    if (f.value.get_string().get(text)) return false;
    out.append(name).push_back('\x1f');
    if (f.key == "S") {
      out += 'S';
      out += text;
    } else if (f.key == "N") {
      if (codec::check_number(text)) return false;
      out += 'N';
      out += codec::canonical_number(text);
    } else if (f.key == "B") {
      out += 'B';
      out += text;
    } else {
      return false;
    }
    out += '\x1e';
  }
  return true;
}
}  // namespace

namespace {

// (references: the callers keep them alive until the task ends)
task<std::vector<std::size_t>> batch_get(const client& c, const get_keys& in, bool consistent, const batch_options& o,
                                         const std::function<void(std::size_t, const ddb_value&)>& on_item,
                                         bool async) {
  // Ask once per key: uniq[u] is the first key i that asked for unique key u, slot[i] the u of key i.
  std::vector<std::size_t> slot(in.size());
  std::vector<std::size_t> uniq;
  uniq.reserve(in.size());
  key_index index(in.size());
  auto text_of_unique = [&](std::size_t u) { return in.text_of(uniq[u]); };
  for (std::size_t i = 0; i < in.size(); ++i) {
    slot[i] = index.find_or_add(in.text_of(i), uniq.size(), text_of_unique);
    if (slot[i] == uniq.size()) uniq.push_back(i);
  }
  std::vector<bool> found(uniq.size(), false);
  std::vector<std::size_t> bytes(uniq.size(), 0);
  std::vector<std::size_t> not_fetched;
  std::exception_ptr cause;
  std::vector<std::string> answers;  // kept to report the items fetched if the batch ends incomplete
  std::string text;
  pooled_parser answer_parser;
  auto build = [&](const chunk& ch) {
    // {"RequestItems":{"table":{"Keys":[...],"ConsistentRead":true}}}
    std::size_t size = 128 + in.table.size();
    for (auto u : ch.entries) size += in.json_of(uniq[u]).size() + 1;
    std::string body = take_buffer(size);
    json_writer w(body);
    w.begin_object();
    w.key("RequestItems");
    w.begin_object();
    w.key(in.table);
    w.begin_object();
    w.key("Keys");
    w.begin_array();
    for (auto u : ch.entries) w.raw(in.json_of(uniq[u]));
    w.end_array();
    if (consistent) {
      w.key("ConsistentRead");
      w.boolean(true);
    }
    w.end_object();
    w.end_object();
    w.end_object();
    return body;
  };
  auto read = [&](const chunk&, std::string& answer, std::vector<std::size_t>& again) {
    // Read the answer in place: key attributes locate the request, items go to on_item as they are.
    // (its own parser: on_item may parse other documents with the thread's parser)
    simdjson::dom::element doc;
    if (auto err = answer_parser.parse(answer).get(doc)) {
      cause = std::make_exception_ptr(decode_error(std::string("malformed JSON: ") + simdjson::error_message(err)));
      return false;
    }
    auto names_of = [&](std::string_view table) -> const std::vector<std::string>* {
      return table == in.table ? in.key_names : nullptr;  // (an answer for another table: not ours)
    };
    auto locate = [&](std::string_view, const std::vector<std::string>& names,
                      simdjson::dom::element it) -> std::optional<std::size_t> {
      text.clear();
      for (const auto& n : names) {
        simdjson::dom::element v;
        if (it[n].get(v) == simdjson::SUCCESS && !append_dom_key_text(text, n, v)) return std::nullopt;
      }
      return index.find(text, text_of_unique);
    };
    simdjson::dom::object unprocessed;
    if (doc["UnprocessedKeys"].get_object().get(unprocessed) == simdjson::SUCCESS) {
      for (auto t : unprocessed) {
        simdjson::dom::array keys;
        const auto* names = names_of(t.key);
        if (!names || t.value["Keys"].get_array().get(keys) != simdjson::SUCCESS) continue;
        for (auto key : keys) {
          if (auto u = locate(t.key, *names, key)) again.push_back(*u);
        }
      }
    }
    simdjson::dom::object responses;
    if (doc["Responses"].get_object().get(responses) == simdjson::SUCCESS) {
      for (auto t : responses) {
        simdjson::dom::array items;
        const auto* names = names_of(t.key);
        if (!names || t.value.get_array().get(items) != simdjson::SUCCESS) continue;
        for (auto it : items) {
          auto u = locate(t.key, *names, it);
          if (!u || found[*u]) continue;
          found[*u] = true;
          on_item(uniq[*u], ddb_value_of_dom_item(it));
        }
      }
    }
    answers.push_back(std::move(answer));
    return true;
  };
  auto estimate = [&](const chunk& ch) {  // 1 unit per item of up to 4 KB (half without consistent reads)
    return static_cast<double>(ch.entries.size()) * (consistent ? 1.0 : 0.5);
  };
  auto rounds = run_rounds(c, o, bytes, max_keys_per_request, uniq.size(), "BatchGetItem", build, read, estimate,
                           not_fetched, cause, async);
  co_await std::move(rounds);

  if (!not_fetched.empty()) {
    // The items fetched, read again from the answers kept.
    std::vector<std::pair<std::string, item>> got, missing;
    for (const auto& a : answers) {
      auto res = ops::detail_batch::parse_batch_get(a);
      for (auto& [table, items] : res.responses) {
        for (auto& it : items) got.emplace_back(table, std::move(it));
      }
    }
    std::sort(not_fetched.begin(), not_fetched.end());
    for (auto u : not_fetched) missing.emplace_back(in.table, codec::read_item(in.json_of(uniq[u])));
    throw batch_get_incomplete("dynantic: batch get incomplete: " + std::to_string(missing.size()) + " of " +
                                   std::to_string(uniq.size()) + " keys were not fetched (the items fetched are kept)" +
                                   cause_text(cause),
                               std::move(got), std::move(missing), cause);
  }
  for (auto& a : answers) recycle_buffer(std::move(a));
  for (std::size_t i = 0; i < in.size(); ++i) slot[i] = uniq[slot[i]];
  co_return slot;
}
}  // namespace

std::vector<std::size_t> run_batch_get_visit(const client& c, const get_keys& in, bool consistent,
                                             const batch_options& o,
                                             const std::function<void(std::size_t, const ddb_value&)>& on_item) {
  return run_inline(batch_get(c, in, consistent, o, on_item, false));
}
task<std::vector<std::size_t>> async_run_batch_get_visit(client c, get_keys in, bool consistent, batch_options o,
                                                         std::function<void(std::size_t, const ddb_value&)> on_item) {
  auto t = batch_get(c, in, consistent, o, on_item, true);
  co_return co_await std::move(t);
}

write_entry put_entry(const model_desc& d, const std::string& table, const std::vector<std::string>* key_names,
                      void* obj) {
  prepare_write(d, obj);
  write_entry e;
  e.table = table;
  e.key_names = key_names;
  e.key_text = key_text_of_model(d, table, obj);
  // Encoded into the thread's scratch buffer (its memory is reused), then copied into a string of its exact size:
  // a batch holds every item's JSON until sent, so room reserved past the end would be memory touched for nothing.
  thread_local std::string scratch;
  scratch.clear();
  encode_checked(d, obj, scratch);  // validated, at most 400 KB
  e.json.assign(scratch);
  if (scratch.capacity() > (1u << 20)) std::string().swap(scratch);  // keeps no large item's room
  return e;
}

std::vector<write_entry> put_entries(const model_desc& d, const std::string& table,
                                     const std::vector<std::string>* key_names, void* first, std::size_t count,
                                     std::size_t stride) {
  std::vector<write_entry> entries;
  entries.reserve(count);
  std::vector<validation_issue> issues;
  for (std::size_t i = 0; i < count; ++i) {
    try {
      entries.push_back(put_entry(d, table, key_names, static_cast<char*>(first) + i * stride));
    } catch (const validation_error& e) {
      for (const auto& is : e.issues()) {
        issues.push_back({"[" + std::to_string(i) + "]" + (is.path.empty() ? "" : "." + is.path), is.message});
      }
    }
  }
  if (!issues.empty()) throw validation_error(std::move(issues));
  return entries;
}

write_entry delete_entry(const std::string& table, const std::vector<std::string>* key_names, item key) {
  return {table, ops::write_request::delete_key(std::move(key)), key_names, {}, {}};
}

get_keys get_entries(const model_desc& d, const std::string& table, const std::vector<std::string>* key_names,
                     const void* first_pk, const void* first_sk, std::size_t count, std::size_t stride) {
  get_keys k;
  k.table = table;
  k.key_names = key_names;
  k.json_end.reserve(count);
  k.text_end.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const void* sk = first_sk ? static_cast<const char*>(first_sk) + i * stride : nullptr;
    append_key_json_and_text(d, static_cast<const char*>(first_pk) + i * stride, sk, k.json, k.text);
    k.json_end.push_back(k.json.size());
    k.text_end.push_back(k.text.size());
    if (i == 0 && count > 1) {  // room for keys of about the first one's size (longer keys grow the strings)
      k.json.reserve((k.json.size() + 8) * count);
      k.text.reserve((k.text.size() + 8) * count);
    }
  }
  return k;
}

void print_unapplied(const batch_write_incomplete& e, const std::vector<std::string>* key_names) {
  std::fprintf(stderr, "%s\n", e.what());
  for (const auto& [t, r] : e.unapplied()) {
    std::fprintf(stderr, "  not applied: %s\n", describe_unapplied(t, r, key_names).c_str());
  }
}

std::string describe_unapplied(const std::string& table, const ops::write_request& r,
                               const std::vector<std::string>* key_names) {
  std::string key;
  if (key_names) {
    key = key_text(table, r.data, *key_names);
  } else {  // every attribute of a delete's key; for a put, the whole item
    key = table + '\n' + codec::write_item(r.data);
  }
  return table + (r.type == ops::write_request::kind::put ? " put key#" : " delete key#") +
         sha256_hex(key).substr(0, 16);
}

// ------------------------------------------------------------------ the writers' buffer
//
// With background flushes, one pump thread per writer sends what the writer hands it through the client's
// retry policy (the executor, as a call queue that calls join while it runs): whenever fewer than
// 4 x max_in_flight of its calls are out, the pump adds one made of due retries of unprocessed items or of new
// requests (25 each), so neither a call in the retry policy's backoff nor items waiting out their own backoff
// hold the others up. A key has at most one request on its way: a later request for it waits in `handed` until
// the earlier one is applied or reported (requests for a key land in order; unlike batch_save, nothing is
// de-duplicated: each request is sent, in turn). New requests are taken only as calls can carry them; the pump
// holds at most 500 x max_in_flight requests (retries waiting out their backoff included) and 64 MB of their
// JSON, so memory stays bounded.

namespace {
// A request the pump has taken: on its way, or queued for a retry.
struct pump_slot {
  write_entry e;
  std::size_t bytes = 0;
  steady_time taken{};
};
// One BatchWriteItem of the pump, and the chunk it carries.
struct pump_call {
  api_call call;
  chunk ch;
};
}  // namespace

struct write_buffer::state final : request_source {
  state(client cl, batch_options opts)
      : c(std::move(cl)),
        o(std::move(opts)),
        cap(50 * std::max<std::size_t>(1, o.max_in_flight)),
        engine_cap(10 * cap),
        most_calls(4 * std::max<std::size_t>(1, o.max_in_flight)) {}
  client c;
  batch_options o;
  std::size_t cap;         // requests buffered before add() waits: 50 x max_in_flight
  std::size_t engine_cap;  // requests the pump holds (retries waiting out their backoff included)
  std::size_t most_calls;  // calls in the call queue (on the wire, or in its backoff)
  static constexpr std::size_t engine_bytes = 64u << 20;  // and their JSON at most (one request over it at least)

  mutable std::mutex mu;
  std::condition_variable work;     // to the pump: something handed over, or stop
  std::condition_variable room;     // to callers: requests taken or ended, a failure
  std::vector<write_entry> buffer;  // the request being filled (fewer than 25; key_text and json set)
  std::deque<write_entry> handed;   // handed to the pump (whole requests as they filled; the rest on flush)
  std::size_t in_engine = 0;        // taken by the pump, not yet applied or reported
  std::size_t engine_held = 0;      // their bytes
  bool changed = false;             // handed over, or requests ended, since the pump last looked
  bool stopping = false;
  std::vector<std::pair<std::string, ops::write_request>> failed;  // not yet reported
  std::size_t applied = 0;                                         // since the last report
  std::exception_ptr cause;
  std::thread pump;
  // the capacity meters alive where the writer was made: its flushes count in them
  std::vector<std::shared_ptr<meter_sums>> meters = meters_of_this_thread();

  // the pump thread's own
  std::unordered_map<std::string, std::size_t> by_key;  // key text -> slot of the request on its way
  std::unordered_map<std::size_t, pump_slot> slots;
  std::size_t next_slot = 0;
  std::deque<chunk> queue;                                                // chunks not yet in a call
  std::unordered_map<const api_call*, std::unique_ptr<pump_call>> calls;  // in the call queue
  std::unique_ptr<call_queue> inner;
  steady_time last_now{};
  batch_progress progress{};

  void take(std::vector<std::size_t>& fresh, steady_time now, std::size_t want);  // under mu
  void run();
  void feed(steady_time now);
  void ended(api_call& call, call_telemetry* t);
  void settle(std::vector<std::size_t>& done, std::vector<std::size_t>& lost, std::exception_ptr why);
  batch_write_incomplete report_failed(const char* what);  // under mu
  void hand_over() {  // under mu: the buffer to the pump, which is started on first use
    for (auto& e : buffer) handed.push_back(std::move(e));
    buffer.clear();
    changed = true;
    if (!pump.joinable()) pump = std::thread([this] { run(); });
    work.notify_one();
  }

  // request_source over the call queue
  bool next(steady_time now, std::size_t& token, http_request& out) override {
    last_now = now;
    feed(now);
    return inner->next(now, token, out);
  }
  std::optional<steady_time> next_due() const override {
    std::optional<steady_time> t = inner->next_due();
    auto sooner = [&](steady_time x) {
      if (!t || x < *t) t = x;
    };
    if (calls.size() < most_calls) {
      if (!queue.empty()) sooner(std::max(first_due(queue), last_now));
      sooner(last_now + std::chrono::milliseconds(2));  // requests may be handed over meanwhile
    }
    return t;
  }
  void complete(std::size_t token, http_response&& r, steady_time now) override {
    last_now = now;
    inner->complete(token, std::move(r), now);
  }
  bool done() const override {
    if (!inner->done() || !queue.empty()) return false;
    std::lock_guard lock(mu);
    return handed.empty();
  }
};

// Moves what may go out from `handed` into slots (their ids in `fresh`), in order: up to `want` requests whose
// key has none on its way (a later request for a key stays until the earlier one has ended), within the caps.
void write_buffer::state::take(std::vector<std::size_t>& fresh, steady_time now, std::size_t want) {
  if (!changed || handed.empty() || want == 0) return;
  changed = false;
  std::vector<write_entry> kept;  // waiting for their key
  const std::size_t size = handed.size();
  std::size_t i = 0, n = 0;
  for (; i < size && n < want; ++i) {
    if (in_engine + n >= engine_cap || engine_held >= engine_bytes) break;
    write_entry& e = handed[i];
    if (by_key.count(e.key_text)) {
      kept.push_back(std::move(e));
      continue;
    }
    std::size_t id = next_slot++;
    pump_slot sl{std::move(e), 0, now};
    sl.bytes = sl.e.json.size() + sl.e.table.size();
    engine_held += sl.bytes;
    by_key.emplace(sl.e.key_text, id);
    slots.emplace(id, std::move(sl));
    fresh.push_back(id);
    ++n;
  }
  handed.erase(handed.begin(), handed.begin() + static_cast<std::ptrdiff_t>(i));
  handed.insert(handed.begin(), std::make_move_iterator(kept.begin()), std::make_move_iterator(kept.end()));
  if (i < size && n > 0) changed = true;  // stopped by `want` or a cap: look again when there is room
  in_engine += n;
}

void write_buffer::state::run() {
  carried_meters carried(meters);
  client_impl& impl = client_access::impl(c);
  const std::size_t max = std::max<std::size_t>(1, o.max_in_flight);
  for (;;) {
    {
      std::unique_lock lock(mu);
      work.wait(lock, [&] { return stopping || !handed.empty(); });
      if (handed.empty()) return;  // stopping, and everything sent has ended
    }
    if (!inner) {
      inner = make_call_queue(
          impl, [](void* self, api_call& call, call_telemetry* t) { static_cast<state*>(self)->ended(call, t); }, this);
    }
    try {
      impl.sender().run(*this, max);  // until nothing is queued, on its way or handed over
    } catch (...) {  // not an answer (e.g. out of memory): what is on its way is reported, the pump starts afresh
      std::vector<std::size_t> done, lost;
      for (const auto& [id, sl] : slots) lost.push_back(id);
      queue.clear();
      calls.clear();
      inner.reset();
      settle(done, lost, std::current_exception());
    }
  }
}

// Takes what was handed over, as much as the calls that may be added can carry, and adds calls while fewer than
// 4 x max_in_flight are out, each a request's worth of due entries (take_due: retries and new requests, in the
// order they were queued).
void write_buffer::state::feed(steady_time now) {
  std::vector<std::size_t> fresh;
  std::size_t unsent = 0;  // requests taken and never sent
  for (const auto& ch : queue) unsent += ch.attempts == 0 ? ch.entries.size() : 0;
  if (unsent < most_calls * max_writes_per_request) {  // new requests are taken as calls can carry them
    std::lock_guard lock(mu);
    take(fresh, now, most_calls * max_writes_per_request - unsent);
  }
  if (!fresh.empty()) room.notify_all();
  auto bytes_of = [this](std::size_t id) { return slots.at(id).bytes; };
  for (auto& ch : make_chunks(fresh, bytes_of, max_writes_per_request)) queue.push_back(std::move(ch));
  while (calls.size() < most_calls) {
    auto due = take_due(queue, now, max_writes_per_request, bytes_of);
    if (!due) break;
    auto pc = std::make_unique<pump_call>();
    pc->ch = std::move(*due);
    std::vector<ops::detail_batch::write_view> views;
    views.reserve(pc->ch.entries.size());
    std::size_t size = 64;
    double units = 0;
    for (auto id : pc->ch.entries) {
      const pump_slot& sl = slots.at(id);
      views.push_back({sl.e.table, sl.e.request.type == ops::write_request::kind::put, sl.e.json, nullptr});
      size += sl.bytes + 48;
      units += std::ceil(static_cast<double>(sl.bytes) / 1024.0);
    }
    pc->call.operation = "BatchWriteItem";
    pc->call.body = ops::detail_batch::batch_write_body(views, size);
    if (o.capacity_limit) {
      pc->call.limit = o.capacity_limit;
      pc->call.estimate = units;
    }
    client_access::impl(c).prepare(pc->call);
    api_call* key = &pc->call;
    calls.emplace(key, std::move(pc));
    inner->add(key);
  }
}

// A call has ended (on the pump thread, inside the transport's run): what it applied is done, what came back
// unprocessed is queued again with backoff, what cannot be retried or ran out of attempts is reported.
void write_buffer::state::ended(api_call& call, call_telemetry* t) {
  client_access::impl(c).account(call, t);
  auto f = calls.find(&call);
  if (f == calls.end()) return;
  std::unique_ptr<pump_call> pc = std::move(f->second);
  calls.erase(f);
  chunk& ch = pc->ch;
  std::vector<std::size_t> again, done, lost;
  std::exception_ptr why;
  bool usable = true;
  if (call.error) {
    why = ch.last_error = call.error;
    usable = retryable(call.error);
    again = ch.entries;
  } else {
    try {
      auto res = ops::detail_batch::parse_batch_write(call.response);
      for (const auto& [table, reqs] : res.unprocessed_items) {
        const std::vector<std::string>* names = nullptr;
        for (auto id : ch.entries) {
          if (slots.at(id).e.table == table) {
            names = slots.at(id).e.key_names;
            break;
          }
        }
        if (!names) continue;
        for (const auto& rq : reqs) {
          auto k = by_key.find(key_text(table, rq.data, *names));
          if (k != by_key.end()) again.push_back(k->second);
        }
      }
    } catch (const error&) {  // an answer of the wrong shape: what was applied is unknown, so it is reported
      why = ch.last_error = std::current_exception();
      usable = false;
    }
  }
  if (!why) why = ch.last_error;
  recycle_buffer(std::move(call.body));
  recycle_buffer(std::move(call.response));
  ++progress.requests_sent;
  if (!usable) {
    lost = ch.entries;
  } else {
    std::sort(again.begin(), again.end());
    for (auto id : ch.entries) {
      if (!std::binary_search(again.begin(), again.end(), id)) done.push_back(id);
    }
    if (!again.empty()) {
      bool out_of_time = o.deadline && last_now - slots.at(again.front()).taken > *o.deadline;
      if (ch.attempts + 1 >= o.max_attempts || out_of_time) {
        lost = std::move(again);
      } else {
        queue.push_back(chunk{std::move(again), ch.attempts + 1, last_now + backoff(o, ch.attempts), ch.last_error});
      }
    }
  }
  settle(done, lost, why);
}

// Ends the slots `done` (applied) and `lost` (reported with `why`, when there is one) under the lock, and
// tells the callers and the progress callback.
void write_buffer::state::settle(std::vector<std::size_t>& done, std::vector<std::size_t>& lost,
                                 std::exception_ptr why) {
  progress.items_done += done.size();
  std::vector<std::pair<std::string, ops::write_request>> failed_now;
  std::size_t freed = 0;
  for (auto* ids : {&done, &lost}) {
    for (auto id : *ids) freed += slots.at(id).bytes;
  }
  for (auto id : lost) {
    auto& sl = slots.at(id);
    if (sl.e.request.data.empty() && !sl.e.json.empty()) sl.e.request.data = codec::read_item(sl.e.json);
    failed_now.emplace_back(sl.e.table, std::move(sl.e.request));
  }
  for (auto* ids : {&done, &lost}) {
    for (auto id : *ids) {
      by_key.erase(slots.at(id).e.key_text);
      slots.erase(id);
    }
  }
  {
    std::lock_guard lock(mu);
    in_engine -= done.size() + lost.size();
    engine_held -= freed;
    if (done.size() + lost.size() > 0) changed = true;  // their keys' next requests may go
    applied += done.size();
    if (why && !lost.empty()) cause = why;
    for (auto& x : failed_now) failed.push_back(std::move(x));
    progress.items_total = progress.items_done + in_engine + handed.size();
  }
  room.notify_all();
  if (o.progress) {
    try {
      o.progress(progress);
    } catch (...) {  // a callback's failure does not stop the writer's requests
    }
  }
}

batch_write_incomplete write_buffer::state::report_failed(const char* what) {
  std::size_t n = failed.size();
  std::string msg = std::string("dynantic: ") + what + ": " + std::to_string(n) + " of " + std::to_string(n + applied) +
                    " requests were not applied" + cause_text(cause);
  batch_write_incomplete e(std::move(msg), std::move(failed), applied, cause);
  failed.clear();
  applied = 0;
  cause = nullptr;
  return e;
}

write_buffer::write_buffer(client c, batch_options o) : s_(std::make_unique<state>(std::move(c), std::move(o))) {}
write_buffer::write_buffer(write_buffer&&) noexcept = default;
write_buffer::~write_buffer() {
  if (!s_ || !s_->pump.joinable()) return;
  {
    std::lock_guard lock(s_->mu);
    s_->stopping = true;
  }
  s_->work.notify_one();
  s_->pump.join();
}

namespace {
std::vector<std::pair<std::string, ops::write_request>> as_requests(std::vector<write_entry>& b) {
  std::vector<std::pair<std::string, ops::write_request>> out;
  out.reserve(b.size());
  for (auto& e : b) {
    if (!e.json.empty() && e.request.data.empty()) e.request.data = codec::read_item(e.json);
    out.emplace_back(e.table, std::move(e.request));
  }
  return out;
}
}  // namespace

void write_buffer::add(write_entry e) {
  state& s = *s_;
  // what the engine needs, made on the caller's thread: a delete's key checked and encoded, every key's text
  if (e.json.empty()) e.json = codec::write_item(e.request.data);  // @throws validation_error
  if (e.key_text.empty()) {
    static const std::vector<std::string> none;
    e.key_text = key_text(e.table, e.request.data, e.key_names ? *e.key_names : none);
  }
  if (!s.o.background_flush) {
    s.buffer.push_back(std::move(e));
    if (s.buffer.size() >= max_writes_per_request) flush();
    return;
  }
  std::unique_lock lock(s.mu);
  if (!s.failed.empty()) throw s.report_failed("batch writer");  // this request is not buffered
  s.buffer.push_back(std::move(e));
  if (s.buffer.size() < max_writes_per_request) return;
  s.hand_over();
  // back-pressure: wait while 50 x max_in_flight requests are handed over and not yet taken
  s.room.wait(lock, [&] { return s.handed.size() < s.cap || !s.failed.empty(); });
}

void write_buffer::flush() {
  state& s = *s_;
  if (!s.o.background_flush) {
    if (s.buffer.empty()) return;
    std::vector<write_entry> batch;
    batch.swap(s.buffer);
    run_batch_write(s.c, std::move(batch), s.o);
    return;
  }
  std::unique_lock lock(s.mu);
  if (!s.buffer.empty()) s.hand_over();
  s.room.wait(lock, [&] { return s.handed.empty() && s.in_engine == 0; });
  if (!s.failed.empty()) throw s.report_failed("batch write incomplete");
}

std::size_t write_buffer::pending() const {
  std::lock_guard lock(s_->mu);
  return s_->buffer.size() + s_->handed.size();
}

void write_buffer::finish(bool abandon, const std::function<void(const batch_write_incomplete&)>& report) noexcept {
  if (!s_) return;
  state& s = *s_;
  auto safe_report = [&](const batch_write_incomplete& e) {
    try {
      report(e);
    } catch (...) {
    }
  };
  std::vector<write_entry> left;
  {
    std::unique_lock lock(s.mu);
    if (abandon) {
      left.swap(s.buffer);  // not sent: the block that produced them failed (what was handed over goes out)
    } else if (!s.o.background_flush) {
      left.swap(s.buffer);
    } else if (!s.buffer.empty()) {
      s.hand_over();
    }
    if (s.pump.joinable()) {
      s.stopping = true;
      s.work.notify_one();
      s.room.wait(lock, [&] { return s.handed.empty() && s.in_engine == 0; });
    }
    if (!s.failed.empty()) {
      try {
        safe_report(s.report_failed("batch writer"));
      } catch (...) {  // out of memory while building the report
      }
    }
  }
  if (s.pump.joinable()) s.pump.join();
  if (left.empty()) return;
  if (abandon) {
    try {
      std::size_t n = left.size();
      safe_report(batch_write_incomplete(
          "dynantic: batch writer left by an exception: " + std::to_string(n) + " buffered requests were not sent",
          as_requests(left), 0, nullptr));
    } catch (...) {
    }
    return;
  }
  try {                                          // synchronous mode: the rest goes out on this thread
    run_batch_write(s.c, std::move(left), s.o);  // throws only batch_write_incomplete once sending began
  } catch (const batch_write_incomplete& e) {
    safe_report(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dynantic: batch writer final flush failed: %s\n", e.what());
  }
}

}  // namespace dynantic::detail
