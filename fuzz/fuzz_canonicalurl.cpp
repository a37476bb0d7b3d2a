// Canonical URLs and route matching (core/intake/canonicalurl.h). The input
// is a URL on its first line and a route table on the lines after it.
// Properties: a canonical URL is its own canonical form (with the same
// routes), and a URL matches itself as a configured URL.

#include "fuzzcheck.h"
#include "intake/canonicalurl.h"

#include <string>
#include <vector>

using namespace proactive;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input = fuzz::bytes(data, size);
    const auto newline = input.find('\n');
    const std::string_view url = input.substr(0, newline);
    std::vector<std::string> routes;
    for (std::size_t from = newline; from != std::string_view::npos && routes.size() < 8;) {
        const auto end = input.find('\n', from + 1);
        routes.emplace_back(input.substr(from + 1, end == std::string_view::npos ? end : end - from - 1));
        from = end;
    }

    const std::string canonical = canonicalUrl(url, routes);
    const std::string again = canonicalUrl(canonical, routes);
    if (again != canonical)
        fuzz::fail("canonicalUrl is not idempotent: `" + canonical + "` -> `" + again + "`");
    if (!canonical.empty() && !urlMatchesConfigured(canonical, canonical))
        fuzz::fail("a canonical URL does not match itself: " + canonical);

    urlPath(url);
    for (const std::string& route : routes) {
        urlMatchesConfigured(url, route);
        isDynamicPathSegment(route);
    }
    return 0;
}
