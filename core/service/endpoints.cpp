#include "service/endpoints.h"

#include "base/jsonreader.h"
#include "connector/connector.h"
#include "emit/tourprogress.h"
#include "intake/posthogintake.h"
#include "service/metrics.h"
#include "service/retrieval.h"
#include "service/servicesettings.h"

#include <QCryptographicHash>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace proactive::service {

namespace {

    QByteArray bytesOf(std::string_view text)
    {
        return { text.data(), qsizetype(text.size()) };
    }

    QByteArray dumped(const nlohmann::json& json)
    {
        return QByteArray::fromStdString(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }

    Reply jsonReply(int status, const nlohmann::json& json)
    {
        return { status, QByteArrayLiteral("application/json"), dumped(json), {} };
    }

    // Compares digests, so that neither the content nor the length of the
    // expected secret shows in the time the comparison takes.
    bool secretsEqual(std::string_view given, std::string_view expected)
    {
        const auto digest = [](std::string_view text) {
            return QCryptographicHash::hash(
                QByteArrayView(text.data(), static_cast<qsizetype>(text.size())), QCryptographicHash::Sha256);
        };
        const QByteArray a = digest(given);
        const QByteArray b = digest(expected);
        unsigned char difference = 0;
        for (qsizetype i = 0; i < a.size(); ++i)
            difference |= static_cast<unsigned char>(a[i] ^ b[i]);
        return difference == 0 && !expected.empty();
    }

    // "scheme://host[:port]" with host localhost, 127.0.0.1 or [::1].
    bool isLocalOrigin(std::string_view origin)
    {
        std::string_view rest;
        if (origin.starts_with("http://"))
            rest = origin.substr(7);
        else if (origin.starts_with("https://"))
            rest = origin.substr(8);
        else
            return false;
        for (const std::string_view host : { "localhost", "127.0.0.1", "[::1]" }) {
            if (rest.size() < host.size() || !equalsIgnoringAsciiCase(rest.substr(0, host.size()), host))
                continue;
            const std::string_view port = rest.substr(host.size());
            if (port.empty())
                return true;
            if (port.size() > 1 && port.front() == ':'
                && port.substr(1).find_first_not_of("0123456789") == std::string_view::npos)
                return true;
        }
        return false;
    }

    bool truthy(std::string_view value)
    {
        return value == "1" || equalsIgnoringAsciiCase(value, "true") || equalsIgnoringAsciiCase(value, "yes");
    }

    int statusOf(const Error& error)
    {
        if (error.code == "unknown_product")
            return 404;
        if (error.code == "unknown_event")
            return 400;
        // The store cannot answer now; posthog-js and pollers retry a 503.
        if (error.code == "store_unavailable" || error.code == "store_busy")
            return 503;
        return 500;
    }

    // At most `max` errors; an answer states how many there were in all.
    nlohmann::json errorsJson(const std::vector<Error>& errors, std::size_t max)
    {
        nlohmann::json list = nlohmann::json::array();
        for (std::size_t i = 0; i < errors.size() && i < max; ++i)
            list.push_back(
                { { "error", errors[i].code }, { "message", errors[i].message }, { "where", errors[i].where } });
        return list;
    }

    // A body the intake refused whole: too large once decoded, too many
    // events or values (413), or a project token of no product (401).
    Reply refusalReply(const Error& refusal)
    {
        const int status = refusal.code == "unknown_token" ? 401 : 413;
        return errorReply(
            status, refusal.code, refusal.where.empty() ? refusal.message : refusal.where + ": " + refusal.message);
    }

    // Dify's External Knowledge API error (error_code, error_msg) with this
    // service's error and message alongside.
    Reply difyError(int status, int code, std::string_view error, std::string_view message)
    {
        return jsonReply(
            status, { { "error_code", code }, { "error_msg", message }, { "error", error }, { "message", message } });
    }

    // What posthog-js needs from /decide/ and /flags/ (v1 to v4 readers):
    // no flags, no session recording, no site apps or surveys, and the
    // compressions this connector decodes.
    const nlohmann::json& noFlagsAnswer()
    {
        static const nlohmann::json answer {
            { "config", { { "enable_collect_everything", true } } },
            { "featureFlags", nlohmann::json::object() },
            { "featureFlagPayloads", nlohmann::json::object() },
            { "flags", nlohmann::json::object() },
            { "errorsWhileComputingFlags", false },
            { "quotaLimited", nlohmann::json::array() },
            { "sessionRecording", false },
            { "supportedCompression", { "gzip", "gzip-js" } },
            { "autocapture_opt_out", false },
            { "capturePerformance", false },
            { "autocaptureExceptions", false },
            { "heatmaps", false },
            { "surveys", false },
            { "siteApps", nlohmann::json::array() },
            { "toolbarParams", nlohmann::json::object() },
            { "isAuthenticated", false },
            { "elementsChainAsString", true },
        };
        return answer;
    }

    // posthog-js's remote config (/array/{token}/config and, inside a
    // script, config.js) as a PostHog project with everything off answers
    // it: no flags (so no /flags/ call on load), no recording, surveys,
    // product tours, heatmaps, dead clicks, web vitals, exception or console
    // capture, no site apps. autocapture_opt_out stays false: the page's own
    // `autocapture` setting decides, and the connector lives on its clicks.
    nlohmann::json remoteConfigJson(const std::string& token)
    {
        return {
            { "token", token },
            { "supportedCompression", { "gzip", "gzip-js" } },
            { "hasFeatureFlags", false },
            { "captureDeadClicks", false },
            { "capturePerformance", false },
            { "autocapture_opt_out", false },
            { "autocaptureExceptions", false },
            { "errorTracking",
                { { "autocaptureExceptions", false }, { "suppressionRules", nlohmann::json::array() } } },
            { "logs", { { "captureConsoleLogs", false } } },
            { "elementsChainAsString", true },
            { "sessionRecording", false },
            { "heatmaps", false },
            { "surveys", false },
            { "productTours", false },
            { "conversations", false },
            { "defaultIdentifiedOnly", true },
            { "siteApps", nlohmann::json::array() },
        };
    }

    // Where posthog-js loads a script (crossorigin="anonymous", so CORS
    // applies as to any call).
    Reply scriptReply(QByteArray body)
    {
        return { 200, QByteArrayLiteral("application/javascript; charset=utf-8"), std::move(body), {} };
    }

    // posthog-js lazy-loads its extensions (surveys.js, recorder.js, ...)
    // from /static/ on api_host; with every feature off there is nothing to
    // run, and an empty script loads without an error where a 404 would
    // not. posthog-js itself (array*.js, what PostHog's snippet loads from
    // there) is not served: an empty one would fail silently.
    Reply staticScript(std::string_view file)
    {
        if (file.starts_with("array") && file.ends_with(".js"))
            return errorReply(404, "not_found",
                "the connector does not serve posthog-js itself: load it from npm or PostHog's CDN "
                "(the snippet's asset host), with api_host pointing here");
        if (!file.ends_with(".js"))
            return errorReply(404, "not_found", "only posthog-js's extension scripts are served under /static/");
        return scriptReply({});
    }

} // namespace

Reply errorReply(int status, std::string_view code, std::string_view message)
{
    return jsonReply(status, { { "error", code }, { "message", message } });
}

bool originAllowed(const Product& product, std::string_view origin)
{
    if (origin.empty())
        return false;
    if (product.corsOrigins.empty())
        return isLocalOrigin(origin);
    return std::any_of(product.corsOrigins.begin(), product.corsOrigins.end(), [&](std::string_view allowed) {
        if (allowed == "*")
            return true;
        while (allowed.ends_with('/'))
            allowed.remove_suffix(1);
        return equalsIgnoringAsciiCase(allowed, origin);
    });
}

Endpoints::Endpoints(Connector& connector, Metrics& metrics, const ServiceSettings& settings)
    : m_connector(connector)
    , m_metrics(metrics)
    , m_settings(settings)
    , m_intake(std::make_unique<PostHogIntake>(IntakeOptions {},
          IntakeLimits { settings.maxEventsPerRequest, settings.maxErrorsListed, settings.maxJsonValuesPerRequest }))
{ }

Endpoints::~Endpoints() = default;

Endpoints::OriginCheck Endpoints::checkOrigin(const RouteMatch& match, std::string_view origin) const
{
    const CorsScope scope = corsScope(match.route);
    if (scope == CorsScope::None || origin.empty())
        return OriginCheck::NotBrowser;
    const auto workspace = m_connector.workspace();
    if (scope == CorsScope::Product) {
        const Product* product = workspace->product(match.params.front());
        if (!product)
            return OriginCheck::UnknownProduct;
        return originAllowed(*product, origin) ? OriginCheck::Allowed : OriginCheck::Refused;
    }
    const auto& products = workspace->products();
    return std::any_of(products.begin(), products.end(), [&](const Product& p) { return originAllowed(p, origin); })
        ? OriginCheck::Allowed
        : OriginCheck::Refused;
}

Headers Endpoints::corsHeaders(const RouteMatch& match, std::string_view origin) const
{
    if (checkOrigin(match, origin) != OriginCheck::Allowed)
        return {};
    return { { QByteArrayLiteral("Access-Control-Allow-Origin"), QByteArray(origin.data(), qsizetype(origin.size())) },
        { QByteArrayLiteral("Vary"), QByteArrayLiteral("Origin") } };
}

Reply Endpoints::answer(const HttpRequest& request, const RouteMatch& match)
{
    if (match.route == Route::Unmatched)
        return errorReply(404, "not_found", "no such endpoint");
    const std::string_view method = request.method();
    const std::string_view origin = request.header("origin");
    if (method == "OPTIONS")
        return preflight(request, match);
    if (!allowsMethod(match.route, method)) {
        Reply reply = errorReply(
            405, "method_not_allowed", "this endpoint answers " + std::string(allowedMethods(match.route)));
        reply.headers.emplace_back(QByteArrayLiteral("Allow"),
            QByteArray::fromStdString(std::string(allowedMethods(match.route)) + ", OPTIONS"));
        return reply;
    }
    Reply reply;
    if (checkOrigin(match, origin) == OriginCheck::Refused)
        reply = errorReply(403, "origin_not_allowed", "this origin is not in the product's cors_origins");
    else
        reply = dispatch(request, match);
    if (corsScope(match.route) != CorsScope::None) {
        const Headers cors = corsHeaders(match, origin);
        reply.headers.reserve(reply.headers.size() + std::max<std::size_t>(cors.size(), 1));
        reply.headers.insert(reply.headers.end(), cors.begin(), cors.end());
        if (cors.empty())
            reply.headers.emplace_back(QByteArrayLiteral("Vary"), QByteArrayLiteral("Origin"));
    }
    return reply;
}

Reply Endpoints::dispatch(const HttpRequest& request, const RouteMatch& match)
{
    Reply reply;
    switch (match.route) {
    case Route::Healthz:
        reply = healthz();
        break;
    case Route::Metrics:
        reply = metricsText();
        break;
    case Route::Context:
        reply = context(request, match);
        break;
    case Route::AgentState:
        reply = agentState(request, match);
        break;
    case Route::TourEvent:
        reply = tourEvent(request, match);
        break;
    case Route::Webhook:
        reply = webhook(request, match);
        break;
    case Route::Capture:
        reply = capture(request);
        break;
    case Route::Decide:
    case Route::Flags:
        reply = jsonReply(200, noFlagsAnswer());
        break;
    case Route::RemoteConfig:
        reply = remoteConfig(match);
        break;
    case Route::RemoteConfigScript:
        reply = remoteConfigScript(match);
        break;
    case Route::Script:
        reply = staticScript(match.params.back());
        break;
    case Route::Recording:
        reply = jsonReply(200, { { "status", 1 } });
        break;
    case Route::Retrieval:
        reply = retrieval(request);
        break;
    case Route::Unmatched:
        return errorReply(404, "not_found", "no such endpoint");
    }
    return reply;
}

Reply Endpoints::preflight(const HttpRequest& request, const RouteMatch& match)
{
    const std::string_view origin = request.header("origin");
    const QByteArray allow = QByteArray::fromStdString(std::string(allowedMethods(match.route)) + ", OPTIONS");
    if (origin.empty() || request.header("access-control-request-method").empty()) {
        Reply reply { 204, {}, {}, { { QByteArrayLiteral("Allow"), allow } } };
        return reply;
    }
    switch (checkOrigin(match, origin)) {
    case OriginCheck::UnknownProduct:
        return errorReply(404, "unknown_product", "no product \"" + match.params.front() + "\" in the workspace");
    case OriginCheck::NotBrowser:
        return errorReply(403, "origin_not_allowed", "this endpoint is not for browsers");
    case OriginCheck::Refused:
        return errorReply(403, "origin_not_allowed", "this origin is not in the product's cors_origins");
    case OriginCheck::Allowed:
        break;
    }
    const std::string_view requested = request.header("access-control-request-headers");
    const QByteArray requestedHeaders = requested.empty() ? QByteArrayLiteral("Content-Type") : bytesOf(requested);
    return { 204, {}, {},
        {
            { QByteArrayLiteral("Access-Control-Allow-Origin"), bytesOf(origin) },
            { QByteArrayLiteral("Access-Control-Allow-Methods"), allow },
            { QByteArrayLiteral("Access-Control-Allow-Headers"), requestedHeaders },
            { QByteArrayLiteral("Access-Control-Max-Age"), QByteArrayLiteral("600") },
            { QByteArrayLiteral("Vary"),
                QByteArrayLiteral("Origin, Access-Control-Request-Method, Access-Control-Request-Headers") },
        } };
}

Reply Endpoints::failure(const Error& error) const
{
    // Where the store is and why it failed is the operator's business (serve
    // logs it), not the internet's.
    if (error.code == "store_unavailable")
        return errorReply(503, error.code, "the connector's store cannot be reached now; retry");
    if (error.code == "store_busy")
        return errorReply(503, error.code, "the connector's store is busy with this session; retry");
    return errorReply(statusOf(error), error.code, error.message);
}

Reply Endpoints::metricsText() const
{
    return { 200, QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"),
        QByteArray::fromStdString(m_metrics.render()), {} };
}

// 503 while the store cannot be reached, so that a load balancer takes the
// instance out; where the store is stays out of the answer.
Reply Endpoints::healthz() const
{
    const StoreHealth store = m_connector.storeHealth();
    nlohmann::json answer { { "status", store.ok ? "ok" : "unavailable" },
        { "store", { { "kind", store.kind }, { "ok", store.ok } } } };
    if (!store.ok)
        answer["store"]["error"] = store.detail;
    return jsonReply(store.ok ? 200 : 503, answer);
}

Reply Endpoints::context(const HttpRequest& request, const RouteMatch& match)
{
    std::string conversationId = request.queryValue("conversation_id");
    const bool explain = truthy(request.queryValue("explain"));
    const std::string& productId = match.params[0];
    auto decision = m_connector.context(productId, match.params[1], std::move(conversationId), explain);
    if (!decision)
        return failure(decision.error());
    if (decision->offer)
        m_metrics.countFiring(productId, decision->offer->triggerId);
    if (decision->skipReason)
        m_metrics.countSkip(*decision->skipReason);
    for (const TransitionRecord& transition : decision->transitions)
        m_metrics.countTransition(transition.event);
    return { 200, QByteArrayLiteral("application/json"), QByteArray::fromStdString(contextJson(*decision, explain)),
        { { QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store") } } };
}

std::optional<Reply> Endpoints::readClientReport(
    const HttpRequest& request, const std::string& productId, std::string_view example, nlohmann::json& json) const
{
    if (!m_connector.workspace()->product(productId))
        return errorReply(404, "unknown_product", "no product \"" + productId + "\" in the workspace");
    const std::string_view body = request.body();
    if (std::int64_t(body.size()) > m_settings.maxAgentStateBodyBytes)
        return errorReply(413, "payload_too_large",
            "this body is at most " + std::to_string(m_settings.maxAgentStateBodyBytes) + " bytes");
    json = parseJsonText(body);
    if (json.is_discarded() || !json.is_object())
        return errorReply(400, "bad_json", "the body must be a JSON object like " + std::string(example));
    return std::nullopt;
}

Reply Endpoints::agentState(const HttpRequest& request, const RouteMatch& match)
{
    const std::string& productId = match.params[0];
    nlohmann::json json;
    if (auto refused = readClientReport(request, productId, R"({"event": "proactive_dismissed"})", json))
        return *refused;
    const auto event = json.find("event");
    if (event == json.end() || !event->is_string())
        return errorReply(400, "bad_request", "the body must have a string \"event\"");
    auto outcome = m_connector.agentState(productId, match.params[1], event->get_ref<const std::string&>());
    if (!outcome)
        return failure(outcome.error());
    if (outcome->expiry)
        m_metrics.countTransition(outcome->expiry->event);
    if (outcome->transition)
        m_metrics.countTransition(outcome->transition->event);
    if (outcome->kind == FsmOutcome::Kind::InvalidTransition)
        return jsonReply(200,
            { { "reason", "invalid_transition" }, { "state", nameOf(outcome->state) },
                { "message", outcome->message } });
    return jsonReply(
        200, { { "ok", true }, { "state", nameOf(outcome->state) }, { "previous_state", nameOf(outcome->previous) } });
}

Reply Endpoints::tourEvent(const HttpRequest& request, const RouteMatch& match)
{
    const std::string& productId = match.params[0];
    nlohmann::json json;
    if (auto refused = readClientReport(
            request, productId, R"({"event": "tour_step_shown", "tour_id": "…", "step": 1, "steps": 3})", json))
        return *refused;
    const auto progress = parseTourProgress(json);
    if (!progress)
        return jsonReply(400,
            { { "error", progress.error().code }, { "message", progress.error().message },
                { "field", progress.error().where } });
    auto exported = m_connector.tourProgress(productId, match.params[1], *progress);
    if (!exported)
        return failure(exported.error());
    return jsonReply(200, { { "ok", true }, { "event", progress->exportedEvent() }, { "exported", *exported } });
}

Reply Endpoints::webhook(const HttpRequest& request, const RouteMatch& match)
{
    const std::string& productId = match.params[0];
    const auto workspace = m_connector.workspace();
    const Product* product = workspace->product(productId);
    if (!product)
        return errorReply(404, "unknown_product", "no product \"" + productId + "\" in the workspace");
    if (!secretsEqual(request.header("x-posthog-secret"), product->webhookSecret))
        return errorReply(401, "unauthorized", "missing or wrong x-posthog-secret header");

    // PostHog sends its own times: they are kept as they are.
    m_intake->setOptions({ m_connector.clock().now(), false, {} });
    IntakeBatch batch = m_intake->parseBody(request.body());
    if (batch.refusal)
        return refusalReply(*batch.refusal);
    if (batch.events.empty() && batch.errorCount > 0) {
        m_metrics.countIngest(productId, 0, 0, batch.errorCount);
        return badEvents(batch);
    }
    std::vector<Action> actions;
    actions.reserve(batch.events.size());
    for (IntakeEvent& event : batch.events)
        actions.push_back(std::move(event.action));
    auto ingested = m_connector.ingest(productId, std::move(actions));
    if (!ingested)
        return failure(ingested.error());
    m_metrics.countIngest(
        productId, ingested->accepted, ingested->duplicates, batch.errorCount + ingested->rejected.size());
    nlohmann::json rotations = nlohmann::json::array();
    for (const SessionRotation& r : ingested->rotations)
        rotations.push_back({ { "distinct_id", r.distinctId }, { "previous_session_id", r.previousSessionId },
            { "session_id", r.sessionId } });
    nlohmann::json answer { { "ok", true }, { "accepted", ingested->accepted }, { "duplicates", ingested->duplicates },
        { "rotations", rotations } };
    return ingestReply(
        std::move(answer), batch, ingested->rejected, ingested->accepted + ingested->duplicates, ingested->limited);
}

Reply Endpoints::capture(const HttpRequest& request)
{
    auto decoded = decodeCaptureBody(request.body(), request.header("content-type"), request.queryValue("compression"),
        m_settings.maxDecodedBodyBytes);
    if (!decoded)
        return errorReply(
            decoded.error().code == "body_too_large" ? 413 : 400, decoded.error().code, decoded.error().message);

    // Like PostHog: client times are moved onto this clock by (now − sent_at).
    // The whole request is refused when one token is unknown (a capture
    // request comes from one posthog-js instance, with one project token),
    // and that is known before the events after it are read.
    const auto workspace = m_connector.workspace();
    m_intake->setOptions({ m_connector.clock().now(), true,
        [&workspace](std::string_view token) { return workspace->productByToken(token) != nullptr; } });
    IntakeBatch batch = m_intake->parseBody(*decoded);
    if (batch.refusal)
        return refusalReply(*batch.refusal);
    if (batch.events.empty() && batch.errorCount > 0)
        return badEvents(batch);

    std::map<std::string, std::vector<Action>> byProduct;
    for (IntakeEvent& event : batch.events) {
        auto& actions = byProduct[workspace->productByToken(event.token)->id];
        // A body is one page's events, one product's: room for all at once
        // rather than moving the large Actions each time the vector grows.
        if (actions.empty())
            actions.reserve(batch.events.size());
        actions.push_back(std::move(event.action));
    }
    std::size_t accepted = 0;
    std::size_t duplicates = 0;
    std::size_t limited = 0;
    std::vector<Error> rejected;
    for (auto& [productId, actions] : byProduct) {
        auto ingested = m_connector.ingest(productId, std::move(actions));
        if (!ingested)
            return failure(ingested.error());
        accepted += ingested->accepted;
        duplicates += ingested->duplicates;
        limited += ingested->limited;
        m_metrics.countIngest(productId, ingested->accepted, ingested->duplicates, ingested->rejected.size());
        rejected.insert(rejected.end(), std::make_move_iterator(ingested->rejected.begin()),
            std::make_move_iterator(ingested->rejected.end()));
    }
    nlohmann::json answer { { "status", 1 }, { "accepted", accepted }, { "duplicates", duplicates } };
    return ingestReply(std::move(answer), batch, rejected, accepted + duplicates, limited);
}

Reply Endpoints::badEvents(const IntakeBatch& batch) const
{
    return jsonReply(400,
        { { "error", "bad_events" }, { "message", batch.errors.front().toString() },
            { "errors", errorsJson(batch.errors, m_settings.maxErrorsListed) }, { "error_count", batch.errorCount } });
}

Reply Endpoints::ingestReply(nlohmann::json answer, const IntakeBatch& batch, const std::vector<Error>& notKept,
    std::size_t kept, std::size_t limited) const
{
    std::vector<Error> listed = batch.errors;
    for (std::size_t i = 0; i < notKept.size() && listed.size() < m_settings.maxErrorsListed; ++i)
        listed.push_back(notKept[i]);
    answer["rejected"] = errorsJson(listed, m_settings.maxErrorsListed);
    answer["rejected_count"] = batch.errorCount + notKept.size();
    if (kept > 0 || limited == 0)
        return jsonReply(200, answer);
    const auto firstLimit = std::find_if(notKept.begin(), notKept.end(),
        [](const Error& e) { return e.code == "too_many_sessions" || e.code == "session_rate_limited"; });
    answer["error"] = firstLimit->code;
    answer["message"] = firstLimit->message;
    Reply reply = jsonReply(503, answer);
    reply.headers.emplace_back(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1"));
    return reply;
}

Reply Endpoints::remoteConfig(const RouteMatch& match) const
{
    return jsonReply(200, remoteConfigJson(match.params[0]));
}

Reply Endpoints::remoteConfigScript(const RouteMatch& match) const
{
    // What PostHog's config.js does: leave the config where posthog-js looks
    // first, so it does not fall back to /array/{token}/config. ASCII-only
    // JSON (invalid UTF-8 replaced) is a JavaScript literal whatever the
    // token holds.
    const auto literal
        = [](const nlohmann::json& json) { return json.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace); };
    const nlohmann::json config { { "config", remoteConfigJson(match.params[0]) },
        { "siteApps", nlohmann::json::array() } };
    return scriptReply(
        QByteArray::fromStdString("(function () {\n"
                                  "  window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {};\n"
                                  "  window._POSTHOG_REMOTE_CONFIG["
            + literal(match.params[0]) + "] = " + literal(config) + ";\n})();\n"));
}

Reply Endpoints::retrieval(const HttpRequest& request)
{
    const std::string_view header = request.header("authorization");
    constexpr std::string_view scheme = "bearer ";
    if (header.size() <= scheme.size() || !equalsIgnoringAsciiCase(header.substr(0, scheme.size()), scheme))
        return difyError(403, 1001, "invalid_authorization_header",
            "Invalid Authorization header format. Expected 'Bearer <api-key>' format.");
    if (!secretsEqual(header.substr(scheme.size()), m_settings.retrievalKey))
        return difyError(403, 1002, "authorization_failed", "Authorization failed.");
    auto parsed = parseRetrievalRequest(request.body());
    if (!parsed)
        return errorReply(400, parsed.error().code, parsed.error().where + ": " + parsed.error().message);
    const auto activity = m_connector.recentActivity(parsed->knowledgeId, static_cast<std::size_t>(parsed->topK));
    if (!activity && activity.error().code == "no_session")
        return difyError(404, 2001, "knowledge_not_found", "The knowledge does not exist.");
    if (!activity)
        return failure(activity.error());
    return { 200, QByteArrayLiteral("application/json"),
        QByteArray::fromStdString(retrievalRecords(*activity, *parsed)), {} };
}

} // namespace proactive::service
