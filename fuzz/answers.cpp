// Whole answers as DynamoDB sends them, to every operation: the first byte picks the operation and the HTTP status
// (200, 400 or 500), the rest is the body. Each call must return or throw one of the library's typed errors, never
// anything else and never crash; what it returns must be writable again.
#include <memory>

#include <dynantic/dynantic.hpp>

#include "fuzz.hpp"
#include "models.hpp"
#include "wire/client_impl.hpp"

namespace {
namespace dy = dynantic;

// Answers every request with the same status and body, on a clock that jumps over waits.
class answering_transport final : public dy::detail::transport {
 public:
  answering_transport(long status, std::string body) : status_(status), body_(std::move(body)) {}
  dy::detail::steady_time now() override { return now_; }
  void run(dy::detail::request_source& src, std::size_t) override {
    while (!src.done()) {
      std::size_t token;
      dy::detail::http_request req;
      if (src.next(now_, token, req)) {
        dy::detail::http_response r;
        r.status = status_;
        r.body = body_;
        src.complete(token, std::move(r), now_);
      } else if (auto due = src.next_due()) {
        now_ = *due;
      } else {
        return;
      }
    }
  }

 private:
  long status_;
  std::string body_;
  dy::detail::steady_time now_ = dy::detail::steady_time{} + std::chrono::hours(1);
};

dy::client client_answering(long status, std::string body) {
  dy::client_options o;
  o.endpoint = "http://127.0.0.1:9";
  o.region = "us-east-1";
  o.credentials = dy::credentials{"AK", "SK", ""};
  o.retry.max_attempts = 2;
  auto t = std::make_unique<answering_transport>(status, std::move(body));
  return dy::detail::client_access::make(std::make_shared<dy::detail::client_impl>(o, std::move(t)));
}

void writable(const dy::item& it) { (void)dy::codec::write_item(it); }

void call(int op, const dy::client& c) {
  using namespace dy::ops;
  dy::item key{{"pk", "a"}, {"sk", "1"}};
  dy::table<fuzz_models::Wide> wide(c);
  switch (op) {
    case 0: {
      auto r = get_item(c, {.table_name = "t", .key = key});
      if (r.item) writable(*r.item);
      break;
    }
    case 1: {
      auto r = query(
          c, {.table_name = "t", .key_condition_expression = "pk = :a", .expression_attribute_values = {{":a", "a"}}});
      for (auto& it : r.items) writable(it);
      if (r.last_evaluated_key) writable(*r.last_evaluated_key);
      break;
    }
    case 2: {
      auto r = scan(c, {.table_name = "t"});
      for (auto& it : r.items) writable(it);
      break;
    }
    case 3: {
      auto r = batch_get_item(c, {.request_items = {{"t", {.keys = {key}}}}});
      for (auto& [t, items] : r.responses)
        for (auto& it : items) writable(it);
      break;
    }
    case 4: {
      auto r = batch_write_item(c, {.request_items = {{"t", {dy::write_request::put(key)}}}});
      for (auto& [t, reqs] : r.unprocessed_items)
        for (auto& w : reqs) writable(w.data);
      break;
    }
    case 5: {
      auto r = transact_get_items(c, {.items = {{.table_name = "t", .key = key}}});
      for (auto& it : r.items)
        if (it) writable(*it);
      break;
    }
    case 6:
      transact_write_items(c, {.items = {{.type = transact_write::kind::put, .table_name = "t", .data = key}}});
      break;
    case 7: {
      auto r = put_item(c, {.table_name = "t", .item = key, .return_values = return_values::all_old});
      if (r.attributes) writable(*r.attributes);
      break;
    }
    case 8: (void)describe_table(c, "t"); break;
    case 9: (void)list_tables(c); break;
    case 10: (void)wide.get("a", 1); break;  // the model codec's path
    case 11: {
      auto page = wide.query("a").page();
      for (auto& m : page.items) (void)dy::to_item(m);
      break;
    }
    default: {
      dy::batch_options o;  // retries of unprocessed keys without real sleeps
      o.max_attempts = 2;
      o.base_delay = std::chrono::milliseconds(0);
      o.max_backoff = std::chrono::milliseconds(0);
      (void)wide.batch_get({{"a", 1}, {"b", 2}}, o);
      break;
    }
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const long statuses[] = {200, 400, 500};
  const int op = data[0] % 13;
  const long status = statuses[(data[0] / 13) % 3];
  auto c = client_answering(status, std::string(fuzz_text(data + 1, size - 1)));
  try {
    call(op, c);
  } catch (const dy::error&) {
    // every failure the library reports is a dynantic::error
  }
  return 0;
}
