// What credential sources answer and what users write: the shared config/credentials files, a credential_process's
// output, the container endpoint's and instance metadata's JSON, STS's XML. The first byte picks the parser. Parsed
// credentials always have both keys; a bad answer is a credentials_error; a parsed file parses the same again
// after being written back out.
#include <dynantic/error.hpp>

#include "fuzz.hpp"
#include "wire/credentials.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dy = dynantic;
  if (size < 1) return 0;
  std::string text(fuzz_text(data + 1, size - 1));
  switch (data[0] % 4) {
    case 0: {
      auto file = dy::detail::parse_ini(text);
      std::string out;
      for (const auto& [section, values] : file) {
        FUZZ_CHECK(!section.empty() && section.find('\n') == std::string::npos);
        out += "[" + section + "]\n";
        for (const auto& [k, v] : values) {
          if (k.empty() || k.find('\n') != std::string::npos || v.find('\n') != std::string::npos) {
            std::fprintf(stderr, "section [%s] key '%s' value '%s'\n", section.c_str(), k.c_str(), v.c_str());
          }
          FUZZ_CHECK(!k.empty() && k.find('\n') == std::string::npos && v.find('\n') == std::string::npos);
          out += k + " = " + v + "\n";
        }
      }
      FUZZ_CHECK(dy::detail::parse_ini(out) == file);
      return 0;
    }
    default: {
      try {
        dy::credentials c = data[0] % 4 == 1   ? dy::detail::parse_process_output(text, "process")
                            : data[0] % 4 == 2 ? dy::detail::credentials_from_json(text, "Token", "container")
                                               : dy::detail::parse_sts_answer(text, "STS");
        FUZZ_CHECK(!c.access_key_id.empty() && !c.secret_access_key.empty());
      } catch (const dy::credentials_error&) {
      }
      return 0;
    }
  }
}
