#include "intake/routes.h"

#include "intake/canonicalurl.h"

namespace proactive {

namespace {

    std::string_view trimSlashes(std::string_view path)
    {
        if (path.size() > 1 && path.back() == '/')
            path.remove_suffix(1);
        if (!path.empty() && path.front() == '/')
            path.remove_prefix(1);
        return path;
    }

    std::string_view nextSegment(std::string_view& rest)
    {
        const auto slash = rest.find('/');
        const auto segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        return segment;
    }

} // namespace

bool matchesRoute(std::string_view path, std::string_view pattern)
{
    if (pattern.empty())
        return false;
    // Patterns are paths nearly always; only a full URL needs splitting.
    std::string_view want
        = trimSlashes(pattern.front() == '/' && !pattern.starts_with("//") ? pattern : urlPath(pattern));
    std::string_view have = trimSlashes(path.empty() ? std::string_view("/") : path);
    for (;;) {
        const bool wantDone = want.data() == nullptr;
        const bool haveDone = have.data() == nullptr;
        if (wantDone || haveDone)
            return wantDone && haveDone;
        const auto w = nextSegment(want);
        const auto h = nextSegment(have);
        if (w.size() > 1 && w.front() == ':') {
            if (h.empty())
                return false;
        } else if (w != h) {
            return false;
        }
    }
}

const std::string* findRoute(std::string_view path, std::span<const std::string> routes)
{
    for (const auto& route : routes)
        if (matchesRoute(path, route))
            return &route;
    return nullptr;
}

} // namespace proactive
