#pragma once
// The benchmark model: DESIGN.md's User shape, the same data as the peer harness's item.
#include <cstdio>
#include <set>
#include <string>

#include <dynantic/dynantic.hpp>

namespace dynantic::bench {

struct BenchProfile {
  std::string bio;
  std::string city;
  int score = 0;
};
DYNANTIC_STRUCT(BenchProfile, field(bio), field(city), field(score))

struct BenchUser {
  std::string user_id;
  std::string email;
  std::string name;
  int age = 0;
  decimal balance;
  bool active = false;
  std::set<std::string> tags;
  timestamp created_at{};
  BenchProfile profile;
};
DYNANTIC_MODEL(BenchUser, "bench_users", key(user_id), sort_key(email), field(name), field(age, ge(0)), field(balance),
               field(active), field(tags), field(created_at), field(profile))

inline BenchUser bench_user(int i) {
  char id[32], email[48], balance[32];
  std::snprintf(id, sizeof id, "user-%08d", i);
  std::snprintf(email, sizeof email, "user%08d@example.com", i);
  std::snprintf(balance, sizeof balance, "%d.%02d", i % 100000, i % 100);
  static const char* cities[] = {"Springfield", "Shelbyville", "Ogdenville", "North Haverbrook"};
  BenchUser u;
  u.user_id = id;
  u.email = email;
  u.name = "User " + std::to_string(i);
  u.age = 18 + i % 60;
  u.balance = decimal(balance);
  u.active = i % 2 == 0;
  u.tags = {"tag-a" + std::to_string(i % 5), "tag-b" + std::to_string(i % 7), "tag-c" + std::to_string(i % 11)};
  u.created_at = timestamp{std::chrono::seconds{1700000000 + i}};
  u.profile = {"Benchmark user " + std::to_string(i) + " likes DynamoDB and C++20 object mappers.", cities[i % 4],
               i % 1000};
  return u;
}

}  // namespace dynantic::bench
