#include "intake/actionrecord.h"

#include "intake/elementschain.h"
#include "intake/posthogintake.h"

#include <algorithm>
#include <functional>

namespace proactive {

namespace {

    // Purging is a pass over the pools: not worth it below this many values.
    constexpr std::size_t kMinPurge = 4096;

    void mix(std::size_t& seed, std::size_t value)
    {
        seed ^= value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    }

    void mix(std::size_t& seed, std::string_view text)
    {
        mix(seed, std::hash<std::string_view> {}(text));
    }

} // namespace

ActionDetails::ActionDetails(const View& view)
    : element(view.element)
    , elementsChain(view.elementsChain)
    , properties(view.properties.begin(), view.properties.end())
    , parsedChain(parseElementsChain(truncateElementsChain(view.elementsChain, kMaxParsedChainBytes)))
{ }

std::span<const Element> ActionRecord::chain() const
{
    if (!elementsChain().empty())
        return details->parsedChain;
    if (element().tag.empty())
        return {};
    return { &element(), 1 };
}

const std::string* ActionRecord::property(std::string_view key) const
{
    for (const auto& [k, v] : details->properties)
        if (k == key)
            return &v;
    return nullptr;
}

std::size_t ActionInterner::DetailsHash::operator()(const ActionDetails::View& view) const noexcept
{
    // The chain decides the element wherever there is one; the element's own
    // strings tell apart the flat webhook's targets, which come without.
    std::size_t seed = std::hash<std::string_view> {}(view.elementsChain);
    const Element& element = view.element;
    for (const std::string* field : { &element.tag, &element.text, &element.id, &element.href, &element.name })
        mix(seed, *field);
    for (const auto& [key, value] : view.properties) {
        mix(seed, key);
        mix(seed, value);
    }
    return seed;
}

bool ActionInterner::DetailsEqual::operator()(const ActionDetails& a, const ActionDetails::View& b) const
{
    return a.elementsChain == b.elementsChain && a.element == b.element
        && std::equal(a.properties.begin(), a.properties.end(), b.properties.begin(), b.properties.end());
}

ActionRecord ActionInterner::record(const Action& action)
{
    ActionRecord record;
    record.index = action.index;
    record.timestampStart = action.timestampStart;
    record.timestampEnd = action.timestampEnd;
    record.type = action.type;
    const auto text
        = [&](std::string_view value) { return value.empty() ? Interned<std::string>() : m_strings.intern(value); };
    record.event = text(action.event);
    record.rawUrl = text(action.rawUrl);
    // Most canonical URLs are their raw URL: then the record shares it.
    record.canonicalUrl = action.canonicalUrl == action.rawUrl ? record.rawUrl : text(action.canonicalUrl);
    if (!action.elementsChain.empty() || action.element != Element {} || !action.properties.empty())
        record.details
            = m_details.intern(ActionDetails::View { action.element, action.elementsChain, action.properties });
    return record;
}

void ActionInterner::released(std::size_t records)
{
    m_released += records;
    if (m_released < std::max(kMinPurge, size()))
        return;
    m_strings.purge();
    m_details.purge();
    m_released = 0;
}

Action actionOf(const ActionRecord& record)
{
    Action action;
    action.index = record.index;
    action.type = record.type;
    action.event = record.event;
    action.timestampStart = record.timestampStart;
    action.timestampEnd = record.timestampEnd;
    action.rawUrl = record.rawUrl;
    action.canonicalUrl = record.canonicalUrl;
    action.element = record.element();
    action.elementsChain = record.elementsChain();
    action.properties = record.details->properties;
    describeAction(action);
    return action;
}

} // namespace proactive
