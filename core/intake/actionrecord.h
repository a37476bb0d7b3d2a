#pragma once

#include "base/interned.h"
#include "intake/action.h"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proactive {

// What an action was done to and carried besides its page: the target
// element, the raw `$elements_chain` and the custom properties. Sessions of
// one product click the same few buttons, so records share these, and with
// them the chain parsed once when the details are interned: selector, text
// and href matchers read it on every poll.
struct ActionDetails {
    // The parts of an Action, looked up in the pool without copying them.
    struct View {
        const Element& element;
        std::string_view elementsChain;
        std::span<const std::pair<std::string, std::string>> properties;
    };

    // Longer chains are cut before parsing; the target and its nearest
    // ancestors come first, so only far ancestors are lost.
    static constexpr std::size_t kMaxParsedChainBytes = 16 * 1024;

    ActionDetails() = default;
    explicit ActionDetails(const View& view);

    Element element;
    std::string elementsChain;
    std::vector<std::pair<std::string, std::string>> properties;
    // elementsChain cut to kMaxParsedChainBytes and parsed, target first.
    std::vector<Element> parsedChain;

    View view() const { return { element, elementsChain, properties }; }
    // The parsed chain follows from the raw one.
    bool operator==(const ActionDetails& other) const
    {
        return elementsChain == other.elementsChain && element == other.element && properties == other.properties;
    }
};

// One action as the store keeps it and every rule reads it (SPEC §1, §6):
// an Action without what belongs to its session (session id, distinct id and
// email are the SessionRecord's), without its uuid (the store keeps a hash
// of it for de-duplication) and without its title and description, which
// describeAction derives again when an action is shown. Strings and details
// are Interned: 64 bytes a record, plus what no other record shares.
struct ActionRecord {
    std::int64_t index = -1; // position in its session
    Timestamp timestampStart {};
    Timestamp timestampEnd {}; // next action's start, or = start for the latest
    ActionType type = ActionType::Custom;
    Interned<std::string> event;
    Interned<std::string> rawUrl;
    Interned<std::string> canonicalUrl;
    Interned<ActionDetails> details;

    const Element& element() const { return details->element; }
    const std::string& elementsChain() const { return details->elementsChain; }
    // The parsed elements chain, target first; a chain-less action with a
    // known element (the flat webhook's) yields that element alone.
    std::span<const Element> chain() const;
    const std::string* property(std::string_view key) const;
};

// Makes records out of actions, sharing every string and details value with
// the records it made before that are still alive. The store owns one; purge()
// after dropping records lets go of the values only the interner still holds.
class ActionInterner final {
public:
    ActionRecord record(const Action& action);
    // Call after dropping `released` records: purges once about as many
    // records were dropped as the pools hold values, so the cost stays
    // proportional to what was dropped.
    void released(std::size_t records);
    std::size_t size() const { return m_strings.size() + m_details.size(); }

private:
    struct DetailsHash {
        std::size_t operator()(const ActionDetails::View& view) const noexcept;
        std::size_t operator()(const ActionDetails& details) const noexcept { return (*this)(details.view()); }
    };
    struct DetailsEqual {
        bool operator()(const ActionDetails& a, const ActionDetails::View& b) const;
        bool operator()(const ActionDetails& a, const ActionDetails& b) const { return a == b; }
    };

    StringPool m_strings;
    InternPool<ActionDetails, DetailsHash, DetailsEqual> m_details;
    std::size_t m_released = 0;
};

// The record back as an Action, for drivers that show actions: title and
// description are derived (describeAction), session id, distinct id and
// email are left for the caller, who has the session; the uuid is gone.
Action actionOf(const ActionRecord& record);

} // namespace proactive
