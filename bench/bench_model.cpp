// Model encode/decode to and from DynamoDB-JSON (the bytes on the wire), beside simdjson's raw parse of the
// same bytes in the same run.
#include <benchmark/benchmark.h>

#include <simdjson.h>

#include <charconv>

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

// Runs decode(text) on each user's DynamoDB-JSON per iteration; reports items and bytes.
template <class Decode>
void run_decode(benchmark::State& state, Decode&& decode) {
  auto in = ddb_texts();
  std::size_t bytes = 0;
  for (const auto& t : in) bytes += t.size();
  for (auto _ : state) {
    for (const auto& t : in) decode(t);
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void BM_model_decode_user_via_item(benchmark::State& state) {
  run_decode(state, [](const std::string& t) {
    BenchUser u = from_item<BenchUser>(codec::read_item(t));
    benchmark::DoNotOptimize(u);
  });
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
  run_decode(state, [](const std::string& t) {
    BenchUser u = from_dynamodb_json<BenchUser>(t);
    benchmark::DoNotOptimize(u);
  });
}
BENCHMARK(BM_model_decode_user_direct);

void BM_raw_simdjson_parse_model_text(benchmark::State& state) {
  simdjson::dom::parser parser;
  run_decode(state, [&](const std::string& t) {
    simdjson::dom::element e;
    auto err = parser.parse(t).get(e);
    benchmark::DoNotOptimize(err);
  });
}
BENCHMARK(BM_raw_simdjson_parse_model_text);

// The floor of decoding this one struct: a decoder written by hand for BenchUser on simdjson's DOM (no model
// description, no validation, no error paths), for comparing the generic decoder's cost above a parse.
int to_int(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}
std::string_view inner(simdjson::dom::element typed) {
  simdjson::dom::object o = typed.get_object().value_unsafe();
  return (*o.begin()).value.get_string().value_unsafe();
}
void decode_by_hand(simdjson::dom::parser& parser, const std::string& text, BenchUser& u) {
  simdjson::dom::object root = parser.parse(text).get_object().value_unsafe();
  for (auto [k, v] : root) {
    if (k == "user_id") u.user_id = inner(v);
    else if (k == "email") u.email = inner(v);
    else if (k == "name") u.name = inner(v);
    else if (k == "age") u.age = to_int(inner(v));
    else if (k == "balance") u.balance = decimal(inner(v));
    else if (k == "active") u.active = (*v.get_object().value_unsafe().begin()).value.get_bool().value_unsafe();
    else if (k == "created_at") u.created_at = *parse_timestamp(inner(v));
    else if (k == "tags") {
      simdjson::dom::array a = (*v.get_object().value_unsafe().begin()).value.get_array().value_unsafe();
      for (auto e : a) u.tags.emplace(e.get_string().value_unsafe());
    } else if (k == "profile") {
      simdjson::dom::object p = (*v.get_object().value_unsafe().begin()).value.get_object().value_unsafe();
      for (auto [pk, pv] : p) {
        if (pk == "bio") u.profile.bio = inner(pv);
        else if (pk == "city") u.profile.city = inner(pv);
        else if (pk == "score") u.profile.score = to_int(inner(pv));
      }
    }
  }
}

void BM_floor_decode_user_by_hand(benchmark::State& state) {
  simdjson::dom::parser parser;
  run_decode(state, [&](const std::string& t) {
    BenchUser u;
    decode_by_hand(parser, t, u);
    benchmark::DoNotOptimize(u);
  });
}
BENCHMARK(BM_floor_decode_user_by_hand);

// What making the decoded struct costs without reading anything: a copy of each user (its strings and set nodes
// allocated and filled). A decoder pays at least this plus a parse.
void BM_floor_copy_user(benchmark::State& state) {
  auto in = users();
  for (auto _ : state) {
    for (const auto& u : in) {
      BenchUser copy = u;
      benchmark::DoNotOptimize(copy);
    }
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
}
BENCHMARK(BM_floor_copy_user);

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
