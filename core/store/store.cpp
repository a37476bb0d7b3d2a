#include "store/store.h"

#include <initializer_list>

namespace proactive {

std::optional<Error> validateWrite(const StoreWrite& write)
{
    using Field = std::pair<const char*, std::string_view>;
    const auto check
        = [](const char* list, std::size_t index, std::initializer_list<Field> fields) -> std::optional<Error> {
        for (const auto& [name, value] : fields)
            if (value.empty())
                return Error { "store.invalid_write",
                    std::string(list) + "[" + std::to_string(index) + "]: empty " + name, {} };
        return std::nullopt;
    };

    for (std::size_t i = 0; i < write.expiredSessions.size(); ++i) {
        const auto& key = write.expiredSessions[i];
        if (auto error
            = check("expiredSessions", i, { { "product id", key.productId }, { "session id", key.sessionId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.erasedConversations.size(); ++i) {
        const auto& key = write.erasedConversations[i];
        if (auto error = check("erasedConversations", i,
                { { "product id", key.productId }, { "conversation id", key.conversationId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.conversations.size(); ++i) {
        const auto& key = write.conversations[i].first;
        if (auto error
            = check("conversations", i, { { "product id", key.productId }, { "conversation id", key.conversationId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.transitions.size(); ++i) {
        const auto& key = write.transitions[i].first;
        if (auto error
            = check("transitions", i, { { "product id", key.productId }, { "conversation id", key.conversationId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.firings.size(); ++i) {
        const auto& firing = write.firings[i];
        if (auto error = check("firings", i,
                { { "product id", firing.productId }, { "session id", firing.sessionId },
                    { "conversation id", firing.conversationId }, { "trigger id", firing.triggerId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.circuits.size(); ++i)
        if (auto error = check("circuits", i, { { "product id", write.circuits[i].first } }))
            return error;
    for (std::size_t i = 0; i < write.sessions.size(); ++i) {
        const auto& key = write.sessions[i].first;
        if (auto error = check("sessions", i, { { "product id", key.productId }, { "session id", key.sessionId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.actions.size(); ++i) {
        const auto& key = write.actions[i].first;
        if (auto error = check("actions", i, { { "product id", key.productId }, { "session id", key.sessionId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.records.size(); ++i) {
        const auto& key = write.records[i].first;
        if (auto error = check("records", i, { { "product id", key.productId }, { "session id", key.sessionId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.userHistory.size(); ++i) {
        const auto& event = write.userHistory[i];
        if (auto error = check("userHistory", i,
                { { "product id", event.productId }, { "user key", event.userKey },
                    { "trigger id", event.triggerId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.lastFirings.size(); ++i) {
        const auto& [key, triggerId, at] = write.lastFirings[i];
        if (auto error = check("lastFirings", i,
                { { "product id", key.productId }, { "conversation id", key.conversationId },
                    { "trigger id", triggerId } }))
            return error;
    }
    for (std::size_t i = 0; i < write.lastOffers.size(); ++i) {
        const auto& key = write.lastOffers[i].first;
        if (auto error = check("lastOffers", i, { { "product id", key.productId }, { "session id", key.sessionId } }))
            return error;
    }
    return std::nullopt;
}

StoreWrite recordsAsActions(StoreWrite write)
{
    write.actions.reserve(write.actions.size() + write.records.size());
    for (auto& [key, record] : write.records) {
        Action action = actionOf(record);
        action.sessionId = key.sessionId;
        write.actions.emplace_back(std::move(key), std::move(action));
    }
    write.records.clear();
    return write;
}

} // namespace proactive
