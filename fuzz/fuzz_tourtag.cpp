// `[TOUR:<id>]` tags (core/chat/tourtag.h) in a bot's answer: extracted at
// message_end, and filtered while the answer streams in pieces drawn from the
// input. Property: whatever the nesting, no tag is left in the text shown,
// neither at the end nor while streaming.

#include "chat/tourtag.h"
#include "fuzzcheck.h"

#include <array>
#include <string>

using namespace proactive;

namespace {

const std::array<std::string, 2> kCatalog { "create-project", "none-of-these" };

bool isIdChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Whether `text` holds a whole tag: `[TOUR:` + [A-Za-z0-9_-]+ + `]`.
bool hasTag(std::string_view text)
{
    constexpr std::string_view open = "[TOUR:";
    for (auto at = text.find(open); at != std::string_view::npos; at = text.find(open, at + 1)) {
        std::size_t i = at + open.size();
        while (i < text.size() && isIdChar(text[i]))
            ++i;
        if (i > at + open.size() && i < text.size() && text[i] == ']')
            return true;
    }
    return false;
}

std::string streamed(std::string_view answer, const std::vector<std::size_t>& cuts)
{
    TourTagStreamFilter filter;
    std::string shown;
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        shown += filter.push(answer.substr(from, cut - from));
        from = cut;
    }
    return shown + filter.push(answer.substr(from));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view answer = fuzz::bytes(data, size);
    const TourTag tag = extractTourTag(answer, kCatalog);
    if (hasTag(tag.text))
        fuzz::fail("a tag is left in the text: " + tag.text);
    if (tag.ids.empty() != (tag.status == TourTagStatus::Absent) || (!tag.ids.empty() && tag.id != tag.ids.back()))
        fuzz::fail("the status or the id does not follow the tags found");

    const std::string whole = streamed(answer, {});
    if (hasTag(whole))
        fuzz::fail("a tag is shown while streaming: " + whole);
    const std::string inPieces = streamed(answer, fuzz::cutsFor(answer, 8));
    if (hasTag(inPieces))
        fuzz::fail("a tag is shown while streaming in pieces: " + inPieces);
    return 0;
}
