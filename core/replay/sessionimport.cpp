#include "replay/sessionimport.h"

#include "base/jsonreader.h"
#include "intake/canonicalurl.h"
#include "intake/jsontape.h"
#include "intake/posthogintake.h"
#include "replay/csvreader.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <span>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace proactive {

std::string ImportDiagnostic::toString() const
{
    std::string out = file;
    if (line > 0)
        out += ":" + std::to_string(line);
    return out + ": " + code + ": " + message;
}

namespace {

    constexpr std::uint64_t kProgressStep = 64 * 1024;
    constexpr std::size_t kStopCheckEvery = 256;
    // How much of a file that cannot be mapped (a pipe) is read at a time.
    constexpr std::size_t kReadBlockBytes = 8 * 1024 * 1024;
    // An inflated export may be large, but not without bound.
    constexpr std::size_t kMaxInflatedBytes = std::size_t(4) * 1024 * 1024 * 1024 - 1;

    // A file's bytes: mapped when it is a regular file (no copy, no buffer
    // to fault in and fill), else read to its end (a pipe).
    class FileBytes final {
    public:
        static Result<FileBytes> open(const std::filesystem::path& path)
        {
            const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                return Error { "unreadable_file", std::strerror(errno), path.string() };
            FileBytes bytes;
            struct stat status {};
            if (::fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_size > 0) {
                const auto size = static_cast<std::size_t>(status.st_size);
                void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
                if (mapped != MAP_FAILED) {
                    ::madvise(mapped, size, MADV_SEQUENTIAL);
                    bytes.m_mapped = { static_cast<const char*>(mapped), size };
                    ::close(fd);
                    return bytes;
                }
            }
            for (;;) {
                const std::size_t filled = bytes.m_read.size();
                bytes.m_read.resize(filled + kReadBlockBytes);
                const ssize_t n = ::read(fd, bytes.m_read.data() + filled, kReadBlockBytes);
                if (n < 0 && errno == EINTR) {
                    bytes.m_read.resize(filled);
                    continue;
                }
                bytes.m_read.resize(filled + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
                if (n <= 0) {
                    const int error = errno;
                    ::close(fd);
                    if (n < 0)
                        return Error { "unreadable_file", std::strerror(error), path.string() };
                    return bytes;
                }
            }
        }

        FileBytes() = default;
        FileBytes(FileBytes&& other) noexcept
            : m_mapped(std::exchange(other.m_mapped, {}))
            , m_read(std::move(other.m_read))
        { }
        FileBytes& operator=(FileBytes&&) = delete;
        ~FileBytes()
        {
            if (!m_mapped.empty())
                ::munmap(const_cast<char*>(m_mapped.data()), m_mapped.size());
        }

        std::string_view text() const { return m_mapped.empty() ? std::string_view(m_read) : m_mapped; }

    private:
        std::string_view m_mapped;
        std::string m_read;
    };

    bool sameUser(const RecordedIdentity& a, const RecordedIdentity& b)
    {
        return std::tie(a.distinctId, a.email, a.emailOnce, a.linkedDistinctId)
            == std::tie(b.distinctId, b.email, b.emailOnce, b.linkedDistinctId);
    }

    // One session's actions as they are taken: finalised and interned at
    // once, so that an import never holds whole Actions, with an identity per
    // change (`from` counts actions in the order taken).
    struct SessionActions {
        std::vector<ActionRecord> records;
        std::vector<RecordedIdentity> identities;

        // Finalised: its canonical URL set with the product's routes (the
        // only part a record keeps; RecordedSession::action derives the
        // wording).
        void take(const Action& action, ActionInterner& interner)
        {
            if (identities.empty() || !identities.back().sameAs(action))
                identities.push_back(
                    { records.size(), action.distinctId, action.email, action.emailOnce, action.linkedDistinctId });
            records.push_back(interner.record(action));
        }
    };

    // An event's uuid as duplicates are told by. A canonical UUID (36
    // characters, lowercase hex digits and hyphens at 8-4-4-4-12: what
    // PostHog writes) as its 128 bits, one to one with its text and nothing
    // to allocate per event; any other uuid as its text.
    struct EventUuid {
        enum class Kind : std::uint8_t { None, Bits, Text };
        Kind kind = Kind::None;
        std::uint64_t high = 0;
        std::uint64_t low = 0; // Text: the index of the text in its piece's uuidTexts
    };

    bool canonicalUuidBits(std::string_view text, std::uint64_t& high, std::uint64_t& low)
    {
        if (text.size() != 36)
            return false;
        std::uint64_t words[2] = { 0, 0 };
        std::size_t digits = 0;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-')
                    return false;
                continue;
            }
            unsigned value = 0;
            if (c >= '0' && c <= '9')
                value = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                value = static_cast<unsigned>(c - 'a' + 10);
            else
                return false;
            std::uint64_t& word = words[digits++ / 16];
            word = word << 4 | value;
        }
        high = words[0];
        low = words[1];
        return true;
    }

    // The actions of one session read from one stretch of the input (a chunk
    // of a JSON lines file on the thread that read it, or a whole file), in
    // input order, with the uuid of each: duplicates are dropped once the
    // session's pieces are joined.
    struct SessionPiece {
        const Product* product = nullptr;
        std::string sessionId;
        SessionActions actions; // identities `from` the piece's first action
        std::vector<EventUuid> uuids; // one per record
        std::vector<std::string> uuidTexts; // the uuids that are no canonical UUID

        void takeUuid(const std::string& uuid)
        {
            EventUuid& key = uuids.emplace_back();
            if (uuid.empty())
                return;
            if (canonicalUuidBits(uuid, key.high, key.low)) {
                key.kind = EventUuid::Kind::Bits;
                return;
            }
            key.kind = EventUuid::Kind::Text;
            key.low = uuidTexts.size();
            uuidTexts.push_back(uuid);
        }
    };

    // Which product an event goes to: the one the options name (none when
    // the workspace has no such product), else the one whose PostHog token
    // the event carries, else the workspace's only product.
    class ProductChoice final {
    public:
        ProductChoice(const Workspace& workspace, const std::string& productId)
            : m_workspace(workspace)
            , m_explicit(!productId.empty())
            , m_explicitProduct(m_explicit ? workspace.product(productId) : nullptr)
        { }

        const Product* productFor(const IntakeEvent& event) const
        {
            if (m_explicit)
                return m_explicitProduct;
            if (const Product* product = m_workspace.productByToken(event.token))
                return product;
            return m_workspace.products().size() == 1 ? &m_workspace.products().front() : nullptr;
        }

    private:
        const Workspace& m_workspace;
        bool m_explicit;
        const Product* m_explicitProduct;
    };

    // Events of a token no product has, counted to be reported once a file.
    struct Unassigned {
        std::size_t count = 0;
        std::size_t firstLine = 0;
    };

    // The canonical URLs of the raw URLs seen last, of one product at a time:
    // sessions visit a few pages many times, and canonicalUrl parses a URL.
    class CanonicalUrls final {
    public:
        const std::string& of(const std::string& rawUrl, const Product& product)
        {
            if (&product != m_product || m_byRawUrl.size() >= kMaxUrls) {
                m_byRawUrl.clear();
                m_product = &product;
            }
            auto it = m_byRawUrl.find(rawUrl);
            if (it == m_byRawUrl.end())
                it = m_byRawUrl.emplace(rawUrl, canonicalUrl(rawUrl, product.routes)).first;
            return it->second;
        }

    private:
        static constexpr std::size_t kMaxUrls = 4096;
        const Product* m_product = nullptr;
        std::unordered_map<std::string, std::string> m_byRawUrl;
    };

    // A session's key in the maps of an import: product id, '\0', session id.
    std::string sessionKey(const Product& product, std::string_view sessionId)
    {
        std::string key = product.id;
        key += '\0';
        key += sessionId;
        return key;
    }

    // Sessions pieced together from the events of one stretch of the input,
    // on the thread that reads it: each event finalised and interned with
    // that thread's interner as it is taken, so that what another thread
    // gets is pieces of ready records, never events.
    class SessionPieces final {
    public:
        explicit SessionPieces(const ProductChoice& products)
            : m_products(&products)
        { }

        std::vector<SessionPiece> pieces; // sessions in the order first seen
        std::map<std::string, Unassigned> unassigned; // by token, "" = none; lines of the stretch
        std::size_t ignored = 0; // PostHog's own `$` events

        void take(IntakeEvent& event, std::size_t line, ActionInterner& interner)
        {
            Action& action = event.action;
            if (isBookkeepingEvent(action)) {
                ++ignored;
                return;
            }
            const Product* product = m_products->productFor(event);
            if (!product) {
                auto& entry = unassigned[event.token];
                if (entry.count++ == 0)
                    entry.firstLine = line;
                return;
            }
            SessionPiece& piece = pieceOf(*product, action.sessionId);
            piece.takeUuid(action.uuid);
            action.canonicalUrl = m_canonicalUrls.of(action.rawUrl, *product);
            piece.actions.take(action, interner);
        }

    private:
        SessionPiece& pieceOf(const Product& product, const std::string& sessionId)
        {
            // A session's events mostly come one after the other.
            if (m_last < pieces.size() && pieces[m_last].product == &product && pieces[m_last].sessionId == sessionId)
                return pieces[m_last];
            const auto [it, isNew] = m_byKey.try_emplace(sessionKey(product, sessionId), pieces.size());
            if (isNew)
                pieces.push_back({ &product, sessionId, {}, {}, {} });
            m_last = it->second;
            return pieces[m_last];
        }

        const ProductChoice* m_products;
        CanonicalUrls m_canonicalUrls;
        std::unordered_map<std::string, std::size_t> m_byKey; // by sessionKey → piece
        std::size_t m_last = std::numeric_limits<std::size_t>::max();
    };

    // One session of an import as its pieces arrive, in input order.
    struct SessionBuilder {
        std::string productId;
        std::string sessionId;
        std::vector<SessionPiece> pieces;
    };

    // Which actions of the pieces (counted across them in order) repeat the
    // uuid of an earlier one; empty when none does.
    std::vector<bool> duplicatesIn(const std::vector<SessionPiece>& pieces, std::size_t& duplicates)
    {
        struct Seen {
            const EventUuid* uuid;
            const std::string* text;
            std::size_t index;
        };
        std::vector<Seen> seen;
        std::size_t index = 0;
        for (const SessionPiece& piece : pieces)
            for (const EventUuid& uuid : piece.uuids) {
                if (uuid.kind != EventUuid::Kind::None)
                    seen.push_back({ &uuid, uuid.kind == EventUuid::Kind::Text ? &piece.uuidTexts[uuid.low] : nullptr,
                        index });
                ++index;
            }
        const auto sameUuid = [](const Seen& a, const Seen& b) {
            if (a.uuid->kind != b.uuid->kind)
                return false;
            return a.text ? *a.text == *b.text : a.uuid->high == b.uuid->high && a.uuid->low == b.uuid->low;
        };
        const auto before = [](const Seen& a, const Seen& b) {
            if (a.uuid->kind != b.uuid->kind)
                return a.uuid->kind < b.uuid->kind;
            if (a.text && *a.text != *b.text)
                return *a.text < *b.text;
            if (!a.text && (a.uuid->high != b.uuid->high || a.uuid->low != b.uuid->low))
                return std::tie(a.uuid->high, a.uuid->low) < std::tie(b.uuid->high, b.uuid->low);
            return a.index < b.index;
        };
        std::sort(seen.begin(), seen.end(), before);
        std::vector<bool> duplicate;
        for (std::size_t i = 1; i < seen.size(); ++i) {
            if (!sameUuid(seen[i - 1], seen[i]))
                continue;
            if (duplicate.empty())
                duplicate.resize(index);
            duplicate[seen[i].index] = true;
            ++duplicates;
        }
        return duplicate;
    }

    // The session's actions in input order, but for those whose uuid an
    // earlier action of the session had (pages of an export overlap): what
    // one reader taking the events one by one would have kept, identities
    // included. Adds the actions dropped to `duplicates`.
    SessionActions joinPieces(std::vector<SessionPiece>& pieces, std::size_t& duplicates)
    {
        const std::vector<bool> duplicate = duplicatesIn(pieces, duplicates);
        if (pieces.size() == 1 && duplicate.empty())
            return std::move(pieces.front().actions);
        SessionActions joined;
        std::size_t total = 0;
        for (const SessionPiece& piece : pieces)
            total += piece.actions.records.size();
        joined.records.reserve(total);
        std::size_t index = 0;
        for (SessionPiece& piece : pieces) {
            const std::vector<RecordedIdentity>& identities = piece.actions.identities;
            std::size_t identity = 0;
            for (std::size_t i = 0; i < piece.actions.records.size(); ++i, ++index) {
                while (identity + 1 < identities.size() && identities[identity + 1].from <= i)
                    ++identity;
                if (!duplicate.empty() && duplicate[index])
                    continue;
                if (joined.identities.empty() || !sameUser(joined.identities.back(), identities[identity])) {
                    joined.identities.push_back(identities[identity]);
                    joined.identities.back().from = joined.records.size();
                }
                joined.records.push_back(std::move(piece.actions.records[i]));
            }
        }
        return joined;
    }

    // Calls work(i) for every i below count on `threads` threads, this one among them.
    template<typename Work> void forEachIndex(std::size_t count, unsigned threads, const Work& work)
    {
        std::atomic<std::size_t> next { 0 };
        const auto run = [&] {
            for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1))
                work(i);
        };
        std::vector<std::jthread> helpers;
        for (std::size_t t = 1; t < std::min<std::size_t>(threads, count); ++t)
            helpers.emplace_back(run);
        run();
    }

    // Orders the records by time (ties keep their order), each taking its
    // identity along. Exports are mostly in time order already: then nothing moves.
    void orderByTime(SessionActions& actions)
    {
        std::vector<ActionRecord>& records = actions.records;
        const auto earlier
            = [](const ActionRecord& a, const ActionRecord& b) { return a.timestampStart < b.timestampStart; };
        if (std::is_sorted(records.begin(), records.end(), earlier))
            return;
        const std::vector<RecordedIdentity>& identities = actions.identities;
        std::vector<std::size_t> identityOf(records.size());
        for (std::size_t k = 0; k < identities.size(); ++k) {
            const std::size_t until = k + 1 < identities.size() ? identities[k + 1].from : records.size();
            std::fill(identityOf.begin() + static_cast<std::ptrdiff_t>(identities[k].from),
                identityOf.begin() + static_cast<std::ptrdiff_t>(until), k);
        }
        std::vector<std::size_t> order(records.size());
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::stable_sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return records[a].timestampStart < records[b].timestampStart; });
        SessionActions sorted;
        sorted.records.reserve(records.size());
        for (const std::size_t i : order) {
            const RecordedIdentity& identity = identities[identityOf[i]];
            if (sorted.identities.empty() || !sameUser(sorted.identities.back(), identity)) {
                sorted.identities.push_back(identity);
                sorted.identities.back().from = sorted.records.size();
            }
            sorted.records.push_back(std::move(records[i]));
        }
        actions = std::move(sorted);
    }

    // The recorded session of actions taken (finalised and interned) in any order.
    RecordedSession recordedSession(std::string productId, std::string sessionId, SessionActions actions,
        std::shared_ptr<const std::vector<std::string>> routes)
    {
        orderByTime(actions);
        RecordedSession session;
        session.routes = std::move(routes);
        SessionSummary& summary = session.summary;
        summary.productId = std::move(productId);
        summary.sessionId = std::move(sessionId);
        std::vector<ActionRecord>& records = actions.records;
        std::unordered_set<std::string_view> seenPages;
        for (std::size_t i = 0; i < records.size(); ++i) {
            ActionRecord& record = records[i];
            record.index = static_cast<std::int64_t>(i);
            record.timestampEnd = i + 1 < records.size() ? records[i + 1].timestampStart : record.timestampStart;
            if (record.type == ActionType::Pageview)
                ++summary.pageviews;
            if (!record.canonicalUrl.empty() && seenPages.insert(std::string_view(record.canonicalUrl)).second)
                summary.pages.push_back(record.canonicalUrl.get());
        }
        for (const RecordedIdentity& identity : actions.identities) {
            if (!identity.distinctId.empty())
                summary.distinctId = identity.distinctId;
            if (!identity.email.empty())
                summary.email = identity.email;
        }
        summary.actionCount = records.size();
        if (!records.empty()) {
            summary.start = records.front().timestampStart;
            summary.end = records.back().timestampStart;
            summary.duration = summary.end - summary.start;
        }
        session.actions = std::move(records);
        session.identities = std::move(actions.identities);
        return session;
    }

    bool endsWithIgnoreCase(std::string_view text, std::string_view suffix)
    {
        if (text.size() < suffix.size())
            return false;
        return std::equal(suffix.begin(), suffix.end(), text.end() - static_cast<std::ptrdiff_t>(suffix.size()),
            [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b); });
    }

    std::string_view stripGz(std::string_view name)
    {
        return endsWithIgnoreCase(name, ".gz") ? name.substr(0, name.size() - 3) : name;
    }

    bool isSpace(char c)
    {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    // One past the end of the JSON object or array that starts at `from`, by
    // bracket depth outside strings; npos when the text (or, withinLine, the
    // line) ends first. Whether it is valid JSON is the parser's business.
    std::size_t containerEnd(std::string_view text, std::size_t from, bool withinLine)
    {
        int depth = 0;
        bool inString = false;
        for (std::size_t i = from; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '\n' && withinLine)
                return std::string_view::npos;
            if (inString) {
                if (c == '\\')
                    ++i;
                else if (c == '"')
                    inString = false;
                continue;
            }
            if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return std::string_view::npos;
    }

    // JSON lines (one document per line) or documents spread over lines
    // (pretty-printed pages, one after the other)? Lines when most of the
    // first non-blank lines hold a whole document each.
    bool looksLikeJsonLines(std::string_view text)
    {
        int examined = 0;
        int whole = 0;
        std::size_t pos = 0;
        while (pos < text.size() && examined < 10) {
            auto end = text.find('\n', pos);
            if (end == std::string_view::npos)
                end = text.size();
            std::size_t first = pos;
            while (first < end && isSpace(text[first]))
                ++first;
            if (first < end) {
                ++examined;
                if (text[first] == '{' || text[first] == '[') {
                    const auto close = containerEnd(text, first, true);
                    if (close != std::string_view::npos
                        && std::all_of(text.begin() + static_cast<std::ptrdiff_t>(close),
                            text.begin() + static_cast<std::ptrdiff_t>(end), isSpace))
                        ++whole;
                }
            }
            pos = end + 1;
        }
        return whole > 0 && whole * 2 >= examined;
    }

    // Lines of values inside one document, counted forward as its values
    // are visited in order.
    class LineCounter {
    public:
        LineCounter(std::string_view document, std::size_t firstLine)
            : m_document(document)
            , m_line(firstLine)
            , m_pos(document.data())
        { }

        std::size_t at(const char* p)
        {
            if (p < m_document.data() || p > m_document.data() + m_document.size())
                return m_line;
            if (p < m_pos) {
                m_line -= static_cast<std::size_t>(std::count(p, m_pos, '\n'));
            } else {
                m_line += static_cast<std::size_t>(std::count(m_pos, p, '\n'));
            }
            m_pos = p;
            return m_line;
        }
        std::size_t of(JsonValue value) { return at(value.raw().data()); }

    private:
        std::string_view m_document;
        std::size_t m_line;
        const char* m_pos;
    };

    // The JSON tape reports "… at byte N"; the line of byte N reads better.
    std::size_t lineOfParseError(std::string_view document, std::size_t firstLine, const std::string& message)
    {
        const auto at = message.rfind(" at byte ");
        if (at == std::string::npos)
            return firstLine;
        std::size_t byte = 0;
        const char* begin = message.data() + at + 9;
        const auto [ptr, ec] = std::from_chars(begin, message.data() + message.size(), byte);
        if (ec != std::errc() || byte > document.size())
            return firstLine;
        return firstLine + static_cast<std::size_t>(std::count(document.begin(), document.begin() + byte, '\n'));
    }

    std::string_view columnName(std::string_view name)
    {
        while (!name.empty() && name.front() == ' ')
            name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ')
            name.remove_suffix(1);
        // EventsQuery exports flatten the `*` column: "*.event", "*.properties.$current_url".
        if (name.starts_with("*."))
            name.remove_prefix(2);
        return name;
    }

    bool isBlankValue(const nlohmann::json& value)
    {
        return value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty());
    }

    std::optional<nlohmann::json> objectFrom(const nlohmann::json& value)
    {
        if (value.is_object())
            return value;
        if (!value.is_string())
            return std::nullopt;
        auto parsed = parseJsonText(value.get_ref<const std::string&>());
        if (parsed.is_discarded() || !parsed.is_object())
            return std::nullopt;
        return parsed;
    }

    // A row of a tabular export (CSV columns, or a HogQL result row) as the
    // event object the intake reads. PostHog flattens nested columns with
    // dots ("properties.$current_url", "person.properties.email"); whole
    // objects come as JSON text ("properties" in the events API layout).
    std::optional<nlohmann::json> eventFromColumns(
        const std::vector<std::string>& names, const std::vector<nlohmann::json>& values, std::string& error)
    {
        nlohmann::json event = nlohmann::json::object();
        nlohmann::json properties = nlohmann::json::object();
        nlohmann::json person = nlohmann::json::object();
        auto scalarText
            = [](const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); };
        for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
            const std::string_view name = columnName(names[i]);
            const nlohmann::json& value = values[i];
            if (name == "*" && value.is_object()) {
                for (const auto& [key, member] : value.items()) {
                    if (key == "properties" && member.is_object())
                        properties.update(member);
                    else if (key == "properties")
                        continue;
                    else
                        event[key] = member;
                }
                continue;
            }
            if (isBlankValue(value))
                continue;
            if (name == "event" || name == "timestamp" || name == "elements_chain") {
                event[std::string(name)] = scalarText(value);
            } else if (name == "uuid" || name == "id") {
                event["uuid"] = scalarText(value);
            } else if (name == "distinct_id") {
                event["distinct_id"] = scalarText(value);
            } else if (name == "$session_id" || name == "session_id") {
                properties["$session_id"] = scalarText(value);
            } else if (name == "properties") {
                auto object = objectFrom(value);
                if (!object) {
                    error = "the properties column is not a JSON object";
                    return std::nullopt;
                }
                properties.update(*object);
            } else if (name.starts_with("properties.")) {
                const std::string key(name.substr(11));
                // `$set` is the one nested object the intake reads from properties (the email).
                if (key.starts_with("$set.") && key.size() > 5)
                    properties["$set"][key.substr(5)] = value;
                else
                    properties[key] = value;
            } else if (name == "person") {
                if (auto object = objectFrom(value))
                    person.update(*object);
            } else if (name.starts_with("person.properties.")) {
                person["properties"][std::string(name.substr(18))] = value;
            }
        }
        if (!properties.empty())
            event["properties"] = std::move(properties);
        if (!person.empty())
            event["person"] = std::move(person);
        return event;
    }

    // Where an ExportReader puts what it read, in file order: events with
    // their line, rows or events it could not read, problems with the whole
    // file, and how far it got.
    class ReadSink {
    public:
        virtual ~ReadSink() = default;
        virtual void took(IntakeEvent& event, std::size_t line) = 0;
        virtual void rejected(std::size_t line, std::string code, std::string message) = 0;
        virtual void problem(std::size_t line, std::string code, std::string message) = 0;
        virtual void reached(std::uint64_t offset) = 0;
        virtual bool stopped() = 0;
    };

    // Reads the documents, rows and lines of one text with the connector's
    // intake into a sink. One per thread (it reuses its parse buffers).
    class ExportReader final {
    public:
        explicit ExportReader(ReadSink& sink)
            : m_sink(sink)
        { }

        // Every line a document (blank lines skipped), numbered from 1;
        // returns the number of lines read.
        std::size_t readJsonLines(std::string_view text)
        {
            std::size_t pos = 0;
            std::size_t line = 0;
            while (pos < text.size() && !m_sink.stopped()) {
                ++line;
                auto end = text.find('\n', pos);
                if (end == std::string_view::npos)
                    end = text.size();
                const auto content = text.substr(pos, end - pos);
                pos = end + 1;
                if (std::all_of(content.begin(), content.end(), isSpace))
                    continue;
                readDocument(content, line);
                m_sink.reached(pos);
            }
            return line;
        }

        void readJsonDocuments(std::string_view text)
        {
            std::size_t pos = 0;
            std::size_t line = 1;
            while (pos < text.size() && !m_sink.stopped()) {
                while (pos < text.size() && isSpace(text[pos])) {
                    if (text[pos] == '\n')
                        ++line;
                    ++pos;
                }
                if (pos >= text.size())
                    break;
                const char c = text[pos];
                if (c != '{' && c != '[') {
                    m_sink.rejected(line, "invalid_json", "expected a JSON object or array");
                    const auto next = text.find('\n', pos);
                    pos = next == std::string_view::npos ? text.size() : next;
                    continue;
                }
                const auto end = containerEnd(text, pos, false);
                if (end == std::string_view::npos) {
                    m_sink.rejected(line, "invalid_json", "the JSON document that starts here never ends");
                    break;
                }
                const auto document = text.substr(pos, end - pos);
                readDocument(document, line);
                line += static_cast<std::size_t>(std::count(document.begin(), document.end(), '\n'));
                pos = end;
                m_sink.reached(pos);
            }
        }

        void readCsv(std::string_view text)
        {
            CsvReader reader(text);
            CsvRecord record;
            std::string error;
            auto status = reader.next(record, error);
            if (status == CsvReader::Status::End) {
                m_sink.problem(0, "not_an_export", "the file is empty: no header row");
                return;
            }
            if (status == CsvReader::Status::Malformed) {
                m_sink.problem(record.line, "not_an_export", "the header row is malformed: " + error);
                return;
            }
            const std::vector<std::string> header = record.fields;
            const auto hasColumn = [&](std::string_view wanted) {
                return std::any_of(header.begin(), header.end(),
                    [&](const std::string& name) { return columnName(name) == wanted; });
            };
            if (!hasColumn("event") || !hasColumn("timestamp")) {
                m_sink.problem(record.line, "not_an_export",
                    "the header has no event and timestamp columns; expected PostHog's events export "
                    "(event, timestamp, distinct_id, properties or properties.* columns)");
                return;
            }
            std::vector<nlohmann::json> values;
            while (!m_sink.stopped()) {
                status = reader.next(record, error);
                if (status == CsvReader::Status::End)
                    break;
                m_sink.reached(reader.offset());
                if (status == CsvReader::Status::Malformed) {
                    m_sink.rejected(record.line, "bad_row", error);
                    continue;
                }
                if (record.fields.size() != header.size()) {
                    m_sink.rejected(record.line, "bad_row",
                        "the row has " + std::to_string(record.fields.size()) + " fields, the header "
                            + std::to_string(header.size()));
                    continue;
                }
                values.clear();
                for (auto& field : record.fields)
                    values.emplace_back(std::move(field));
                auto event = eventFromColumns(header, values, error);
                if (!event) {
                    m_sink.rejected(record.line, "bad_row", error);
                    continue;
                }
                readEvent(event->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), record.line);
            }
        }

    private:
        // What the intake made of one document: its events, and its errors at
        // `line` (or, for "[i]" errors of a batch, at the line of item i).
        void take(IntakeBatch& batch, std::size_t line, const std::vector<std::size_t>* itemLines = nullptr)
        {
            for (auto& event : batch.events)
                m_sink.took(event, line);
            for (auto& error : batch.errors) {
                std::size_t at = line;
                std::string message = error.message;
                if (error.where.starts_with('[')) {
                    std::size_t index = 0;
                    const auto [ptr, ec]
                        = std::from_chars(error.where.data() + 1, error.where.data() + error.where.size(), index);
                    if (ec == std::errc() && itemLines && index < itemLines->size())
                        at = (*itemLines)[index];
                    else
                        message = error.where + " " + message;
                }
                m_sink.rejected(at, error.code, std::move(message));
            }
        }

        void readEvent(std::string_view json, std::size_t line)
        {
            auto batch = m_intake.parseBody(json);
            take(batch, line);
        }
        // A value of a document already parsed: not parsed again.
        void readEvent(JsonValue value, std::size_t line)
        {
            auto batch = m_intake.parseValue(value);
            take(batch, line);
        }

        void readQueryRow(JsonValue columns, JsonValue row, std::size_t line)
        {
            std::vector<std::string> names;
            for (JsonValue c = columns.firstChild(); c.exists(); c = c.nextSibling())
                names.push_back(c.isString() ? c.string() : std::string());
            auto values = parseJsonText(row.raw());
            if (values.is_discarded() || values.size() != names.size()) {
                m_sink.rejected(line, "bad_row",
                    "the row has " + std::to_string(values.size()) + " values, the page names "
                        + std::to_string(names.size()) + " columns");
                return;
            }
            std::string error;
            auto event = eventFromColumns(names, values.get<std::vector<nlohmann::json>>(), error);
            if (!event) {
                m_sink.rejected(line, "bad_row", error);
                return;
            }
            readEvent(event->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), line);
        }

        void readPage(JsonValue page, JsonValue results, LineCounter& lines, std::size_t pageLine)
        {
            if (!results.isArray()) {
                m_sink.rejected(
                    pageLine, "bad_shape", "results must be an array, not " + std::string(results.typeName()));
                return;
            }
            const JsonValue columns = page.get("columns");
            for (JsonValue item = results.firstChild(); item.exists(); item = item.nextSibling()) {
                const std::size_t line = lines.of(item);
                if (item.isObject())
                    readEvent(item, line);
                else if (item.isArray() && columns.isArray())
                    readQueryRow(columns, item, line);
                else
                    m_sink.rejected(line, "bad_shape",
                        item.isArray() ? "a result row that is an array needs the page's columns"
                                       : "an event must be an object, not " + std::string(item.typeName()));
                if (m_sink.stopped())
                    return;
            }
        }

        void readRoot(JsonValue root, std::string_view document, std::size_t line)
        {
            LineCounter lines(document, line);
            if (root.isObject()) {
                if (const JsonValue results = root.get("results"); results.exists()) {
                    readPage(root, results, lines, line);
                    return;
                }
                if (const JsonValue batch = root.get("batch"); batch.exists()) {
                    // A posthog-js {api_key, batch, sent_at} body: the intake reads it
                    // whole (token and sent_at apply to every event).
                    std::vector<std::size_t> itemLines;
                    for (JsonValue item = batch.firstChild(); item.exists(); item = item.nextSibling())
                        itemLines.push_back(lines.of(item));
                    auto parsed = m_intake.parseValue(root);
                    take(parsed, line, &itemLines);
                    return;
                }
                readEvent(root, line);
                return;
            }
            if (root.isArray()) {
                for (JsonValue item = root.firstChild(); item.exists(); item = item.nextSibling()) {
                    const std::size_t itemLine = lines.of(item);
                    if (!item.isObject()) {
                        m_sink.rejected(
                            itemLine, "bad_shape", "an event must be an object, not " + std::string(item.typeName()));
                    } else if (const JsonValue results = item.get("results"); results.exists()) {
                        readPage(item, results, lines, itemLine);
                    } else {
                        readEvent(item, itemLine);
                    }
                    if (m_sink.stopped())
                        return;
                }
                return;
            }
            m_sink.rejected(line, "bad_shape",
                "expected an event, an array of events or an events API page, not " + std::string(root.typeName()));
        }

        void readDocument(std::string_view document, std::size_t line)
        {
            std::string message;
            if (!m_tape.parse(document, message)) {
                m_sink.rejected(lineOfParseError(document, line, message), "invalid_json", message);
                return;
            }
            readRoot(m_tape.root(), document, line);
        }

        ReadSink& m_sink;
        PostHogIntake m_intake;
        JsonTape m_tape;
    };

    // Whole lines of a JSON lines text, about chunkBytes each (a line
    // longer than that is a chunk of its own).
    std::vector<std::string_view> lineChunks(std::string_view text, std::size_t chunkBytes)
    {
        std::vector<std::string_view> chunks;
        std::size_t pos = 0;
        while (pos < text.size()) {
            std::size_t end = text.size();
            if (text.size() - pos > chunkBytes) {
                const auto newline = text.find('\n', pos + chunkBytes - 1);
                end = newline == std::string_view::npos ? text.size() : newline + 1;
            }
            chunks.push_back(text.substr(pos, end - pos));
            pos = end;
        }
        return chunks;
    }

    // What a thread read of one chunk, for the importer to take in chunk
    // order: the sessions pieced together from its events, and in order its
    // problems and how far it got; lines are the chunk's (from 1), offsets
    // from the chunk's start.
    class ChunkReads final : public ReadSink {
    public:
        struct Rejected {
            std::size_t line;
            std::string code;
            std::string message;
            bool counted; // a rejected row or event, not a problem of the file
        };
        struct Reached {
            std::uint64_t offset;
        };
        using Read = std::variant<Rejected, Reached>;

        ChunkReads(const ProductChoice& products, ActionInterner& interner, std::stop_token stop,
            const std::atomic<bool>& abandoned)
            : sessions(products)
            , m_interner(interner)
            , m_stop(std::move(stop))
            , m_abandoned(abandoned)
        { }

        SessionPieces sessions;
        std::vector<Read> reads;
        std::size_t lines = 0;
        bool stoppedEarly = false; // a stop request or the importer ended the reading before the chunk's end

        void took(IntakeEvent& event, std::size_t line) override { sessions.take(event, line, m_interner); }
        void rejected(std::size_t line, std::string code, std::string message) override
        {
            reads.emplace_back(Rejected { line, std::move(code), std::move(message), true });
        }
        void problem(std::size_t line, std::string code, std::string message) override
        {
            reads.emplace_back(Rejected { line, std::move(code), std::move(message), false });
        }
        void reached(std::uint64_t offset) override
        {
            if (offset >= m_lastReached + kProgressStep) {
                m_lastReached = offset;
                reads.emplace_back(Reached { offset });
            }
        }
        bool stopped() override
        {
            if (++m_sinceStopCheck < kStopCheckEvery)
                return false;
            m_sinceStopCheck = 0;
            stoppedEarly = stoppedEarly || m_stop.stop_requested() || m_abandoned.load(std::memory_order_relaxed);
            return stoppedEarly;
        }

    private:
        ActionInterner& m_interner;
        std::stop_token m_stop;
        const std::atomic<bool>& m_abandoned;
        std::uint64_t m_lastReached = 0;
        std::size_t m_sinceStopCheck = 0;
    };

} // namespace

struct SessionImporter::State final : ReadSink {
    State(const Workspace& workspace_, const ImportOptions& options_)
        : workspace(workspace_)
        , options(options_)
        , products(workspace_, options_.productId)
    { }

    const Workspace& workspace;
    const ImportOptions& options;
    const ProductChoice products;
    ExportReader reader { *this };
    // What `reader` takes on this thread, joined to the sessions at the end of each text.
    SessionPieces taken { products };
    std::unordered_map<std::string, SessionBuilder> sessions; // by sessionKey
    std::vector<SessionBuilder*> order; // sessions in the order first seen
    // One for each thread that reads, for the whole import (sessions
    // clicking the same buttons share chains), [0] this thread's: a thread
    // interns without waiting for another, and frees what it allocated.
    std::deque<ActionInterner> interners { 1 };
    ImportResult result;

    // Progress: bytes of the files already read, and the file being read
    // (its size on disk and the size of its text, which differ when inflated).
    std::uint64_t total = 0;
    std::uint64_t bytesBefore = 0;
    std::uint64_t fileBytes = 0;
    std::uint64_t textBytes = 0;
    std::uint64_t lastReported = 0;
    std::size_t sinceStopCheck = 0;

    std::string file;
    std::size_t fileDiagnostics = 0;
    std::map<std::string, Unassigned> unassigned; // by token; "" = no token

    void problem(std::size_t line, std::string code, std::string message) override
    {
        if (fileDiagnostics++ >= options.maxDiagnosticsPerFile) {
            ++result.diagnosticsLeftOut;
            return;
        }
        result.diagnostics.push_back({ file, line, std::move(code), std::move(message) });
    }

    void rejected(std::size_t line, std::string code, std::string message) override
    {
        ++result.rejected;
        problem(line, std::move(code), std::move(message));
    }

    void reached(std::uint64_t offset) override { progress(offset); }

    void progress(std::uint64_t offset, bool force = false)
    {
        if (!options.progress)
            return;
        const std::uint64_t inFile = textBytes == 0 ? fileBytes : offset * fileBytes / textBytes;
        const std::uint64_t done = bytesBefore + std::min(inFile, fileBytes);
        if (!force && done < lastReported + kProgressStep)
            return;
        lastReported = done;
        options.progress(done, std::max(total, done));
    }

    bool stopped() override
    {
        if (result.cancelled)
            return true;
        if (++sinceStopCheck < kStopCheckEvery)
            return false;
        sinceStopCheck = 0;
        result.cancelled = options.stop.stop_requested();
        return result.cancelled;
    }

    void took(IntakeEvent& event, std::size_t line) override { taken.take(event, line, interners.front()); }

    // Adds the sessions pieced together from a stretch of the file that
    // starts after `linesBefore` lines: each piece joins its session.
    void join(SessionPieces&& stretch, std::size_t linesBefore)
    {
        result.ignored += stretch.ignored;
        for (const auto& [token, counted] : stretch.unassigned) {
            Unassigned& entry = unassigned[token];
            if (entry.count == 0)
                entry.firstLine = linesBefore + counted.firstLine;
            entry.count += counted.count;
            result.unassigned += counted.count;
        }
        for (SessionPiece& piece : stretch.pieces) {
            auto [it, isNew] = sessions.try_emplace(sessionKey(*piece.product, piece.sessionId));
            SessionBuilder& builder = it->second;
            if (isNew) {
                builder.productId = piece.product->id;
                builder.sessionId = piece.sessionId;
                order.push_back(&builder);
            }
            builder.pieces.push_back(std::move(piece));
        }
    }

    unsigned threads() const
    {
        return options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    }

    // Chunks of whole lines read on `threads` threads, this one among them,
    // each piecing sessions together from its chunks with its own interner;
    // this thread joins the pieces and takes the problems in file order,
    // exactly as one thread would have read them: the sessions and
    // diagnostics do not depend on the number of threads.
    void readJsonLinesInParallel(std::string_view text, unsigned threads)
    {
        const std::vector<std::string_view> chunks = lineChunks(text, std::max<std::size_t>(options.chunkBytes, 1));
        std::vector<std::unique_ptr<ChunkReads>> done(chunks.size());
        std::mutex mutex;
        std::condition_variable ready;
        std::atomic<std::size_t> next { 0 };
        std::atomic<bool> abandoned { false };
        // Reads the first chunk no thread has taken; false when none is left.
        const auto readNext = [&](ActionInterner& interner) {
            const std::size_t i = next.fetch_add(1);
            if (i >= chunks.size())
                return false;
            auto reads = std::make_unique<ChunkReads>(products, interner, options.stop, abandoned);
            ExportReader chunkReader(*reads);
            reads->lines = chunkReader.readJsonLines(chunks[i]);
            {
                const std::lock_guard lock(mutex);
                done[i] = std::move(reads);
            }
            ready.notify_all();
            return true;
        };
        while (interners.size() < threads)
            interners.emplace_back();
        std::vector<std::jthread> pool;
        pool.reserve(threads - 1);
        for (unsigned t = 1; t < threads; ++t)
            pool.emplace_back([&, t] {
                while (!abandoned.load(std::memory_order_relaxed) && readNext(interners[t])) { }
            });

        std::size_t linesBefore = 0;
        std::uint64_t offset = 0;
        for (std::size_t i = 0; i < chunks.size(); ++i) {
            if (options.stop.stop_requested()) {
                result.cancelled = true;
                break;
            }
            // While the chunk to take next is being read, this thread reads
            // another; it waits only once every chunk is taken.
            std::unique_ptr<ChunkReads> reads;
            for (;;) {
                std::unique_lock lock(mutex);
                if (done[i] || next.load() >= chunks.size()) {
                    ready.wait(lock, [&] { return done[i] != nullptr; });
                    reads = std::move(done[i]);
                    break;
                }
                lock.unlock();
                readNext(interners.front());
            }
            for (auto& read : reads->reads) {
                if (auto* rejected = std::get_if<ChunkReads::Rejected>(&read))
                    rejected->counted
                        ? this->rejected(linesBefore + rejected->line, std::move(rejected->code),
                              std::move(rejected->message))
                        : problem(linesBefore + rejected->line, std::move(rejected->code), std::move(rejected->message));
                else
                    progress(offset + std::get<ChunkReads::Reached>(read).offset);
            }
            join(std::move(reads->sessions), linesBefore);
            if (reads->stoppedEarly) {
                result.cancelled = true;
                break;
            }
            linesBefore += reads->lines;
            offset += chunks[i].size();
            progress(offset);
        }
        abandoned = true;
    }

    void readText(std::string_view text, std::string_view name)
    {
        textBytes = text.size();
        fileDiagnostics = 0;
        unassigned.clear();
        result.files.push_back(file);
        const bool csv = options.format == ExportFormat::Csv
            || (options.format == ExportFormat::Auto && endsWithIgnoreCase(stripGz(name), ".csv"));
        if (csv) {
            reader.readCsv(text);
        } else if (looksLikeJsonLines(text)) {
            if (threads() > 1 && text.size() > options.chunkBytes)
                readJsonLinesInParallel(text, threads());
            else
                reader.readJsonLines(text);
        } else {
            reader.readJsonDocuments(text);
        }
        join(std::move(taken), 0);
        taken = SessionPieces(products);

        for (const auto& [token, entry] : unassigned) {
            std::string message = std::to_string(entry.count) + (entry.count == 1 ? " event" : " events");
            if (!options.productId.empty())
                message += " skipped: the workspace has no product \"" + options.productId + "\"";
            else if (token.empty())
                message += " carry no project token and the workspace has "
                    + std::to_string(workspace.products().size()) + " products; choose one with --product";
            else
                message += " carry the token \"" + token + "\", which no product has; choose one with --product";
            problem(entry.firstLine, "unknown_product", std::move(message));
        }
        if (!result.cancelled)
            progress(textBytes, true);
        bytesBefore += fileBytes;
    }
};

const RecordedIdentity& RecordedSession::identityOf(std::size_t index) const
{
    const auto after = std::upper_bound(identities.begin(), identities.end(), index,
        [](std::size_t i, const RecordedIdentity& identity) { return i < identity.from; });
    return *std::prev(after);
}

Action RecordedSession::action(std::size_t index) const
{
    Action action = actionOf(actions[index]);
    action.sessionId = summary.sessionId;
    const RecordedIdentity& identity = identityOf(index);
    action.distinctId = identity.distinctId;
    action.email = identity.email;
    action.emailOnce = identity.emailOnce;
    action.linkedDistinctId = identity.linkedDistinctId;
    return action;
}

RecordedSession recordSession(
    const Product& product, std::string sessionId, std::vector<Action> actions, ActionInterner& interner)
{
    SessionActions taken;
    taken.records.reserve(actions.size());
    for (Action& action : actions) {
        action.canonicalUrl = canonicalUrl(action.rawUrl, product.routes);
        taken.take(action, interner);
    }
    return recordedSession(product.id, std::move(sessionId), std::move(taken),
        std::make_shared<const std::vector<std::string>>(product.routes));
}

RecordedSession recordSession(const Product& product, std::string sessionId, std::vector<Action> actions)
{
    ActionInterner interner;
    return recordSession(product, std::move(sessionId), std::move(actions), interner);
}

SessionImporter::SessionImporter(std::shared_ptr<const Workspace> workspace, ImportOptions options)
    : m_workspace(std::move(workspace))
    , m_options(std::move(options))
    , m_state(std::make_unique<State>(*m_workspace, m_options))
{ }

SessionImporter::~SessionImporter() = default;

void SessionImporter::addText(std::string_view text, const std::string& name)
{
    m_state->total = m_totalBytes;
    m_state->file = name;
    m_state->fileBytes = text.size();
    m_state->readText(text, name);
}

Status SessionImporter::addFile(const std::filesystem::path& path)
{
    State& state = *m_state;
    state.total = m_totalBytes;
    state.file = path.string();
    const auto file = FileBytes::open(path);
    if (!file) {
        Error error { "unreadable_file", "cannot read " + path.string(), path.string() };
        state.result.diagnostics.push_back({ state.file, 0, error.code, error.message });
        return error;
    }
    const std::string_view bytes = file->text();
    state.fileBytes = bytes.size();
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f
        && static_cast<unsigned char>(bytes[1]) == 0x8b) {
        auto inflated = decodeCaptureBody(bytes, {}, "gzip", kMaxInflatedBytes);
        if (!inflated) {
            Error error { inflated.error().code, path.string() + ": " + inflated.error().message, path.string() };
            state.result.diagnostics.push_back({ state.file, 0, error.code, inflated.error().message });
            state.bytesBefore += state.fileBytes;
            return error;
        }
        state.readText(*inflated, state.file);
        return Ok {};
    }
    state.readText(bytes, state.file);
    return Ok {};
}

ImportResult SessionImporter::finish()
{
    State& state = *m_state;
    ImportResult result = std::move(state.result);
    // The product's routes, shared by its sessions (none: the product is gone).
    std::map<std::string_view, std::shared_ptr<const std::vector<std::string>>> routes; // by product id
    std::vector<std::shared_ptr<const std::vector<std::string>>> routesOf(state.order.size());
    for (std::size_t i = 0; i < state.order.size(); ++i) {
        const Product* product = m_workspace->product(state.order[i]->productId);
        if (!product)
            continue;
        auto& productRoutes = routes[product->id];
        if (!productRoutes)
            productRoutes = std::make_shared<const std::vector<std::string>>(product->routes);
        routesOf[i] = productRoutes;
    }
    // Sessions are made whole (pieces joined, duplicates dropped, ordered
    // and summarised) each on its own, on as many threads as read them.
    std::vector<RecordedSession> sessions(state.order.size());
    std::vector<std::size_t> duplicates(state.order.size(), 0);
    forEachIndex(state.order.size(), state.threads(), [&](std::size_t i) {
        SessionBuilder& builder = *state.order[i];
        SessionActions actions = joinPieces(builder.pieces, duplicates[i]);
        builder.pieces.clear();
        sessions[i] = recordedSession(builder.productId, builder.sessionId, std::move(actions), routesOf[i]);
    });
    result.sessions.reserve(sessions.size());
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        result.duplicates += duplicates[i];
        result.events += sessions[i].actions.size();
        if (routesOf[i] && !sessions[i].actions.empty())
            result.sessions.push_back(std::move(sessions[i]));
    }
    std::sort(result.sessions.begin(), result.sessions.end(), [](const RecordedSession& a, const RecordedSession& b) {
        return std::tie(a.summary.productId, a.summary.start, a.summary.sessionId)
            < std::tie(b.summary.productId, b.summary.start, b.summary.sessionId);
    });
    m_state = std::make_unique<State>(*m_workspace, m_options);
    return result;
}

Result<std::vector<std::filesystem::path>> listExportFiles(std::span<const std::filesystem::path> paths)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const fs::path& path : paths) {
        std::error_code ec;
        const auto status = fs::status(path, ec);
        if (ec || !fs::exists(status))
            return Error { "not_found", path.string() + " does not exist", path.string() };
        if (!fs::is_directory(status)) {
            files.push_back(path);
            continue;
        }
        std::vector<fs::path> found;
        for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
            if (!it->is_regular_file(ec))
                continue;
            const std::string filename = it->path().filename().string();
            const std::string_view name = stripGz(filename);
            if (endsWithIgnoreCase(name, ".json") || endsWithIgnoreCase(name, ".jsonl")
                || endsWithIgnoreCase(name, ".ndjson") || endsWithIgnoreCase(name, ".csv"))
                found.push_back(it->path());
        }
        if (ec)
            return Error { "unreadable_directory", "cannot list " + path.string() + ": " + ec.message(),
                path.string() };
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

std::uint64_t totalFileSize(std::span<const std::filesystem::path> files)
{
    std::uint64_t total = 0;
    for (const auto& file : files) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        total += ec ? 0 : size;
    }
    return total;
}

Result<ImportResult> importSessions(
    std::shared_ptr<const Workspace> workspace, std::span<const std::filesystem::path> paths, ImportOptions options)
{
    if (!options.productId.empty() && !workspace->product(options.productId))
        return Error { "unknown_product", "the workspace has no product \"" + options.productId + "\"", "product" };
    auto files = listExportFiles(paths);
    if (!files)
        return files.error();
    const std::uint64_t total = totalFileSize(*files);
    const std::stop_token stop = options.stop;
    SessionImporter importer(std::move(workspace), std::move(options));
    importer.setTotalBytes(total);
    for (const auto& file : *files) {
        if (stop.stop_requested())
            break;
        // An unreadable file is in the diagnostics; the others are still read.
        (void)importer.addFile(file);
    }
    ImportResult result = importer.finish();
    if (result.cancelled || stop.stop_requested())
        return Error { "cancelled", "the import was cancelled", {} };
    return result;
}

} // namespace proactive
