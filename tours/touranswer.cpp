#include "touranswer.h"

#include "base/text.h"
#include "intake/canonicalurl.h"
#include "intake/routes.h"
#include "tourcatalog.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

namespace proactive {

namespace {

    using Words = std::set<std::string, std::less<>>;

    constexpr double kPageBonus = 0.5;

    // Words that say nothing about which tour fits: question scaffolding,
    // pronouns, and the boilerplate of descriptions ("Use when the user asks").
    const Words& stopWords()
    {
        static const Words words { "a", "about", "after", "all", "also", "am", "an", "and", "any", "anything", "are",
            "as", "ask", "asks", "at", "be", "been", "but", "by", "can", "cannot", "could", "currently", "current", "d",
            "did", "do", "does", "doing", "done", "for", "from", "get", "go", "got", "had", "has", "have", "help",
            "here", "how", "i", "if", "im", "in", "into", "is", "it", "its", "just", "know", "let", "lets", "like",
            "ll", "m", "make", "me", "mine", "my", "need", "no", "not", "now", "of", "on", "one", "only", "or", "our",
            "out", "page", "please", "re", "s", "should", "show", "so", "some", "something", "t", "tell", "than",
            "that", "the", "their", "them", "then", "there", "these", "they", "thing", "this", "those", "to", "trying",
            "up", "use", "used", "user", "users", "using", "ve", "want", "was", "way", "we", "what", "when", "where",
            "which", "who", "why", "will", "with", "work", "works", "would", "yes", "you", "your" };
        return words;
    }

    char lower(char c)
    {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }

    bool isWordChar(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
    }

    // Crude and deterministic: plural, then -ing/-ed, then a final e, so that
    // create/creates/creating/created, setting/settings and invite/invited meet.
    std::string stem(std::string word)
    {
        const auto strip = [&word](std::string_view suffix, std::size_t minSize) {
            if (word.size() > minSize && word.ends_with(suffix)) {
                word.resize(word.size() - suffix.size());
                return true;
            }
            return false;
        };
        if (!strip("es", 4) && !word.ends_with("ss"))
            strip("s", 3);
        if (!strip("ing", 5))
            strip("ed", 4);
        strip("e", 3);
        return word;
    }

    void addWords(std::string_view text, Words& out)
    {
        std::string word;
        const auto flush = [&] {
            if (!word.empty() && !stopWords().contains(word))
                out.insert(stem(word));
            word.clear();
        };
        for (const char c : text) {
            const char l = lower(c);
            if (isWordChar(l))
                word += l;
            else
                flush();
        }
        flush();
    }

    bool startsWithWord(std::string_view line, std::string_view word)
    {
        if (line.size() < word.size())
            return false;
        for (std::size_t i = 0; i < word.size(); ++i)
            if (lower(line[i]) != word[i])
                return false;
        return line.size() == word.size() || !isWordChar(lower(line[word.size()]));
    }

    struct TourWords {
        Words positive;
        Words negative;
    };

    TourWords wordsOf(const Tour& tour)
    {
        TourWords words;
        addWords(tour.id, words.positive);
        addWords(tour.name, words.positive);
        std::string_view description = tour.description;
        while (!description.empty()) {
            const auto newline = description.find('\n');
            const std::string_view line = trimmed(description.substr(0, newline));
            if (startsWithWord(line, "not"))
                addWords(line, words.negative);
            else if (!startsWithWord(line, "only"))
                addWords(line, words.positive);
            if (newline == std::string_view::npos)
                break;
            description.remove_prefix(newline + 1);
        }
        return words;
    }

    bool onRoute(const Tour& tour, std::string_view currentPath)
    {
        return !currentPath.empty() && matchesRoute(currentPath, urlPath(tour.route));
    }

    std::string stepsText(const Tour& tour)
    {
        std::string out;
        int number = 0;
        for (const TourStep& step : tour.steps) {
            out += std::to_string(++number) + ". ";
            const std::string_view title = trimmed(step.title);
            if (!title.empty()) {
                out += "**";
                out += title;
                out += "**: ";
            }
            out += trimmed(step.content);
            out += '\n';
        }
        return out;
    }

    std::string listOfNames(const TourCatalog& catalog)
    {
        std::string out;
        for (const Tour& tour : catalog.tours())
            out += "- " + tour.name + '\n';
        return out;
    }

} // namespace

std::string_view nameOf(TourAnswerReason reason)
{
    switch (reason) {
    case TourAnswerReason::Question:
        return "question";
    case TourAnswerReason::CurrentPage:
        return "current_page";
    case TourAnswerReason::NeedsPage:
        return "needs_page";
    case TourAnswerReason::NoMatch:
        return "no_match";
    case TourAnswerReason::NoTours:
        return "no_tours";
    }
    return "no_tours";
}

TourAnswer composeTourAnswer(const TourCatalog& catalog, std::string_view question, std::string_view currentPage)
{
    TourAnswer answer;
    answer.tourId = "none";
    const std::string_view currentPath = currentPage.empty() ? std::string_view() : urlPath(currentPage);

    if (catalog.empty()) {
        answer.reason = TourAnswerReason::NoTours;
        answer.text = "There are no guided walkthroughs for this product yet, so I cannot point at the steps for "
                      "you. Tell me what you are trying to do and what you see on the page.\n[TOUR:none]";
        return answer;
    }

    Words asked;
    addWords(question, asked);
    std::vector<TourWords> tours;
    for (const Tour& tour : catalog.tours())
        tours.push_back(wordsOf(tour));

    const Tour* chosen = nullptr;
    if (!asked.empty()) {
        const double count = static_cast<double>(tours.size());
        double best = 0;
        for (std::size_t i = 0; i < tours.size(); ++i) {
            double score = 0;
            for (const std::string& word : asked) {
                const auto having = std::count_if(
                    tours.begin(), tours.end(), [&](const TourWords& t) { return t.positive.contains(word); });
                const double weight = std::log(1.0 + count / static_cast<double>(std::max<std::ptrdiff_t>(having, 1)));
                if (tours[i].positive.contains(word))
                    score += weight;
                else if (tours[i].negative.contains(word))
                    score -= weight;
            }
            const Tour& tour = catalog.tours()[i];
            if (score > 0 && onRoute(tour, currentPath))
                score += kPageBonus;
            if (score > best + 1e-9) {
                best = score;
                chosen = &tour;
            }
        }
        answer.reason = chosen ? TourAnswerReason::Question : TourAnswerReason::NoMatch;
    } else {
        for (const Tour& tour : catalog.tours())
            if (onRoute(tour, currentPath)) {
                chosen = &tour;
                break;
            }
        answer.reason = chosen ? TourAnswerReason::CurrentPage : TourAnswerReason::NoMatch;
    }

    if (!chosen) {
        answer.text = asked.empty()
            ? "I am not sure what you are working on yet. I can walk you through:\n\n" + listOfNames(catalog)
                + "\nTell me which one you mean, or describe what you are trying to do.\n[TOUR:none]"
            : "I could not match that to one of the guided walkthroughs. I can show you:\n\n" + listOfNames(catalog)
                + "\nTell me which one you mean, or describe what you are trying to do.\n[TOUR:none]";
        return answer;
    }

    answer.tour = chosen;
    const std::string_view routePath = urlPath(chosen->route);
    const bool here = onRoute(*chosen, currentPath);
    std::string text;
    if (answer.reason == TourAnswerReason::CurrentPage)
        text = "Here is what you can do on this page: **" + chosen->name + "**.\n\n";
    else
        text = "**" + chosen->name + "**: here is how.\n\n";
    text += stepsText(*chosen);

    if (isParameterisedRoute(chosen->route) && !here) {
        answer.reason = TourAnswerReason::NeedsPage;
        text += "\nThis happens on a page like " + std::string(routePath)
            + ", and I cannot pick which one for you: open that page first, then ask me again and I will point "
              "at each step.\n[TOUR:none]";
        answer.text = std::move(text);
        return answer;
    }
    answer.tourId = chosen->id;
    if (!here)
        text += "\nThis happens on " + std::string(routePath) + "; the walkthrough takes you there.\n";
    text += "\nPress \"Show me how\" and I will point at each step on the page.\n[TOUR:" + chosen->id + "]";
    answer.text = std::move(text);
    return answer;
}

} // namespace proactive
