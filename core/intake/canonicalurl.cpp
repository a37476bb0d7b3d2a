#include "intake/canonicalurl.h"

#include "base/text.h"
#include "base/uuid.h"
#include "intake/routes.h"

#include <algorithm>

namespace proactive {

namespace {

    struct UrlParts {
        std::string_view scheme; // empty for paths and protocol-relative URLs
        std::string_view host; // host[:port] without user info and default port
        std::string_view path;
        bool hasAuthority = false;
    };

    bool isAlpha(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    bool isDigit(char c)
    {
        return c >= '0' && c <= '9';
    }
    bool isHex(char c)
    {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
    char toLower(char c)
    {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }

    bool equalsIgnoreCase(std::string_view a, std::string_view b)
    {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (toLower(a[i]) != toLower(b[i]))
                return false;
        return true;
    }

    // Until none is left, so that the result has none either ("x:80:" is "x").
    std::string_view withoutDefaultPort(std::string_view scheme, std::string_view host)
    {
        const bool web = equalsIgnoreCase(scheme, "http") || equalsIgnoreCase(scheme, "ws");
        const bool secure = equalsIgnoreCase(scheme, "https") || equalsIgnoreCase(scheme, "wss");
        for (;;) {
            const auto colon = host.rfind(':');
            if (colon == std::string_view::npos || host.find(']', colon) != std::string_view::npos)
                return host;
            const auto port = host.substr(colon + 1);
            if (!port.empty() && !(web && port == "80") && !(secure && port == "443"))
                return host;
            host = host.substr(0, colon);
        }
    }

    // find_first_of for two or three characters, without the generic set search.
    std::size_t findAny(std::string_view text, std::size_t from, char a, char b, char c = '\0')
    {
        for (std::size_t i = from; i < text.size(); ++i) {
            const char ch = text[i];
            if (ch == a || ch == b || (c != '\0' && ch == c))
                return i;
        }
        return std::string_view::npos;
    }

    UrlParts splitUrl(std::string_view url)
    {
        UrlParts parts;
        std::size_t pos = 0;
        if (!url.empty() && isAlpha(url.front())) {
            std::size_t i = 1;
            while (i < url.size()
                && (isAlpha(url[i]) || isDigit(url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.'))
                ++i;
            if (url.substr(i, 3) == "://") {
                parts.scheme = url.substr(0, i);
                parts.hasAuthority = true;
                pos = i + 3;
            }
        }
        if (!parts.hasAuthority && url.starts_with("//")) {
            parts.hasAuthority = true;
            pos = 2;
        }
        if (parts.hasAuthority) {
            auto end = findAny(url, pos, '/', '?', '#');
            if (end == std::string_view::npos)
                end = url.size();
            auto host = url.substr(pos, end - pos);
            if (const auto at = host.rfind('@'); at != std::string_view::npos)
                host.remove_prefix(at + 1);
            parts.host = withoutDefaultPort(parts.scheme, host);
            pos = end;
        }
        const auto end = findAny(url, pos, '?', '#');
        parts.path = url.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        return parts;
    }

    void appendLower(std::string& out, std::string_view text)
    {
        for (const char c : text)
            out += toLower(c);
    }

    void appendOrigin(std::string& out, const UrlParts& parts)
    {
        if (!parts.hasAuthority)
            return;
        if (!parts.scheme.empty()) {
            appendLower(out, parts.scheme);
            out += ':';
        }
        out += "//";
        appendLower(out, parts.host);
    }

    // Appends the path with empty segments and the trailing slash removed,
    // replacing dynamic segments when `replaceDynamic` is set. Spaces around
    // a segment go like those around the URL: "/a /?q" is "/a", as "/a " is.
    void appendPath(std::string& out, std::string_view path, bool replaceDynamic)
    {
        const auto before = out.size();
        std::size_t i = 0;
        while (i < path.size()) {
            const auto slash = path.find('/', i);
            const auto end = slash == std::string_view::npos ? path.size() : slash;
            if (const auto segment = trimmed(path.substr(i, end - i)); !segment.empty()) {
                out += '/';
                if (replaceDynamic && isDynamicPathSegment(segment))
                    out += ":id";
                else
                    out += segment;
            }
            i = end + 1;
        }
        if (out.size() == before)
            out += '/';
    }

    // A route's query and fragment mean nothing, as a URL's: a path written
    // with one would read back as another.
    std::string_view routePath(std::string_view route)
    {
        return splitUrl(route).path;
    }

    // matchesRoute() against the path as canonicalUrl() writes it (empty
    // segments, spaces around segments and the trailing slash gone), without
    // writing it first.
    bool routeMatches(std::string_view rawPath, std::string_view route)
    {
        if (route.empty())
            return false;
        std::string_view pattern = routePath(route);
        if (pattern.size() > 1 && pattern.back() == '/')
            pattern.remove_suffix(1);
        if (pattern.starts_with('/'))
            pattern.remove_prefix(1);
        std::size_t at = 0;
        auto nextSegment = [&](std::string_view& segment) {
            while (at < rawPath.size()) {
                const auto end = std::min(rawPath.find('/', at), rawPath.size());
                segment = trimmed(rawPath.substr(at, end - at));
                at = end + 1;
                if (!segment.empty())
                    return true;
            }
            return false;
        };
        std::string_view have;
        if (pattern.empty())
            return !nextSegment(have);
        std::size_t from = 0;
        for (;;) {
            const auto slash = std::min(pattern.find('/', from), pattern.size());
            const auto want = trimmed(pattern.substr(from, slash - from));
            if (!nextSegment(have))
                return false;
            if (want.size() > 1 && want.front() == ':') {
                // any one segment; the path has no empty ones
            } else if (want != have) {
                return false;
            }
            if (slash == pattern.size())
                return !nextSegment(have);
            from = slash + 1;
        }
    }

} // namespace

bool isDynamicPathSegment(std::string_view segment)
{
    if (segment.empty())
        return false;
    bool allDigits = true;
    bool allHex = true;
    bool idChars = true;
    bool hasLetter = false;
    bool hasDigit = false;
    int mostSwitches = 0; // letter/digit switches inside one `-`/`_` separated word
    int switches = 0;
    int lastClass = 0; // 0: none yet in this word, 1: letter, 2: digit
    for (const char c : segment) {
        const bool digit = isDigit(c);
        const bool letter = isAlpha(c);
        allDigits = allDigits && digit;
        allHex = allHex && isHex(c);
        hasLetter = hasLetter || letter;
        hasDigit = hasDigit || digit;
        if (digit || letter) {
            const int cls = digit ? 2 : 1;
            if (lastClass != 0 && cls != lastClass)
                ++switches;
            lastClass = cls;
        } else if (c == '-' || c == '_') {
            switches = 0;
            lastClass = 0;
        } else {
            idChars = false;
        }
        if (switches > mostSwitches)
            mostSwitches = switches;
    }
    if (allDigits || isUuid(segment) || (allHex && segment.size() >= 12))
        return true;
    return idChars && segment.size() >= 10 && hasLetter && hasDigit && mostSwitches >= 2;
}

std::string canonicalUrl(std::string_view url, std::span<const std::string> routes)
{
    url = trimmed(url);
    if (url.empty())
        return {};
    const UrlParts parts = splitUrl(url);
    std::string out;
    out.reserve(url.size() + 4);
    appendOrigin(out, parts);
    for (const auto& route : routes) {
        if (routeMatches(parts.path, route)) {
            appendPath(out, routePath(route), false);
            return out;
        }
    }
    appendPath(out, parts.path, true);
    return out;
}

std::string_view urlPath(std::string_view url)
{
    const auto path = splitUrl(url).path;
    return path.empty() ? std::string_view("/") : path;
}

bool urlMatchesConfigured(std::string_view observed, std::string_view configured)
{
    configured = trimmed(configured);
    observed = trimmed(observed);
    if (configured.empty())
        return false;
    const UrlParts want = splitUrl(configured);
    const UrlParts have = splitUrl(observed);
    if (want.hasAuthority) {
        if (!have.hasAuthority || !equalsIgnoreCase(want.host, have.host))
            return false;
        if (!want.scheme.empty() && !equalsIgnoreCase(want.scheme, have.scheme))
            return false;
    }
    std::string havePath;
    appendPath(havePath, have.path, false);
    std::string wantPath;
    appendPath(wantPath, want.path, false);
    return matchesRoute(havePath, wantPath);
}

} // namespace proactive
