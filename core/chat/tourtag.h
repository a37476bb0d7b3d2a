#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

enum class TourTagStatus : std::uint8_t {
    Absent, // no [TOUR:…] tag at all (the system prompt makes it mandatory: worth reporting)
    None, // [TOUR:none]: the bot offers no tour
    Known, // the id is in the catalog: show "Show me how"
    Unknown, // an id the catalog does not have: no button, reported
};

std::string_view nameOf(TourTagStatus status);

struct TourTag {
    std::string text; // the answer with every tag removed, for display
    TourTagStatus status = TourTagStatus::Absent;
    std::string id; // the deciding tag's id ("none", known or unknown); empty when Absent
    std::vector<std::string> ids; // every tag's id in order; more than one is reported

    bool offersTour() const { return status == TourTagStatus::Known; }
};

// SPEC §5, applied to the whole answer once message_end has arrived (a tag
// split across tokens exists only then): finds every `[TOUR:<id>]` with
// <id> = [A-Za-z0-9_-]+ (the tutorial's `[\w-]+`; "TOUR" and "none" are
// case-sensitive, as in the tutorial), removes them all from the text, and
// decides on the LAST one: the selection rules put the tag on the last line,
// so an earlier tag is the bot mentioning one mid-answer. A tag is removed
// when its `]` comes, and what is left around it may close another, so
// nested tags ("[TOUR:[TOUR:a]b]", "[TO[TOUR:a]UR:b]") leave nothing; they
// count in the order they close, so the outermost one decides ("b").
//
// Removal keeps the text tidy: a line left blank by a tag is dropped, a tag
// between words takes one adjacent space with it, and the result is trimmed.
TourTag extractTourTag(std::string_view answer, std::span<const std::string> catalogIds);

// While an answer streams, the text that can be shown now: complete tags are
// left out and a trailing piece that may still become a tag ("[TO") is held
// back until the next piece decides. Feed every text piece in order; after a
// message_replace, reset() and push the new answer. At message_end show
// extractTourTag(...).text instead.
class TourTagStreamFilter final {
public:
    std::string push(std::string_view piece);
    void reset() { m_held.clear(); }

private:
    std::string m_held;
};

} // namespace proactive
