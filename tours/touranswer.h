#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace proactive {

class TourCatalog;
struct Tour;

// Why the offline Dify server answered the way it did.
enum class TourAnswerReason : std::uint8_t {
    Question, // the question's words match the tour's name and "Use when" lines best
    CurrentPage, // a generic request for help ("what I'm currently doing"): the tour of the user's page
    NeedsPage, // the best tour has a parameterised route and the user is not on a matching page: [TOUR:none]
    NoMatch, // the question is about something no tour covers: [TOUR:none]
    NoTours, // the catalog is empty: [TOUR:none]
};

std::string_view nameOf(TourAnswerReason reason);

struct TourAnswer {
    std::string text; // the whole answer; its last line is the tag
    std::string tourId; // the tag's id: a catalog id or "none"
    TourAnswerReason reason = TourAnswerReason::NoTours;
    const Tour* tour = nullptr; // the tour the answer is about (also for NeedsPage); null otherwise
};

// The offline Dify app's answer (SPEC §5): deterministic, from the catalog
// alone, following the tutorial's selection rules as the generated system
// prompt states them (tours/tourprompt.h).
//
// Matching: question and tours are cut into lowercase words, common words
// dropped and endings stemmed ("creating" = "create"). A tour's positive
// words are its id, name and description lines except "NOT for …" lines
// (negative) and "Only works on …" lines (route constraints). Each question
// word scores ln(1 + tours / tours having it) for a tour that has it and the
// same negated for a tour whose "NOT for" line has it; a tour whose route
// matches the current page gets +0.5 if it scored at all (rule 2). The best
// score wins, ties go to catalog order. A question with no meaningful word
// (the chat's prefill) gets the first tour whose route matches the current
// page; a question whose words match no tour gets none.
//
// Rule 3: a tour with a parameterised route is emitted only when the user's
// current page matches it; otherwise the answer explains where to go and
// ends with [TOUR:none]. Rules 4–5: the answer explains the steps in words
// and its last line is exactly one tag.
//
// `currentPage` is the user's current canonical URL or path (the newest
// action of the session), empty when unknown.
TourAnswer composeTourAnswer(const TourCatalog& catalog, std::string_view question, std::string_view currentPage);

} // namespace proactive
