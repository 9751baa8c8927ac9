// dynantic_soak: a mixed workload through the fault proxy for a given time, then a check of the table against
// what the workload says it did. Not a test with a time limit: a program to run for as long as you want
// confidence (scripts/soak).
//
//   DYNANTIC_TEST_ENDPOINT=http://127.0.0.1:8000 dynantic_soak --minutes 30 [--threads 4] [--seed 1]
//
// Each worker loops over: a save (an item of its own, overwritten with a counter), a versioned conditional update
// of its counter (`n += 1, version += 1 if version = v`), a batch_save of 40 items then a batch_get and a
// consistent query of them, and a transfer between two of ten accounts in a transaction that also creates a
// marker item for the transfer (`attribute_not_exists`). The proxy throttles, answers 500 and 503, resets
// connections, loses answers after DynamoDB applied the request, and withholds parts of batches.
//
// The verdict, from DynamoDB Local directly: every save and batch item holds its last value (nothing lost);
// each counter's n equals its version (no update applied without the other) and lies between the updates that
// succeeded and those plus the ones whose outcome was unknown; the accounts' balances sum to the start and each
// equals its start plus the transfers whose marker exists; every transfer reported done has its marker, and no
// transfer whose answer was lost was cancelled by its own marker on the retry (the idempotency token was
// honoured: not applied twice); RSS does not grow over the second half of the run. Exit status 0 when all hold.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <dynantic/dynantic.hpp>

#include "fault_proxy.hpp"
#include "test_env.hpp"

namespace soak {
namespace dy = dynantic;

struct Entry {
  std::string pk;
  std::string sk;
  std::int64_t n = 0;
  std::int64_t version = 0;
  std::string payload;
};
DYNANTIC_MODEL(Entry, "dynantic_soak", key(pk), sort_key(sk), field(n), field(version), field(payload))

constexpr int accounts = 10;
constexpr std::int64_t start_balance = 1'000'000;

struct counters {
  std::atomic<std::uint64_t> saves{0}, updates{0}, updates_unknown{0}, batch_items{0}, batch_gets{0}, queries{0},
      transfers{0}, transfers_unknown{0}, transfers_refused{0}, errors{0};
};

struct worker_log {
  std::map<std::string, std::int64_t> saves;         // sk of "save#t" -> last n written
  std::vector<std::int64_t> batch_rounds;            // rounds that wrote batch#t-round (item i holds n = round*100 + i)
  std::int64_t updates_ok = 0, updates_unknown = 0;  // of counter#t
  // compact, so that the bookkeeping does not hide the client's memory use; a transfer's marker is xfer#t-round
  struct transfer {
    std::int64_t round;
    std::int32_t from, to;
    std::int64_t amount;
  };
  std::vector<transfer> transfers_ok, transfers_unknown, transfers_cancelled_by_own_marker;
  std::vector<std::string> problems;
};

long rss_kb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

std::string account_pk(int i) { return "acct#" + std::to_string(i); }

void work(int t, const dy::client& c, std::chrono::steady_clock::time_point until, counters& k, worker_log& log,
          unsigned seed) {
  dy::table<Entry> table(c);
  std::mt19937_64 rng(seed * 7919 + static_cast<unsigned>(t));
  const std::string me = std::to_string(t);
  std::int64_t version = 0;  // of counter#t as this worker believes it
  table.save(Entry{"counter#" + me, "c", 0, 0, ""});
  for (std::int64_t round = 0; std::chrono::steady_clock::now() < until; ++round) {
    try {
      // a save, overwritten round after round
      std::string sk = "s" + std::to_string(round % 50);
      table.save(Entry{"save#" + me, sk, round, 0, std::string(static_cast<std::size_t>(rng() % 200), 'x')});
      log.saves[sk] = round;
      ++k.saves;

      // a versioned conditional update
      try {
        table.update("counter#" + me, "c")
            .add(&Entry::n, 1)
            .set(&Entry::version, version + 1)
            .condition(dy::attr(&Entry::version) == version)
            .execute();
        ++version;
        ++log.updates_ok;
        ++k.updates;
      } catch (const dy::conditional_check_failed&) {
        // the answer to an applied update was lost and the retry found the new version: applied or not is unknown
        // to the caller; read where the counter is and go on from there
        auto now = table.get("counter#" + me, "c", {.consistent_read = true});
        if (!now) throw;
        version = now->version;
        ++log.updates_unknown;
        ++k.updates_unknown;
      }

      // a batch of 40, read back by batch_get and by a query
      if (round % 4 == 0) {
        std::string pk = "batch#" + me + "-" + std::to_string(round);
        std::vector<Entry> items;
        for (int i = 0; i < 40; ++i) items.push_back(Entry{pk, std::to_string(i), round * 100 + i, 0, "b"});
        table.batch_save(items);
        log.batch_rounds.push_back(round);
        k.batch_items += items.size();
        std::vector<std::pair<std::string, std::string>> keys;
        for (const auto& e : items) keys.emplace_back(e.pk, e.sk);
        auto got = table.batch_get(keys, {}, {.consistent_read = true});
        for (std::size_t i = 0; i < got.size(); ++i) {
          if (!got[i] || got[i]->n != items[i].n) log.problems.push_back("batch_get missed or misread " + pk);
        }
        ++k.batch_gets;
        auto count = table.query(pk).consistent().count();
        if (count != 40) log.problems.push_back("query of " + pk + " counted " + std::to_string(count));
        ++k.queries;
      }

      // a transfer with its marker, in one transaction
      int from = static_cast<int>(rng() % accounts),
          to = static_cast<int>((from + 1 + rng() % (accounts - 1)) % accounts);
      std::int64_t amount = 1 + static_cast<std::int64_t>(rng() % 100);
      std::string id = "xfer#" + me + "-" + std::to_string(round);
      try {
        dy::transact_write(c,
                           table.tx_put(Entry{id, "x", amount, from * 100 + to, ""}, dy::attr(&Entry::pk).not_exists()),
                           table.tx_update({account_pk(from), "a"}).add(&Entry::n, -amount),
                           table.tx_update({account_pk(to), "a"}).add(&Entry::n, amount));
        log.transfers_ok.push_back({round, from, to, amount});
        ++k.transfers;
      } catch (const dy::transaction_canceled& e) {
        if (!e.reasons().empty() && e.reasons()[0].code == "ConditionalCheckFailed") {
          // the first attempt was applied, and its retry ran as a new transaction
          log.transfers_cancelled_by_own_marker.push_back({round, from, to, amount});
        } else {
          log.transfers_unknown.push_back({round, from, to, amount});  // e.g. TransactionConflict: not applied
          ++k.transfers_refused;
        }
      } catch (const dy::error&) {
        log.transfers_unknown.push_back({round, from, to, amount});  // retries ran out: applied or not is unknown
        ++k.transfers_unknown;
      }
    } catch (const dy::error& e) {
      ++k.errors;
      if (k.errors < 20) std::cerr << "worker " << t << ": " << e.what() << "\n";
    }
  }
}

int run(int argc, char** argv) {
  double minutes = 1;
  int threads = 4;
  unsigned seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--minutes") minutes = std::atof(argv[i + 1]);
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--seed") seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
  }
  auto direct = dy::testing::test_client();
  dy::table<Entry> table(direct);
  try {
    table.delete_table();
    for (int i = 0; i < 100; ++i) {
      dy::ops::describe_table(direct, "dynantic_soak");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  } catch (const dy::error&) {
  }
  table.create_table();
  for (int i = 0; i < accounts; ++i) table.save(Entry{account_pk(i), "a", start_balance, 0, ""});

  dy::testing::fault_proxy_options po;
  dy::testing::split_endpoint(dy::testing::test_endpoint(), po.upstream_host, po.upstream_port);
  po.throttle_rate = 0.03;
  po.error500_rate = 0.01;
  po.error503_rate = 0.01;
  po.reset_rate = 0.005;
  po.lost_answer_rate = 0.005;
  po.unprocessed_rate = 0.2;
  po.seed = seed;
  po.max_lifetime = std::chrono::seconds(static_cast<long>(minutes * 60) + 600);
  po.max_requests = ~0ull;
  dy::testing::fault_proxy proxy(po);
  auto o = dy::testing::test_options(proxy.endpoint());
  o.retry.max_attempts = 8;
  o.retry.throttle_base_delay = std::chrono::milliseconds(100);
  dy::client c(o);

  counters k;
  std::vector<worker_log> logs(static_cast<std::size_t>(threads));
  auto start = std::chrono::steady_clock::now();
  auto until = start + std::chrono::milliseconds(static_cast<long>(minutes * 60'000));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { work(t, c, until, k, logs[static_cast<std::size_t>(t)], seed); });
  }
  std::vector<long> rss;
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::seconds(std::min(30L, static_cast<long>(minutes * 60 / 4) + 1)));
    rss.push_back(rss_kb());
    auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
    std::cout << "t=" << elapsed.count() << "s rss=" << rss.back() << "kB saves=" << k.saves << " updates=" << k.updates
              << " batch_items=" << k.batch_items << " transfers=" << k.transfers << " requests=" << proxy.requests()
              << " errors=" << k.errors << std::endl;
  }
  for (auto& w : workers) w.join();
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // ---- the verdict, read directly from DynamoDB Local
  std::vector<std::string> problems;
  std::int64_t updates_ok = 0, updates_unknown = 0;
  for (int t = 0; t < threads; ++t) {
    auto& log = logs[static_cast<std::size_t>(t)];
    const std::string me = std::to_string(t);
    for (auto& p : log.problems) problems.push_back("worker " + me + ": " + p);
    for (const auto& [sk, n] : log.saves) {
      auto got = table.get("save#" + me, sk, {.consistent_read = true});
      if (!got || got->n != n) problems.push_back("save#" + me + "/" + sk + " lost its last value");
    }
    std::vector<std::pair<std::string, std::string>> keys;
    std::vector<std::int64_t> want;
    for (auto round : log.batch_rounds) {
      for (int i = 0; i < 40; ++i) {
        keys.emplace_back("batch#" + me + "-" + std::to_string(round), std::to_string(i));
        want.push_back(round * 100 + i);
      }
    }
    auto got = table.batch_get(keys, {}, {.consistent_read = true});
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (!got[i] || got[i]->n != want[i])
        problems.push_back("batch item " + keys[i].first + "/" + keys[i].second + " lost");
    }
    auto counter = table.get("counter#" + me, "c", {.consistent_read = true});
    if (!counter || counter->n != counter->version) {
      problems.push_back("counter#" + me + ": n and version disagree (an update half-applied or applied twice)");
    } else if (counter->n < log.updates_ok || counter->n > log.updates_ok + log.updates_unknown) {
      problems.push_back("counter#" + me + " = " + std::to_string(counter->n) + ", expected " +
                         std::to_string(log.updates_ok) + " + up to " + std::to_string(log.updates_unknown));
    }
    updates_ok += log.updates_ok;
    updates_unknown += log.updates_unknown;
    for (auto& x : log.transfers_cancelled_by_own_marker) {
      problems.push_back("xfer#" + me + "-" + std::to_string(x.round) +
                         ": a retry found its own marker (the idempotency token was not honoured)");
    }
  }
  // transfers: markers against balances
  std::vector<std::int64_t> expected(accounts, start_balance);
  std::uint64_t markers = 0, ok_transfers = 0;
  for (std::size_t t = 0; t < logs.size(); ++t) {
    auto& log = logs[t];
    auto check = [&](const std::vector<worker_log::transfer>& list, bool reported_done) {
      std::vector<std::pair<std::string, std::string>> keys;
      for (const auto& x : list) keys.emplace_back("xfer#" + std::to_string(t) + "-" + std::to_string(x.round), "x");
      auto found = table.batch_get(keys, {}, {.consistent_read = true});
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (reported_done && !found[i])
          problems.push_back(keys[i].first + " was reported done but its marker is missing");
        if (found[i]) {
          ++markers;
          expected[static_cast<std::size_t>(list[i].from)] -= list[i].amount;
          expected[static_cast<std::size_t>(list[i].to)] += list[i].amount;
        }
      }
    };
    check(log.transfers_ok, true);
    check(log.transfers_unknown, false);
    check(log.transfers_cancelled_by_own_marker, false);
    ok_transfers += log.transfers_ok.size();
  }
  std::int64_t sum = 0;
  for (int i = 0; i < accounts; ++i) {
    auto a = table.get(account_pk(i), "a", {.consistent_read = true});
    std::int64_t bal = a ? a->n : -1;
    sum += bal;
    if (bal != expected[static_cast<std::size_t>(i)]) {
      problems.push_back(account_pk(i) + " holds " + std::to_string(bal) + ", its transfers say " +
                         std::to_string(expected[static_cast<std::size_t>(i)]));
    }
  }
  if (sum != start_balance * accounts) problems.push_back("the balances no longer sum to the start");
  // memory: the second half of the run must not grow beyond the first half's peak by more than 10 % + 8 MB
  long first_peak = 0, second_peak = 0;
  for (std::size_t i = 0; i < rss.size(); ++i) {
    long& peak = i < rss.size() / 2 ? first_peak : second_peak;
    peak = std::max(peak, rss[i]);
  }
  if (rss.size() >= 4 && second_peak > first_peak + first_peak / 10 + 8192) {
    problems.push_back("RSS grew from " + std::to_string(first_peak) + " kB to " + std::to_string(second_peak) + " kB");
  }

  using dy::testing::fault;
  std::cout << "\n== soak: " << elapsed / 60 << " min, " << threads << " threads, seed " << seed << "\n"
            << "operations: " << k.saves << " saves, " << updates_ok << " conditional updates (+" << updates_unknown
            << " with a lost answer), " << k.batch_items << " items in batch_save, " << k.batch_gets << " batch_gets, "
            << k.queries << " queries, " << ok_transfers << " transfers done (" << k.transfers_unknown << " unknown, "
            << k.transfers_refused << " refused; " << markers << " markers found), " << k.errors
            << " calls failed after retries\n"
            << "requests at the proxy: " << proxy.requests() << ", forwarded " << proxy.forwarded() << "\n"
            << "faults injected: " << proxy.injected(fault::throttle) << " throttled, "
            << proxy.injected(fault::error500) << " 500, " << proxy.injected(fault::error503) << " 503, "
            << proxy.injected(fault::reset) << " resets, " << proxy.injected(fault::lost_answer) << " lost answers, "
            << proxy.withheld() << " batch writes/keys withheld as unprocessed\n"
            << "RSS (kB, every sample):";
  for (long r : rss) std::cout << " " << r;
  std::cout << "\nverdict: " << (problems.empty() ? "PASS" : "FAIL") << "\n";
  for (auto& p : problems) std::cout << "  " << p << "\n";
  table.delete_table();
  return problems.empty() ? 0 : 1;
}

}  // namespace soak

int main(int argc, char** argv) { return soak::run(argc, argv); }
