// The cost of building and rendering a typed condition with five terms.
#include <benchmark/benchmark.h>

#include "bench_user_model.hpp"

namespace {
using namespace dynantic;
using bench::BenchUser;

void BM_render_condition_5_terms(benchmark::State& state) {
  for (auto _ : state) {
    auto c = attr(&BenchUser::age) >= 18 && attr(&BenchUser::active) == true &&
             attr(&BenchUser::name).begins_with("User") && attr(&BenchUser::tags).contains("tag-a1") &&
             attr(&BenchUser::balance).between(0, 1000);
    render_context ctx;
    std::string text = c.render(ctx);
    benchmark::DoNotOptimize(text.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_render_condition_5_terms);

}  // namespace
