#pragma once

#include "base/clock.h"
#include "base/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace proactive {

// Where a Redis server is, from `redis://HOST[:PORT][/DB][?timeout_ms=N&prefix=P&ttl_s=N&history_ttl_s=N]`.
struct RedisEndpoint {
    std::string host = "127.0.0.1";
    int port = 6379;
    int database = 0;
    // How long one round trip (or connecting) may take before the server
    // counts as unavailable. A decision makes up to three, so the connector
    // answers 503 well within 250 ms of the server going quiet.
    Duration timeout = std::chrono::milliseconds(60);
    std::string prefix = "proactive"; // of every key, so that one server can hold several deployments
    // Keys of sessions and conversations expire this long after their last
    // write (refreshed by every write); users' offer histories after
    // historyTtl. The connector's own session retention is shorter: these
    // only bound what a server keeps when no connector sweeps.
    std::chrono::seconds ttl = std::chrono::hours(24 * 30);
    std::chrono::seconds historyTtl = std::chrono::hours(24 * 400);

    // Errors name the URL's part that is wrong: "store.bad_url".
    static Result<RedisEndpoint> parse(std::string_view url);
    std::string url() const; // without the query's defaults
};

// One reply, copied out of hiredis.
struct RedisReply {
    enum class Type : std::uint8_t { Nil, String, Integer, Array, SimpleString, Error };
    Type type = Type::Nil;
    std::string text; // String, SimpleString, Error
    long long integer = 0;
    std::vector<RedisReply> elements; // Array

    bool isNil() const { return type == Type::Nil; }
    bool isError() const { return type == Type::Error; }
};

using RedisCommand = std::vector<std::string>;

// A blocking client for one thread at a time: each call sends a pipeline of
// commands and reads all their replies, one round trip, waiting at most the
// endpoint's timeout for each step. A connection that failed or timed out is
// dropped (a late reply must never be read as the answer to the next call)
// and opened again by the next call.
class RedisClient final {
public:
    explicit RedisClient(RedisEndpoint endpoint);
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;
    ~RedisClient();

    const RedisEndpoint& endpoint() const { return m_endpoint; }

    // The replies in command order; a command's own error is a reply of
    // type Error. The call fails, code "store_unavailable", when the server
    // cannot be reached or does not answer in time. With `mayResend`, a
    // connection the server closed since the last call (a Redis restart)
    // is opened again and the commands sent once more: only for commands
    // that change nothing and rely on no state of the old connection.
    Result<std::vector<RedisReply>> pipeline(std::span<const RedisCommand> commands, bool mayResend = false);
    Result<RedisReply> command(const RedisCommand& command, bool mayResend = false);

    // Round trips made so far (connection setup included): what the
    // benchmark and the tests count per poll.
    std::uint64_t roundTrips() const { return m_roundTrips; }

private:
    Status connect();
    void disconnect();
    Error unavailable(std::string_view what) const;

    RedisEndpoint m_endpoint;
    redisContext* m_context = nullptr;
    std::uint64_t m_roundTrips = 0;
};

} // namespace proactive
