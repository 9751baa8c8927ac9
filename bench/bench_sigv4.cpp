// The cost of signing one DynamoDB request (canonical request, two SHA-256, one HMAC with the cached key),
// and of building all of a request's headers as the client does.
#include <benchmark/benchmark.h>

#include <dynantic/value/codec.hpp>

#include "bench_item.hpp"
#include "wire/client_impl.hpp"
#include "wire/sigv4.hpp"

namespace {
using namespace dynantic;

void BM_sign_put_item_request(benchmark::State& state) {
  std::string body = R"({"TableName":"users","Item":)" + codec::write_item(bench::user_item(1)) + "}";
  detail::sigv4_signer s("us-east-1", "dynamodb");
  credentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  auto when = std::chrono::system_clock::now();
  for (auto _ : state) {
    detail::signing_request r;
    r.host = "dynamodb.us-east-1.amazonaws.com";
    r.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "DynamoDB_20120810.PutItem"}};
    r.payload = body;
    auto sig = s.sign(r, c, when);
    benchmark::DoNotOptimize(sig.authorization.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_sign_put_item_request);

void BM_sign_batch_write_request_25_items(benchmark::State& state) {
  std::string body = R"({"RequestItems":{"users":[)";
  for (int i = 0; i < 25; ++i) {
    if (i) body += ',';
    body += R"({"PutRequest":{"Item":)" + codec::write_item(bench::user_item(i)) + "}}";
  }
  body += "]}}";
  client_options o;
  o.endpoint = "http://127.0.0.1:8000";
  o.region = "us-east-1";
  o.credentials = credentials{"AK", "SK", ""};
  detail::client_impl impl(o, detail::make_curl_transport(o));
  for (auto _ : state) {
    auto h = impl.signed_headers("BatchWriteItem", body);
    benchmark::DoNotOptimize(h.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_sign_batch_write_request_25_items);

}  // namespace
