#pragma once
// Shared by the fuzz targets: a property check that aborts (so libFuzzer keeps the input), and the input as text.
// Each target defines LLVMFuzzerTestOneInput; built with clang's -fsanitize=fuzzer by scripts/fuzz, and with
// replay_main.cpp under GCC by the normal build (ctest fuzz_replay.*: every file of fuzz/corpus/<target>).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                     \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

inline std::string_view fuzz_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
