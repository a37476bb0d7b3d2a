#include "service/route.h"

#include "base/percentencoding.h"

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

    std::vector<std::string_view> segments(std::string_view path)
    {
        std::vector<std::string_view> result;
        if (path.starts_with('/'))
            path.remove_prefix(1);
        if (path.ends_with('/'))
            path.remove_suffix(1);
        if (path.empty())
            return result;
        while (true) {
            const auto slash = path.find('/');
            result.push_back(path.substr(0, slash));
            if (slash == std::string_view::npos)
                break;
            path.remove_prefix(slash + 1);
        }
        return result;
    }

} // namespace

RouteMatch matchRoute(std::string_view encodedPath)
{
    const auto actual = segments(encodedPath);
    for (const RouteSpec& spec : kRoutes) {
        const auto expected = segments(spec.pattern);
        if (expected.size() != actual.size())
            continue;
        RouteMatch match { spec.route, spec.pattern, {} };
        bool matches = true;
        for (std::size_t i = 0; i < expected.size() && matches; ++i) {
            if (actual[i].empty())
                matches = false;
            else if (expected[i].starts_with('{'))
                match.params.push_back(percentDecode(actual[i]));
            else
                matches = expected[i] == actual[i];
        }
        if (matches)
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
