#include "chat/tourtag.h"

#include "base/text.h"

#include <algorithm>

namespace proactive {

namespace {

    constexpr std::string_view kOpen = "[TOUR:";

    bool isIdChar(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    bool isSpace(char c)
    {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
    }

    bool isPunctuation(char c)
    {
        return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')';
    }

    // The length of the tag that `text` ends with, 0 if none; its id in `id`.
    // Text is searched as it is written, so that removing a tag can close
    // another around it: "[TOUR:[TOUR:a]b]", "[TO[TOUR:a]UR:b]".
    std::size_t tagAtEnd(std::string_view text, std::string_view& id)
    {
        if (!text.ends_with(']'))
            return 0;
        const std::size_t end = text.size() - 1;
        std::size_t start = end;
        while (start > 0 && isIdChar(text[start - 1]))
            --start;
        if (start == end || start < kOpen.size() || text.substr(start - kOpen.size(), kOpen.size()) != kOpen)
            return 0;
        id = text.substr(start, end - start);
        return end - start + kOpen.size() + 1;
    }

    // Whether `piece` is a proper beginning of some tag ("[", "[TOU", "[TOUR:cre").
    bool mayBecomeTag(std::string_view piece)
    {
        if (piece.size() <= kOpen.size())
            return kOpen.starts_with(piece);
        return piece.starts_with(kOpen) && std::all_of(piece.begin() + kOpen.size(), piece.end(), isIdChar);
    }

    // Where the end of `text` that may still become a tag begins. Tags nest,
    // so that is every trailing piece from a `[` that may become a tag:
    // in "x [TO[TOUR:a" both pieces wait ("UR:b]" would make a tag of them).
    std::size_t pendingTagStart(std::string_view text)
    {
        std::size_t start = text.size();
        for (auto bracket = text.rfind('['); bracket != std::string_view::npos;
             bracket = bracket > 0 ? text.rfind('[', bracket - 1) : std::string_view::npos) {
            if (!mayBecomeTag(text.substr(bracket, start - bracket)))
                break;
            start = bracket;
        }
        return start;
    }

} // namespace

std::string_view nameOf(TourTagStatus status)
{
    switch (status) {
    case TourTagStatus::Absent:
        return "absent";
    case TourTagStatus::None:
        return "none";
    case TourTagStatus::Known:
        return "known";
    case TourTagStatus::Unknown:
        return "unknown";
    }
    return "absent";
}

TourTag extractTourTag(std::string_view answer, std::span<const std::string> catalogIds)
{
    TourTag tag;
    std::string out;
    out.reserve(answer.size());
    std::size_t lineStart = 0; // in `out`
    bool lineHadTag = false;
    std::size_t i = 0;
    while (i < answer.size()) {
        const char c = answer[i++];
        if (c == '\n') {
            if (lineHadTag && isBlank(std::string_view(out).substr(lineStart))) {
                out.resize(lineStart);
            } else {
                out += '\n';
                lineStart = out.size();
            }
            lineHadTag = false;
            continue;
        }
        out += c;
        std::string_view id;
        const std::size_t length = c == ']' ? tagAtEnd(std::string_view(out).substr(lineStart), id) : 0;
        if (length == 0)
            continue;
        tag.ids.emplace_back(id);
        out.resize(out.size() - length);
        lineHadTag = true;
        const char next = i < answer.size() ? answer[i] : '\n';
        const bool nextIsGap = isSpace(next) || isPunctuation(next);
        if (out.size() > lineStart && (out.back() == ' ' || out.back() == '\t') && nextIsGap)
            out.pop_back();
        else if (isBlank(std::string_view(out).substr(lineStart)) && (next == ' ' || next == '\t'))
            ++i;
    }
    if (lineHadTag && isBlank(std::string_view(out).substr(lineStart)))
        out.resize(lineStart);
    tag.text = trimmed(out);

    if (tag.ids.empty())
        return tag;
    tag.id = tag.ids.back();
    if (tag.id == "none")
        tag.status = TourTagStatus::None;
    else if (std::find(catalogIds.begin(), catalogIds.end(), tag.id) != catalogIds.end())
        tag.status = TourTagStatus::Known;
    else
        tag.status = TourTagStatus::Unknown;
    return tag;
}

std::string TourTagStreamFilter::push(std::string_view piece)
{
    // m_held never holds a whole tag: each is dropped as its `]` arrives.
    for (const char c : piece) {
        m_held += c;
        std::string_view id;
        if (c == ']')
            m_held.resize(m_held.size() - tagAtEnd(m_held, id));
    }
    const std::size_t pending = pendingTagStart(m_held);
    std::string shown = m_held.substr(0, pending);
    m_held.erase(0, pending);
    return shown;
}

} // namespace proactive
