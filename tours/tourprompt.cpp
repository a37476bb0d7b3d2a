#include "tourprompt.h"

#include "base/text.h"
#include "intake/canonicalurl.h"
#include "tourcatalog.h"

namespace proactive {

namespace {

    // Blank lines are dropped: in the prompt a blank line ends a catalog entry.
    void appendDescription(std::string& out, std::string_view description)
    {
        while (!description.empty()) {
            const auto newline = description.find('\n');
            const auto line = trimmed(description.substr(0, newline));
            if (!line.empty()) {
                out += "  ";
                out += line;
                out += '\n';
            }
            if (newline == std::string_view::npos)
                break;
            description.remove_prefix(newline + 1);
        }
    }

} // namespace

std::string tourPromptSection(const TourCatalog& catalog)
{
    std::string out = "## Tour catalog\n\n";
    if (catalog.empty())
        out += "No tours are available: always emit [TOUR:none].\n\n";
    std::string parameterisedExample;
    for (const Tour& tour : catalog.tours()) {
        const std::string_view path = urlPath(tour.route);
        out += "- " + tour.id + "  (route: " + std::string(path) + ")\n";
        appendDescription(out, tour.description);
        out += '\n';
        if (parameterisedExample.empty() && isParameterisedRoute(tour.route))
            parameterisedExample = path;
    }
    if (parameterisedExample.empty())
        parameterisedExample = "segments like :id";

    out += "## Tour selection rules\n\n"
           "1. Match the user's question to each tour's \"Use when\" / \"NOT for\".\n"
           "   If nothing fits, emit [TOUR:none].\n"
           "2. Prefer the tour whose route matches the user's CURRENT USER ACTIVITY page.\n"
           "3. For routes with URL parameters ("
        + parameterisedExample
        + "): only emit if the user\n"
          "   is already on a matching page. Otherwise emit [TOUR:none] and explain navigation.\n"
          "4. Emit exactly ONE [TOUR:<id>] tag per response, on its own line, as the last line.\n"
          "   <id> is one of the ids in the catalog above, or none.\n"
          "5. Always answer the question fully in text — the tour is supplementary.\n";
    return out;
}

} // namespace proactive
