// A DynamoDB stream's Lambda event decoded into typed changes: what a C++ Lambda function (or any consumer of
// the event JSON) does with it. Usage: lambda_event [event.json]; without a file, examples/data/lambda_event.json.
#include <cstdio>
#include <fstream>
#include <sstream>

#include <dynantic/dynantic.hpp>

namespace dy = dynantic;

struct User {
  std::string user_id{};
  std::string name{};
  dy::decimal balance{};
  std::set<std::string> tags{};
};
DYNANTIC_MODEL(User, "users", key(user_id), field(name), field(balance, ge(0)), field(tags))

// The function body: one event in, the changes of the users table handled.
void handle(const std::string& event) {
  for (const dy::change<User>& c : dy::decode_changes<User>(event)) {  // other tables' records are skipped
    switch (c.kind) {
      case dy::change_kind::insert:
        std::printf("new user %s (%s), balance %s\n", c.key.c_str(), c.new_image->name.c_str(),
                    c.new_image->balance.text().c_str());
        break;
      case dy::change_kind::modify:
        std::printf("user %s: balance %s -> %s, %zu -> %zu tags\n", c.key.c_str(), c.old_image->balance.text().c_str(),
                    c.new_image->balance.text().c_str(), c.old_image->tags.size(), c.new_image->tags.size());
        break;
      case dy::change_kind::remove:
        std::printf("user %s removed%s at %s\n", c.key.c_str(), c.record.by_ttl ? " by TTL" : "",
                    dy::format_timestamp(*c.record.approximate_creation).c_str());
        break;
    }
  }
}

int main(int argc, char** argv) try {
  const char* path = argc > 1 ? argv[1] : DYNANTIC_EXAMPLE_DATA "/lambda_event.json";
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    return 1;
  }
  std::stringstream event;
  event << in.rdbuf();
  handle(event.str());
  return 0;
} catch (const dy::error& e) {
  std::fprintf(stderr, "lambda_event: %s\n", e.what());
  return 1;
}
