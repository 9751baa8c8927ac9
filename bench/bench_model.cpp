// Model encode/decode to and from DynamoDB-JSON (the bytes on the wire), beside simdjson's raw parse of the
// same bytes in the same run.
#include <benchmark/benchmark.h>

#include <simdjson.h>

#include "bench_user_model.hpp"

namespace {
using namespace dynantic;
using bench::BenchUser;

constexpr int kUsers = 1000;

std::vector<BenchUser> users() {
  std::vector<BenchUser> v;
  for (int i = 0; i < kUsers; ++i) v.push_back(bench::bench_user(i));
  return v;
}

std::vector<std::string> ddb_texts() {
  std::vector<std::string> v;
  for (const auto& u : users()) v.push_back(codec::write_item(to_item(u)));
  return v;
}

void BM_model_encode_user_via_item(benchmark::State& state) {
  auto in = users();
  std::string out;
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& u : in) {
      out.clear();
      codec::write_item(out, to_item(u));
      bytes += out.size();
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_model_encode_user_via_item);

void BM_model_decode_user_via_item(benchmark::State& state) {
  auto in = ddb_texts();
  std::size_t bytes = 0;
  for (const auto& t : in) bytes += t.size();
  for (auto _ : state) {
    for (const auto& t : in) {
      BenchUser u = from_item<BenchUser>(codec::read_item(t));
      benchmark::DoNotOptimize(u);
    }
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_model_decode_user_via_item);

// The fast path: straight between the model and DynamoDB-JSON text, no item tree.
void BM_model_encode_user_direct(benchmark::State& state) {
  auto in = users();
  std::string out;
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& u : in) {
      out.clear();
      append_dynamodb_json(out, u);
      bytes += out.size();
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_model_encode_user_direct);

void BM_model_decode_user_direct(benchmark::State& state) {
  auto in = ddb_texts();
  std::size_t bytes = 0;
  for (const auto& t : in) bytes += t.size();
  for (auto _ : state) {
    for (const auto& t : in) {
      BenchUser u = from_dynamodb_json<BenchUser>(t);
      benchmark::DoNotOptimize(u);
    }
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_model_decode_user_direct);

void BM_raw_simdjson_parse_model_text(benchmark::State& state) {
  auto in = ddb_texts();
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
  state.SetItemsProcessed(state.iterations() * kUsers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_raw_simdjson_parse_model_text);

}  // namespace

// Exact decimal arithmetic (src/model/types.cpp): typical money values and 38-digit operands.
static void BM_decimal_add(benchmark::State& state) {
  const dynantic::decimal a("1234.56"), b("0.07");
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(BM_decimal_add);

static void BM_decimal_add_38_digits(benchmark::State& state) {
  const dynantic::decimal a("1234567890123456789.0123456789012345678"), b("0.0000000000000000001");
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(BM_decimal_add_38_digits);

static void BM_decimal_multiply(benchmark::State& state) {
  const dynantic::decimal a("19.99"), b("3");
  for (auto _ : state) benchmark::DoNotOptimize(a * b);
}
BENCHMARK(BM_decimal_multiply);

static void BM_decimal_divide(benchmark::State& state) {
  const dynantic::decimal a("100"), b("8");
  for (auto _ : state) benchmark::DoNotOptimize(a / b);
}
BENCHMARK(BM_decimal_divide);
