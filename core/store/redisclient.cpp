#include "store/redisclient.h"

#include <cerrno>
#include <charconv>
#include <hiredis/hiredis.h>
#include <sys/time.h>

namespace proactive {

namespace {

    timeval timevalOf(Duration duration)
    {
        const auto ms = duration.count();
        return { static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000) };
    }

    RedisReply copyOf(const redisReply& reply)
    {
        RedisReply copy;
        switch (reply.type) {
        case REDIS_REPLY_STRING:
            copy.type = RedisReply::Type::String;
            copy.text.assign(reply.str, reply.len);
            break;
        case REDIS_REPLY_STATUS:
            copy.type = RedisReply::Type::SimpleString;
            copy.text.assign(reply.str, reply.len);
            break;
        case REDIS_REPLY_ERROR:
            copy.type = RedisReply::Type::Error;
            copy.text.assign(reply.str, reply.len);
            break;
        case REDIS_REPLY_INTEGER:
            copy.type = RedisReply::Type::Integer;
            copy.integer = reply.integer;
            break;
        case REDIS_REPLY_ARRAY:
            copy.type = RedisReply::Type::Array;
            copy.elements.reserve(reply.elements);
            for (std::size_t i = 0; i < reply.elements; ++i)
                copy.elements.push_back(copyOf(*reply.element[i]));
            break;
        default:
            break;
        }
        return copy;
    }

    template<typename Number> bool parseNumber(std::string_view text, Number& out)
    {
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
        return error == std::errc() && end == text.data() + text.size();
    }

    Error badUrl(std::string_view url, const std::string& why)
    {
        return { "store.bad_url", "\"" + std::string(url) + "\": " + why, "--store" };
    }

} // namespace

Result<RedisEndpoint> RedisEndpoint::parse(std::string_view url)
{
    // Checked first, and the URL not repeated: it holds a password.
    if (url.find('@') != std::string_view::npos)
        return Error { "store.bad_url",
            "a password does not belong in the store's URL (it would show in process lists and logs); protect "
            "Redis by binding it to a private network",
            "--store" };
    constexpr std::string_view kScheme = "redis://";
    if (!url.starts_with(kScheme))
        return badUrl(url, "a Redis store's URL starts with redis://");
    RedisEndpoint endpoint;
    std::string_view rest = url.substr(kScheme.size());
    std::string_view query;
    if (const auto mark = rest.find('?'); mark != std::string_view::npos) {
        query = rest.substr(mark + 1);
        rest = rest.substr(0, mark);
    }
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        const std::string_view database = rest.substr(slash + 1);
        if (!database.empty()
            && (!parseNumber(database, endpoint.database) || endpoint.database < 0 || endpoint.database > 15))
            return badUrl(url, "the database after / is a number from 0 to 15");
        rest = rest.substr(0, slash);
    }
    // HOST[:PORT], the host of an IPv6 address in brackets.
    std::string_view port;
    if (rest.starts_with('[')) {
        const auto close = rest.find(']');
        if (close == std::string_view::npos)
            return badUrl(url, "an IPv6 address in brackets ends with ]");
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':')
                return badUrl(url, "the IPv6 address in brackets is followed by :PORT or nothing");
            port = rest.substr(close + 2);
        }
        rest = rest.substr(1, close - 1);
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        port = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
    }
    if (!port.empty() && (!parseNumber(port, endpoint.port) || endpoint.port < 1 || endpoint.port > 65535))
        return badUrl(url, "the port is a number from 1 to 65535");
    if (!rest.empty())
        endpoint.host = std::string(rest);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const auto equals = pair.find('=');
        const std::string_view name = pair.substr(0, equals);
        const std::string_view value = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
        std::int64_t number = 0;
        if (name == "prefix") {
            if (value.empty() || value.find_first_of(": ") != std::string_view::npos)
                return badUrl(url, "prefix is a word without ':' or spaces");
            endpoint.prefix = std::string(value);
        } else if (name == "timeout_ms" || name == "ttl_s" || name == "history_ttl_s") {
            if (!parseNumber(value, number) || number <= 0)
                return badUrl(url, std::string(name) + " is a positive number");
            if (name == "timeout_ms")
                endpoint.timeout = std::chrono::milliseconds(number);
            else if (name == "ttl_s")
                endpoint.ttl = std::chrono::seconds(number);
            else
                endpoint.historyTtl = std::chrono::seconds(number);
        } else {
            return badUrl(
                url, "unknown option \"" + std::string(name) + "\" (known: timeout_ms, prefix, ttl_s, history_ttl_s)");
        }
    }
    return endpoint;
}

std::string RedisEndpoint::url() const
{
    const bool ipv6 = host.find(':') != std::string::npos;
    return "redis://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + std::to_string(database);
}

RedisClient::RedisClient(RedisEndpoint endpoint)
    : m_endpoint(std::move(endpoint))
{ }

RedisClient::~RedisClient()
{
    disconnect();
}

Error RedisClient::unavailable(std::string_view what) const
{
    return { "store_unavailable", "Redis at " + m_endpoint.url() + ": " + std::string(what), "store" };
}

void RedisClient::disconnect()
{
    if (m_context) {
        redisFree(m_context);
        m_context = nullptr;
    }
}

Status RedisClient::connect()
{
    const timeval timeout = timevalOf(m_endpoint.timeout);
    m_context = redisConnectWithTimeout(m_endpoint.host.c_str(), m_endpoint.port, timeout);
    if (!m_context || m_context->err) {
        const std::string why = m_context ? m_context->errstr : "out of memory";
        disconnect();
        return unavailable("cannot connect: " + why);
    }
    if (redisSetTimeout(m_context, timeout) != REDIS_OK || redisEnableKeepAlive(m_context) != REDIS_OK) {
        const std::string why = m_context->errstr;
        disconnect();
        return unavailable("cannot set up the connection: " + why);
    }
    if (m_endpoint.database != 0) {
        ++m_roundTrips;
        auto* reply = static_cast<redisReply*>(redisCommand(m_context, "SELECT %d", m_endpoint.database));
        const bool selected = reply && reply->type == REDIS_REPLY_STATUS;
        const std::string why = reply && reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, reply->len)
                                                                          : std::string(m_context->errstr);
        if (reply)
            freeReplyObject(reply);
        if (!selected) {
            disconnect();
            return unavailable("cannot select database " + std::to_string(m_endpoint.database) + ": " + why);
        }
    }
    return Ok {};
}

Result<std::vector<RedisReply>> RedisClient::pipeline(std::span<const RedisCommand> commands, bool mayResend)
{
    const bool reused = m_context != nullptr;
    if (!m_context)
        if (auto connected = connect(); !connected)
            return connected.error();
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const RedisCommand& command : commands) {
        argv.clear();
        lengths.clear();
        for (const std::string& part : command) {
            argv.push_back(part.data());
            lengths.push_back(part.size());
        }
        if (redisAppendCommandArgv(m_context, static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
            const std::string why = m_context->errstr;
            disconnect();
            return unavailable(why);
        }
    }
    ++m_roundTrips;
    std::vector<RedisReply> replies;
    replies.reserve(commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(m_context, &raw) != REDIS_OK || !raw) {
            const int error = errno;
            const bool closed = m_context->err == REDIS_ERR_EOF
                || (m_context->err == REDIS_ERR_IO && (error == ECONNRESET || error == EPIPE));
            const bool timedOut = m_context->err == REDIS_ERR_IO && (error == EAGAIN || error == EWOULDBLOCK);
            const std::string why = timedOut
                ? "no answer within " + std::to_string(m_endpoint.timeout.count()) + " ms"
                : std::string(m_context->errstr[0] ? m_context->errstr : "connection lost");
            disconnect();
            // Closed before it answered anything: a server that restarted
            // since this connection's last use never saw these commands.
            if (closed && reused && mayResend && i == 0)
                return pipeline(commands, false);
            return unavailable(why);
        }
        auto* reply = static_cast<redisReply*>(raw);
        replies.push_back(copyOf(*reply));
        freeReplyObject(reply);
    }
    return replies;
}

Result<RedisReply> RedisClient::command(const RedisCommand& command, bool mayResend)
{
    auto replies = pipeline(std::span(&command, 1), mayResend);
    if (!replies)
        return replies.error();
    return std::move(replies->front());
}

} // namespace proactive
