// Item encode/decode to and from DynamoDB-JSON, beside simdjson's raw parse of the same bytes.
#include <benchmark/benchmark.h>

#include <simdjson.h>

#include <dynantic/value/codec.hpp>

#include "bench_item.hpp"

namespace {
using namespace dynantic;

constexpr int kItems = 1000;

std::vector<item> items() {
  std::vector<item> v;
  for (int i = 0; i < kItems; ++i) v.push_back(bench::user_item(i));
  return v;
}

std::vector<std::string> texts() {
  std::vector<std::string> v;
  for (const auto& it : items()) v.push_back(codec::write_item(it));
  return v;
}

void BM_encode_user_item(benchmark::State& state) {
  auto in = items();
  std::string out;
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& it : in) {
      out.clear();
      codec::write_item(out, it);
      bytes += out.size();
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kItems);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_encode_user_item);

void BM_decode_user_item(benchmark::State& state) {
  auto in = texts();
  std::size_t bytes = 0;
  for (const auto& t : in) bytes += t.size();
  for (auto _ : state) {
    for (const auto& t : in) {
      item it = codec::read_item(t);
      benchmark::DoNotOptimize(it);
    }
  }
  state.SetItemsProcessed(state.iterations() * kItems);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_decode_user_item);

// The floor: simdjson parsing the same documents into its DOM, no conversion.
void BM_raw_simdjson_parse_user_item(benchmark::State& state) {
  auto in = texts();
  std::size_t bytes = 0;
  for (const auto& t : in) bytes += t.size();
  simdjson::dom::parser parser;
  for (auto _ : state) {
    for (const auto& t : in) {
      simdjson::dom::element e;
      auto err = parser.parse(t).get(e);
      benchmark::DoNotOptimize(err);
    }
  }
  state.SetItemsProcessed(state.iterations() * kItems);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_raw_simdjson_parse_user_item);

}  // namespace
