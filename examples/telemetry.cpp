// Telemetry: a sink that prints every call as one JSON line (a span with OpenTelemetry's DynamoDB attributes and
// the attempts' timings), and the capacity the calls consumed. Replace the printing with your exporter.
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include <dynantic/dynantic.hpp>

namespace dy = dynantic;

struct Reading {
  std::string sensor;
  std::int64_t at = 0;
  double value = 0;
};
DYNANTIC_MODEL(Reading, "telemetry_readings", key(sensor), sort_key(at), field(value))

// Prints spans as JSON lines on stdout. Attribute values are text; lists are already JSON.
class json_lines_exporter final : public dy::telemetry_sink {
 public:
  void call_finished(const dy::call_telemetry& t) noexcept override {
    std::string line =
        "{\"name\":\"DynamoDB." + t.operation + "\",\"start_unix_us\":" +
        std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(t.started.time_since_epoch()).count()) +
        ",\"duration_us\":" + std::to_string(t.duration.count()) + ",\"attributes\":{";
    bool first = true;
    for (const auto& [k, v] : t.attributes()) {
      bool raw = !v.empty() && (v[0] == '[' || v[0] == '{');
      line += (first ? "\"" : ",\"") + k + "\":" + (raw ? v : "\"" + v + "\"");
      first = false;
    }
    line += "},\"attempts\":[";
    for (const auto& a : t.attempts) {
      line += (a.number > 1 ? ",{" : "{") + std::string("\"status\":") + std::to_string(a.http_status) +
              ",\"signing_us\":" + std::to_string(a.signing.count()) +
              ",\"ttfb_us\":" + std::to_string(a.time_to_first_byte.count()) +
              ",\"duration_us\":" + std::to_string(a.duration.count()) +
              ",\"backoff_us\":" + std::to_string(a.backoff_before.count()) +
              (a.error.empty() ? "" : ",\"error\":\"" + a.error + "\"") + "}";
    }
    std::lock_guard lock(mu_);
    std::printf("%s]}\n", line.c_str());
  }

 private:
  std::mutex mu_;
};

int main() {
  dy::client_options o;  // region, endpoint and credentials from the environment
  o.telemetry = std::make_shared<json_lines_exporter>();
  o.consumed_capacity = dy::capacity_detail::total;
  dy::client c(o);
  dy::table<Reading> readings(c);
  readings.create_table(dy::if_not_exists);
  dy::capacity_meter meter;
  std::vector<Reading> batch;
  for (int i = 0; i < 30; ++i) batch.push_back({"s-1", i, i * 0.5});
  readings.batch_save(batch);  // two BatchWriteItem calls
  auto one = readings.get("s-1", 7, {.consistent_read = true});
  auto n = readings.query("s-1").count();
  std::printf("read back %s, %lld items in the partition; %.1f capacity units in %llu answers\n", one ? "one" : "none",
              static_cast<long long>(n), meter.totals().total.total,
              static_cast<unsigned long long>(meter.totals().answers));
}
