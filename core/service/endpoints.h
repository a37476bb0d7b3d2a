#pragma once

#include "service/requestreader.h"
#include "service/route.h"

#include <QByteArray>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proactive {
class Connector;
class PostHogIntake;
struct IntakeBatch;
struct Error;
struct Product;
} // namespace proactive

namespace proactive::service {

class Metrics;
struct ServiceSettings;

using Headers = std::vector<std::pair<QByteArray, QByteArray>>;

// One HTTP answer, before it is written to the socket.
struct Reply {
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QByteArray body;
    Headers headers;
};

// {"error": code, "message": message} with `status`.
Reply errorReply(int status, std::string_view code, std::string_view message);

// Whether a browser origin may call a product's endpoints: listed in its
// cors_origins ("*" allows any; compared without a trailing slash, ignoring
// case), or, when the list is empty, any http(s) origin on localhost,
// 127.0.0.1 or [::1].
bool originAllowed(const Product& product, std::string_view origin);

// What the service answers on each route (SPEC §1–§3, §5): the connector
// façade behind an HTTP surface, CORS included. Not thread-safe (it reuses
// the intake's parse buffers): one per service, used from its thread.
class Endpoints final {
public:
    Endpoints(Connector& connector, Metrics& metrics, const ServiceSettings& settings);
    ~Endpoints();
    Endpoints(const Endpoints&) = delete;
    Endpoints& operator=(const Endpoints&) = delete;

    Reply answer(const HttpRequest& request, const RouteMatch& match);

    // The CORS headers an answer to `origin` on this route carries (none when
    // the origin is not allowed or the route is not for browsers).
    Headers corsHeaders(const RouteMatch& match, std::string_view origin) const;

private:
    enum class OriginCheck { NotBrowser, Allowed, Refused, UnknownProduct };
    OriginCheck checkOrigin(const RouteMatch& match, std::string_view origin) const;

    Reply dispatch(const HttpRequest& request, const RouteMatch& match);
    Reply preflight(const HttpRequest& request, const RouteMatch& match);
    Reply healthz() const;
    Reply context(const HttpRequest& request, const RouteMatch& match);
    Reply agentState(const HttpRequest& request, const RouteMatch& match);
    Reply tourEvent(const HttpRequest& request, const RouteMatch& match);
    Reply webhook(const HttpRequest& request, const RouteMatch& match);
    Reply capture(const HttpRequest& request);
    Reply retrieval(const HttpRequest& request);
    Reply remoteConfig(const RouteMatch& match) const;
    Reply remoteConfigScript(const RouteMatch& match) const;
    Reply metricsText() const;
    Reply failure(const Error& error) const;
    // What /agent_state and /tour_event check first: the product exists, and
    // the body is a JSON object like `example` within the agent-state bound.
    // The refusal, or none with `json` set.
    std::optional<Reply> readClientReport(
        const HttpRequest& request, const std::string& productId, std::string_view example, nlohmann::json& json) const;
    // 400 for a body none of whose events could be read.
    Reply badEvents(const IntakeBatch& batch) const;
    // `answer` with "rejected" (the first errors of the intake, then of the
    // connector) and "rejected_count": 200, or 503 with Retry-After when
    // nothing was kept and the new-session bounds refused some of it: the
    // sender should retry later, and posthog-js retries 5xx but drops a 429
    // (a partly kept batch is 200, its refused events listed).
    Reply ingestReply(nlohmann::json answer, const IntakeBatch& batch, const std::vector<Error>& notKept,
        std::size_t kept, std::size_t limited) const;

    Connector& m_connector;
    Metrics& m_metrics;
    const ServiceSettings& m_settings;
    std::unique_ptr<PostHogIntake> m_intake;
};

} // namespace proactive::service
