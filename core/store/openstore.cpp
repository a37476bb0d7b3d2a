#include "store/openstore.h"

#include "store/memorystore.h"
#include "store/redisstore.h"
#include "store/sqlitestore.h"

namespace proactive {

Result<std::unique_ptr<Store>> openStore(std::string_view spec, const SessionCutoffs& expiry, StoreRetention retention)
{
    constexpr std::string_view kSqlite = "sqlite:";
    if (spec == "memory")
        return std::unique_ptr<Store>(std::make_unique<MemoryStore>(retention));
    if (spec.starts_with(kSqlite) && spec.size() > kSqlite.size()) {
        auto opened = SqliteStore::open(std::string(spec.substr(kSqlite.size())), retention, expiry);
        if (!opened)
            return opened.error();
        return std::unique_ptr<Store>(std::move(opened).value());
    }
    // A password in a URL: RedisEndpoint::parse refuses it without repeating it.
    if (spec.starts_with("redis://") || spec.find('@') != std::string_view::npos) {
        auto opened = RedisStore::open(spec, retention);
        if (!opened)
            return opened.error();
        return std::unique_ptr<Store>(std::move(opened).value());
    }
    return Error { "store.bad_url",
        "\"" + std::string(spec) + "\" names no store: use memory, sqlite:FILE or redis://HOST:PORT[/DB]", "--store" };
}

} // namespace proactive
