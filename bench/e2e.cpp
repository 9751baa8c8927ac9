// End-to-end benchmark against a running DynamoDB (DynamoDB Local): the shared peer harness's client
// protocol (bench-peers/README.md): `dynantic_e2e <write|get|query|marshal>` with DDB_ENDPOINT, DDB_TABLE,
// DDB_REGION, BENCH_N, BENCH_CONCURRENCY, BENCH_PREFIX, BENCH_PARTITION. Prints one JSON line per measurement.
// Each line also gives the minor page faults of the timed part (memory touched for the first time).
// `write` = table::batch_save, `get` = table::batch_get, `query` = lazy query iteration, `marshal` = the direct
// model <-> DynamoDB-JSON path (and a third line, marshal-raw-parse: simdjson parsing the same documents).
// Not part of the protocol: `load`, `writer`, and `touch` (the cost of a first touch of a fresh 4 KB page).
#include <sys/mman.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <string>

#include <simdjson.h>

#include "bench_user_model.hpp"

namespace {
using namespace dynantic;
using bench::BenchUser;

std::string env(const char* k, const char* def) {
  const char* v = std::getenv(k);
  return v && *v ? v : def;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

// Minor page faults since the last call: memory the timed part touched for the first time (fresh pages
// from the system). A hot path that reuses its buffers takes none per item once warm.
long faults_since_mark() {
  static long mark = 0;
  long now = minor_faults(), d = now - mark;
  mark = now;
  return d;
}

double wall_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void report(const char* bench, std::size_t items, double t0, double t1, double cpu, bool ok, std::size_t bytes = 0,
            int concurrency = 1) {
  long faults = faults_since_mark();
  std::printf(
      "{\"bench\":\"%s\",\"client\":\"dynantic\",\"items\":%zu,\"wall_s\":%.4f,\"client_cpu_s\":%.4f,"
      "\"cpu_us_per_item\":%.3f,\"items_per_s\":%.1f,\"t_start\":%.4f,\"t_end\":%.4f,\"concurrency\":%d,"
      "\"minor_faults\":%ld,\"faults_per_item\":%.4f,\"ok\":%s%s,\"versions\":{\"dynantic\":\"0.1.0\"}}\n",
      bench, items, t1 - t0, cpu, items ? cpu * 1e6 / static_cast<double>(items) : 0.0,
      t1 > t0 ? static_cast<double>(items) / (t1 - t0) : 0.0, t0, t1, concurrency, faults,
      items ? static_cast<double>(faults) / static_cast<double>(items) : 0.0, ok ? "true" : "false",
      bytes ? (",\"bytes\":" + std::to_string(bytes) + ",\"ddb_bytes\":" + std::to_string(bytes)).c_str() : "");
  std::fflush(stdout);
}

// The bench-peers item i as our model (same attributes and values).
// BENCH_REPEAT (not part of the harness protocol): runs the timed part this many times in one process and
// reports each; the later runs show the steady state ("warm": buffers and parsers already sized).
int repeats() { return std::max(1, std::atoi(env("BENCH_REPEAT", "1").c_str())); }

BenchUser peer_item(int i, const std::string& prefix, const std::string& partition) {
  BenchUser u = bench::bench_user(i);
  char id[64];
  std::snprintf(id, sizeof id, "%s-%08d", prefix.c_str(), i);
  u.user_id = partition.empty() ? std::string(id) : partition;
  return u;
}

int query_bench() {
  client c{client_options{.region = env("DDB_REGION", "us-east-1"),
                          .endpoint = env("DDB_ENDPOINT", "http://127.0.0.1:8000")}};
  table<BenchUser> users{c, env("DDB_TABLE", "bench_users")};
  std::string partition = env("BENCH_PARTITION", "hot-partition");
  std::size_t want = std::strtoull(env("BENCH_N", "10000").c_str(), nullptr, 10);
  (void)users.get("warm-up", "none");  // untimed: connection set up
  bool ok = true;
  for (int rep = 0; rep < repeats(); ++rep) {
    faults_since_mark();
    double cpu0 = cpu_seconds(), t0 = wall_epoch();
    std::size_t n = 0;
    for (const BenchUser& u : users.query(partition)) n += u.user_id == partition;
    double t1 = wall_epoch(), cpu1 = cpu_seconds();
    report("query", n, t0, t1, cpu1 - cpu0, n == want);
    ok = ok && n == want;
  }
  return ok ? 0 : 1;
}

client bench_client() {
  return client{client_options{.region = env("DDB_REGION", "us-east-1"),
                               .endpoint = env("DDB_ENDPOINT", "http://127.0.0.1:8000")}};
}

batch_options bench_batch_options() {
  batch_options o;
  o.max_in_flight = std::max(1, std::atoi(env("BENCH_CONCURRENCY", "1").c_str()));
  return o;
}

// The items 0..BENCH_N-1 of the write benches (BENCH_PREFIX, BENCH_PARTITION), built untimed.
std::vector<BenchUser> items_to_write() {
  std::size_t n = std::strtoull(env("BENCH_N", "20000").c_str(), nullptr, 10);
  std::string prefix = env("BENCH_PREFIX", "user"), partition = env("BENCH_PARTITION", "");
  std::vector<BenchUser> items;
  items.reserve(n);
  for (std::size_t i = 0; i < n; ++i) items.push_back(peer_item(static_cast<int>(i), prefix, partition));
  return items;
}

int write_bench() {
  table<BenchUser> users{bench_client(), env("DDB_TABLE", "bench_users")};
  std::vector<BenchUser> items = items_to_write();
  std::size_t n = items.size();
  auto o = bench_batch_options();
  (void)users.get("warm-up", "none");  // untimed: connection set up
  for (int rep = 0; rep < repeats(); ++rep) {
    std::vector<BenchUser> batch = rep + 1 < repeats() ? items : std::move(items);  // untimed copy
    faults_since_mark();
    double cpu0 = cpu_seconds(), t0 = wall_epoch();
    users.batch_save(std::move(batch), o);
    double t1 = wall_epoch(), cpu1 = cpu_seconds();
    report("batch-write", n, t0, t1, cpu1 - cpu0, true, 0, static_cast<int>(o.max_in_flight));
  }
  return 0;
}

// Not part of the harness protocol: the same items as `write`, saved one by one through batch_writer (which
// batches them in the background), to compare with batch_save's items/s on the same server.
int writer_bench() {
  table<BenchUser> users{bench_client(), env("DDB_TABLE", "bench_users")};
  std::vector<BenchUser> items = items_to_write();
  std::size_t n = items.size();
  auto o = bench_batch_options();
  (void)users.get("warm-up", "none");
  for (int rep = 0; rep < repeats(); ++rep) {
    faults_since_mark();
    double cpu0 = cpu_seconds(), t0 = wall_epoch();
    {
      auto w = users.batch_writer(o);
      for (const auto& u : items) w.save(u);
    }  // the destructor flushes the rest
    double t1 = wall_epoch(), cpu1 = cpu_seconds();
    report("batch-writer", n, t0, t1, cpu1 - cpu0, true, 0, static_cast<int>(o.max_in_flight));
  }
  return 0;
}

int get_bench() {
  table<BenchUser> users{bench_client(), env("DDB_TABLE", "bench_users")};
  std::size_t n = std::strtoull(env("BENCH_N", "20000").c_str(), nullptr, 10);
  std::string prefix = env("BENCH_PREFIX", "user"), partition = env("BENCH_PARTITION", "");
  std::vector<table<BenchUser>::key_type> keys;
  keys.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto u = peer_item(static_cast<int>(i), prefix, partition);
    keys.emplace_back(u.user_id, u.email);
  }
  auto o = bench_batch_options();
  (void)users.get("warm-up", "none");
  bool ok = true;
  for (int rep = 0; rep < repeats(); ++rep) {
    faults_since_mark();
    double cpu0 = cpu_seconds(), t0 = wall_epoch();
    auto got = users.batch_get(keys, o);
    double t1 = wall_epoch(), cpu1 = cpu_seconds();
    std::size_t found = 0;
    for (const auto& g : got) found += g.has_value();
    report("batch-get", n, t0, t1, cpu1 - cpu0, found == n, 0, static_cast<int>(o.max_in_flight));
    ok = ok && found == n;
  }
  return ok ? 0 : 1;
}

int marshal_bench() {
  std::size_t n = std::strtoull(env("BENCH_N", "100000").c_str(), nullptr, 10);
  std::string prefix = env("BENCH_PREFIX", "user");
  std::vector<BenchUser> items;
  items.reserve(n);
  for (std::size_t i = 0; i < n; ++i) items.push_back(peer_item(static_cast<int>(i), prefix, ""));
  bool ok = true;
  for (int rep = 0; rep < repeats(); ++rep) {
    std::vector<std::string> docs(n);
    faults_since_mark();
    double cpu0 = cpu_seconds(), t0 = wall_epoch();
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
      append_dynamodb_json(docs[i], items[i]);
      bytes += docs[i].size();
    }
    double t1 = wall_epoch(), cpu1 = cpu_seconds();
    report("marshal-encode", n, t0, t1, cpu1 - cpu0, true, bytes);
    std::vector<BenchUser> back;
    back.reserve(n);
    faults_since_mark();
    cpu0 = cpu_seconds();
    t0 = wall_epoch();
    for (const auto& d : docs) back.push_back(from_dynamodb_json<BenchUser>(d));
    t1 = wall_epoch();
    cpu1 = cpu_seconds();
    bool decoded = back.size() == n && back.back().email == items.back().email;
    report("marshal-decode", n, t0, t1, cpu1 - cpu0, decoded, bytes);
    // The floor for decoding: simdjson parsing the same documents (one parser, nothing built from the parse).
    simdjson::dom::parser parser;
    std::size_t fields = 0;
    faults_since_mark();
    cpu0 = cpu_seconds();
    t0 = wall_epoch();
    for (const auto& d : docs) {
      simdjson::dom::object o;
      if (parser.parse(d).get_object().get(o) == simdjson::SUCCESS) fields += o.size();
    }
    t1 = wall_epoch();
    cpu1 = cpu_seconds();
    report("marshal-raw-parse", n, t0, t1, cpu1 - cpu0, fields == 9 * n, bytes);
    ok = ok && decoded;
  }
  return ok ? 0 : 1;
}

// Not part of the harness protocol: what the first touch of fresh memory costs on this machine (the floor of a
// bench whose output is fresh memory, as marshal's first pass): BENCH_N pages of 4 KB mapped and written once.
int touch_bench() {
  std::size_t pages = std::strtoull(env("BENCH_N", "10000").c_str(), nullptr, 10);
  std::size_t size = pages * 4096;
  void* m = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return 1;
  auto* p = static_cast<volatile char*>(m);
  faults_since_mark();
  double cpu0 = cpu_seconds(), t0 = wall_epoch();
  for (std::size_t i = 0; i < size; i += 4096) p[i] = 1;
  double t1 = wall_epoch(), cpu1 = cpu_seconds();
  report("page-touch", pages, t0, t1, cpu1 - cpu0, true, size);
  munmap(m, size);
  return 0;
}

// Not part of the harness protocol: creates DDB_TABLE (if missing) and loads BENCH_N items into
// BENCH_PARTITION, for running `query` by hand.
int load_bench() {
  client c{client_options{.region = env("DDB_REGION", "us-east-1"),
                          .endpoint = env("DDB_ENDPOINT", "http://127.0.0.1:8000")}};
  table<BenchUser> users{c, env("DDB_TABLE", "bench_users")};
  if (!users.exists()) users.create_table();
  std::string partition = env("BENCH_PARTITION", "hot-partition");
  int n = std::atoi(env("BENCH_N", "10000").c_str());
  for (int start = 0; start < n; start += 25) {
    ops::batch_write_item_request r;
    for (int i = start; i < std::min(n, start + 25); ++i) {
      r.request_items[users.name()].push_back(ops::write_request::put(to_item(peer_item(i, "user", partition))));
    }
    while (!r.request_items.empty()) r.request_items = ops::batch_write_item(c, r).unprocessed_items;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string bench = argc > 1 ? argv[1] : "";
  if (bench == "query") return query_bench();
  if (bench == "marshal") return marshal_bench();
  if (bench == "load") return load_bench();
  if (bench == "write") return write_bench();
  if (bench == "get") return get_bench();
  if (bench == "writer") return writer_bench();
  if (bench == "touch") return touch_bench();
  std::fprintf(stderr, "usage: %s <write|get|query|marshal>\n", argv[0]);
  return 2;
} catch (const std::exception& e) {
  std::fprintf(stderr, "dynantic_e2e: %s\n", e.what());
  return 1;
}
