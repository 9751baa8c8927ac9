// A thousand GetItem calls in flight from one thread: async_get tasks joined with when_all and driven by the
// client's engine (one libcurl multi handle, no thread per call). Prints how many were on the wire at once, the
// client's CPU time and memory per get, the capacity they consumed and the telemetry of one of them.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <dynantic/dynantic.hpp>

namespace dy = dynantic;

struct Reading {
  std::string sensor;
  std::int64_t at = 0;
  double value = 0;
};
DYNANTIC_MODEL(Reading, "async_readings", key(sensor), sort_key(at), field(value))

// Keeps the telemetry of the first GetItem (a sink sees every call; an exporter would send them on).
class first_get final : public dy::telemetry_sink {
 public:
  void call_finished(const dy::call_telemetry& t) noexcept override {
    std::lock_guard lock(mu_);
    if (!kept_ && t.operation == "GetItem") kept_ = t;
  }
  std::optional<dy::call_telemetry> kept() {
    std::lock_guard lock(mu_);
    return kept_;
  }

 private:
  std::mutex mu_;
  std::optional<dy::call_telemetry> kept_;
};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long resident_kb() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * 4;  // 4 KB pages
}

dy::task<int> fetch_all(dy::table<Reading> readings, int n) {
  std::vector<dy::task<std::optional<Reading>>> gets;
  gets.reserve(n);
  for (int i = 0; i < n; ++i) gets.push_back(readings.async_get("sensor-" + std::to_string(i % 20), i));
  int found = 0;
  for (const auto& r : co_await dy::when_all(std::move(gets))) found += r.has_value();
  co_return found;
}

int main() {
  constexpr int n = 1000;
  // A connection per request in flight: make room for them under the descriptor limit.
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < 4096 && files.rlim_max > files.rlim_cur) {
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &files);
  }

  auto sink = std::make_shared<first_get>();
  dy::client_options o;  // region, endpoint and credentials from the environment
  o.async_max_in_flight = n;
  // DynamoDB Local on a small machine resets some of a thousand connections opened at once: give the retries
  // room (AWS itself takes them in its stride).
  o.retry.max_attempts = 8;
  o.retry.quota_capacity = 100'000;
  o.consumed_capacity = dy::capacity_detail::total;
  o.telemetry = sink;
  dy::client c(o);
  dy::table<Reading> readings(c);
  readings.create_table(dy::if_not_exists);
  std::vector<Reading> items;
  for (int i = 0; i < n; ++i) items.push_back({"sensor-" + std::to_string(i % 20), i, i * 0.5});
  readings.batch_save(items);

  dy::capacity_meter meter;
  int found = -1;
  // Twice: the first round opens a connection per request in flight, the second reuses them.
  for (const char* round : {"first round (opens the connections)", "second round (reuses them)"}) {
    long rss_before = resident_kb();
    double cpu_before = cpu_seconds();
    auto start = std::chrono::steady_clock::now();
    // Drive the engine from this thread and watch how many requests are on the wire together.
    // (dy::sync_wait(fetch_all(readings, n)) does the same without watching.)
    dy::spawn(
        fetch_all(readings, n), [&](int f) { found = f; }, [](std::exception_ptr e) { std::rethrow_exception(e); });
    std::size_t peak = 0;
    long rss_peak = rss_before;
    while (c.async_pending() > 0) {
      c.run_for(std::chrono::milliseconds(1));
      if (c.async_in_flight() > peak) {
        peak = c.async_in_flight();
        rss_peak = std::max(rss_peak, resident_kb());
      }
    }
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double cpu = cpu_seconds() - cpu_before;
    std::printf(
        "%s: %d of %d items found, at most %zu requests on the wire at once; %.0f ms; client CPU %.1f us "
        "per get; resident memory +%ld KB at the peak (%.1f KB per get in flight)\n",
        round, found, n, peak, wall * 1000, cpu * 1e6 / n, rss_peak - rss_before,
        static_cast<double>(rss_peak - rss_before) / static_cast<double>(peak ? peak : 1));
  }
  auto used = meter.totals();
  std::printf("consumed: %.1f read capacity units in %llu answers\n", used.total.total,
              static_cast<unsigned long long>(used.answers));
  if (auto t = sink->kept()) {
    std::printf("telemetry of one call: %s, %lld us (time to first byte %lld us)\n", t->operation.c_str(),
                static_cast<long long>(t->duration.count()),
                static_cast<long long>(t->attempts.empty() ? 0 : t->attempts.back().time_to_first_byte.count()));
    for (const auto& [k, v] : t->attributes()) std::printf("  %s = %s\n", k.c_str(), v.c_str());
  }
  return found == n ? 0 : 1;
}
