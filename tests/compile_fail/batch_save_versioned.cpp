// EXPECT: dynantic: BatchWriteItem cannot check versions: a batch put overwrites newer items
#include <dynantic/dynantic.hpp>

struct Account {
  std::string id;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(Account, "accounts", key(id), version(version))

void save(const dynantic::table<Account>& accounts, std::vector<Account> items) {
#if DYNANTIC_FAIL
  accounts.batch_save(items);
#else
  accounts.batch_save(dynantic::ignore_versions, items);
#endif
}
