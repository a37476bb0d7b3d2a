#include "chat/tourtag.h"

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

    // The length of the tag starting at `pos`, 0 if there is none; its id in `id`.
    std::size_t tagAt(std::string_view text, std::size_t pos, std::string_view& id)
    {
        if (text.substr(pos, kOpen.size()) != kOpen)
            return 0;
        const std::size_t start = pos + kOpen.size();
        std::size_t i = start;
        while (i < text.size() && isIdChar(text[i]))
            ++i;
        if (i == start || i >= text.size() || text[i] != ']')
            return 0;
        id = text.substr(start, i - start);
        return i + 1 - pos;
    }

    // Whether text[pos..] is a proper beginning of some tag ("[", "[TOU", "[TOUR:cre").
    bool mayBecomeTag(std::string_view text, std::size_t pos)
    {
        const std::string_view rest = text.substr(pos);
        if (rest.size() <= kOpen.size())
            return kOpen.starts_with(rest);
        return rest.starts_with(kOpen) && std::all_of(rest.begin() + kOpen.size(), rest.end(), isIdChar);
    }

    bool blank(std::string_view text)
    {
        return std::all_of(text.begin(), text.end(), isSpace);
    }

    std::string_view trimmed(std::string_view text)
    {
        while (!text.empty() && isSpace(text.front()))
            text.remove_prefix(1);
        while (!text.empty() && isSpace(text.back()))
            text.remove_suffix(1);
        return text;
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
        const char c = answer[i];
        std::string_view id;
        if (c == '[') {
            if (const std::size_t length = tagAt(answer, i, id)) {
                tag.ids.emplace_back(id);
                lineHadTag = true;
                std::size_t after = i + length;
                const char next = after < answer.size() ? answer[after] : '\n';
                const bool nextIsGap = isSpace(next) || isPunctuation(next);
                if (out.size() > lineStart && (out.back() == ' ' || out.back() == '\t') && nextIsGap)
                    out.pop_back();
                else if (blank(std::string_view(out).substr(lineStart)) && (next == ' ' || next == '\t'))
                    ++after;
                i = after;
                continue;
            }
        }
        if (c == '\n') {
            ++i;
            if (lineHadTag && blank(std::string_view(out).substr(lineStart))) {
                out.resize(lineStart);
            } else {
                out += '\n';
                lineStart = out.size();
            }
            lineHadTag = false;
            continue;
        }
        out += c;
        ++i;
    }
    if (lineHadTag && blank(std::string_view(out).substr(lineStart)))
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
    m_held.append(piece);
    const std::string_view text = m_held;
    std::string shown;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t bracket = text.find('[', i);
        if (bracket == std::string_view::npos) {
            shown.append(text.substr(i));
            i = text.size();
            break;
        }
        shown.append(text.substr(i, bracket - i));
        std::string_view id;
        if (const std::size_t length = tagAt(text, bracket, id)) {
            i = bracket + length;
            continue;
        }
        if (mayBecomeTag(text, bracket)) {
            i = bracket;
            break;
        }
        shown += '[';
        i = bracket + 1;
    }
    m_held.erase(0, i);
    return shown;
}

} // namespace proactive
