#include "service/route.h"

#include "base/percentencoding.h"

#include <algorithm>
#include <array>

namespace proactive::service {

namespace {

    // One route: literal segments, and "{name}" for a parameter.
    struct RouteSpec {
        Route route;
        std::string_view pattern;
    };

    constexpr std::array kRoutes {
        RouteSpec { Route::Healthz, "/healthz" },
        RouteSpec { Route::Metrics, "/metrics" },
        RouteSpec { Route::Context, "/context/{product_id}/{session_id}" },
        RouteSpec { Route::AgentState, "/agent_state/{product_id}/{conversation_id}" },
        RouteSpec { Route::TourEvent, "/tour_event/{product_id}/{conversation_id}" },
        RouteSpec { Route::Webhook, "/webhook/{product_id}" },
        RouteSpec { Route::Capture, "/e/" },
        RouteSpec { Route::Capture, "/i/v0/e/" },
        RouteSpec { Route::Capture, "/batch/" },
        RouteSpec { Route::Capture, "/capture/" },
        RouteSpec { Route::Decide, "/decide/" },
        RouteSpec { Route::Flags, "/flags/" },
        RouteSpec { Route::RemoteConfig, "/array/{token}/config" },
        RouteSpec { Route::RemoteConfigScript, "/array/{token}/config.js" },
        RouteSpec { Route::Script, "/static/{file}" },
        RouteSpec { Route::Script, "/static/{version}/{file}" },
        RouteSpec { Route::Recording, "/s/" },
        RouteSpec { Route::Retrieval, "/retrieval" },
    };

    // A path without its leading and its trailing slash.
    std::string_view trimmed(std::string_view path)
    {
        if (path.starts_with('/'))
            path.remove_prefix(1);
        if (path.ends_with('/'))
            path.remove_suffix(1);
        return path;
    }

    // Calls `visit(expected, actual)` on the segments of the trimmed `pattern`
    // and `path` side by side, as long as it returns true; whether it always
    // did and both ran out of segments together. Neither is copied: this
    // runs for every route tried on every request.
    template<typename Visit> bool alongside(std::string_view pattern, std::string_view path, Visit&& visit)
    {
        while (true) {
            const auto expectedEnd = pattern.find('/');
            const auto actualEnd = path.find('/');
            if (!visit(pattern.substr(0, expectedEnd), path.substr(0, actualEnd)))
                return false;
            if (expectedEnd == std::string_view::npos || actualEnd == std::string_view::npos)
                return expectedEnd == actualEnd;
            pattern.remove_prefix(expectedEnd + 1);
            path.remove_prefix(actualEnd + 1);
        }
    }

    bool isParameter(std::string_view segment)
    {
        return segment.starts_with('{');
    }

} // namespace

RouteMatch matchRoute(std::string_view encodedPath)
{
    const std::string_view path = trimmed(encodedPath);
    for (const RouteSpec& spec : kRoutes) {
        const std::string_view pattern = trimmed(spec.pattern);
        const bool matches = alongside(pattern, path, [](std::string_view expected, std::string_view actual) {
            return !actual.empty() && (isParameter(expected) || expected == actual);
        });
        if (!matches)
            continue;
        RouteMatch match { spec.route, spec.pattern, {} };
        match.params.reserve(std::size_t(std::count(pattern.begin(), pattern.end(), '{')));
        alongside(pattern, path, [&](std::string_view expected, std::string_view actual) {
            if (isParameter(expected))
                match.params.push_back(percentDecode(actual));
            return true;
        });
        return match;
    }
    return {};
}

std::string_view allowedMethods(Route route)
{
    switch (route) {
    case Route::Healthz:
    case Route::Metrics:
    case Route::Context:
    case Route::RemoteConfig:
    case Route::RemoteConfigScript:
    case Route::Script:
        return "GET";
    case Route::Decide:
    case Route::Flags:
        return "GET, POST";
    case Route::AgentState:
    case Route::TourEvent:
    case Route::Webhook:
    case Route::Capture:
    case Route::Recording:
    case Route::Retrieval:
        return "POST";
    case Route::Unmatched:
        break;
    }
    return "";
}

bool allowsMethod(Route route, std::string_view method)
{
    std::string_view allowed = allowedMethods(route);
    while (!allowed.empty()) {
        const auto comma = allowed.find(", ");
        if (allowed.substr(0, comma) == method)
            return true;
        if (comma == std::string_view::npos)
            break;
        allowed.remove_prefix(comma + 2);
    }
    return false;
}

CorsScope corsScope(Route route)
{
    switch (route) {
    case Route::Context:
    case Route::AgentState:
    case Route::TourEvent:
        return CorsScope::Product;
    case Route::Capture:
    case Route::Decide:
    case Route::Flags:
    case Route::RemoteConfig:
    case Route::RemoteConfigScript:
    case Route::Script:
    case Route::Recording:
        return CorsScope::AnyProduct;
    case Route::Healthz:
    case Route::Metrics:
    case Route::Webhook:
    case Route::Retrieval:
    case Route::Unmatched:
        break;
    }
    return CorsScope::None;
}

} // namespace proactive::service
