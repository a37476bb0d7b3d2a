#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace proactive::service {

enum class Route {
    Unmatched,
    Healthz,
    Metrics,
    Context, // GET /context/{product_id}/{session_id}
    AgentState, // POST /agent_state/{product_id}/{conversation_id}
    TourEvent, // POST /tour_event/{product_id}/{conversation_id}
    Webhook, // POST /webhook/{product_id}
    Capture, // posthog-js: /e/, /i/v0/e/, /batch/, /capture/
    Decide, // posthog-js: /decide/
    Flags, // posthog-js: /flags/
    RemoteConfig, // posthog-js: /array/{token}/config
    RemoteConfigScript, // posthog-js: /array/{token}/config.js
    Script, // posthog-js: /static/{file} and /static/{version}/{file} (lazy-loaded bundles)
    Recording, // posthog-js: /s/ (session recordings, accepted and ignored)
    Retrieval, // Dify External Knowledge API
};

// Who may call a route from a browser (CORS, SPEC §3 / issue 4).
enum class CorsScope {
    None, // server to server (webhook, retrieval, probes): no CORS headers
    Product, // the product in the path: its cors_origins
    AnyProduct, // posthog-js endpoints: the product is only known from the body's token
};

struct RouteMatch {
    Route route = Route::Unmatched;
    // The route as a template ("/context/{product_id}/{session_id}"): the
    // only form of the path that reaches logs and metrics, so that ids and
    // tokens in paths never do.
    std::string_view pattern = "(unmatched)";
    std::vector<std::string> params; // URL-decoded path segments, in pattern order
};

// Matches a request path as sent (percent-encoded, no query). Each segment
// is decoded separately, so "proactive%3Aabc" is the id "proactive:abc" and
// "%2F" is a slash inside an id. A trailing slash is optional everywhere;
// empty segments match nothing.
RouteMatch matchRoute(std::string_view encodedPath);

// "GET", "POST" or "GET, POST": the methods a route answers besides OPTIONS.
std::string_view allowedMethods(Route route);
bool allowsMethod(Route route, std::string_view method);
CorsScope corsScope(Route route);

} // namespace proactive::service
