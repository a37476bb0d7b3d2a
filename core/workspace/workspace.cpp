#include "workspace/workspace.h"

#include "base/jsonreader.h"
#include "triggers/eventmatcher.h"
#include "triggers/trigger.h"
#include "triggers/triggerjson.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace proactive {

namespace {

    constexpr std::string_view kEnvPrefix = "env:";
    constexpr const char* kProductsFile = "products.json";
    constexpr double kMaxSeconds = 365.0 * 24 * 3600;

    Duration seconds(double s)
    {
        return fromSeconds(s);
    }

    void readCircuit(
        JsonObjectReader& parent, CircuitSettings& circuit, const std::string& file, Diagnostics& diagnostics)
    {
        const auto* value = parent.value("circuit");
        if (!value)
            return;
        JsonObjectReader reader(*value, file, jsonPointer(parent.pointer(), "circuit"), diagnostics);
        if (auto v = reader.number("failures", 1, 1000))
            circuit.failures = static_cast<int>(*v);
        if (auto v = reader.number("pause_s", 0, kMaxSeconds))
            circuit.pause = seconds(*v);
        reader.finish();
    }

    void readQuotas(JsonObjectReader& parent, QuotaSettings& quotas, const std::string& file, Diagnostics& diagnostics)
    {
        const auto* value = parent.value("quotas");
        if (!value)
            return;
        JsonObjectReader reader(*value, file, jsonPointer(parent.pointer(), "quotas"), diagnostics);
        if (auto v = reader.number("product_per_minute", 0, 1e9))
            quotas.productPerMinute = static_cast<int>(*v);
        if (auto v = reader.number("session_per_hour", 0, 1e9))
            quotas.sessionPerHour = static_cast<int>(*v);
        if (auto v = reader.number("user_per_day", 0, 1e9))
            quotas.userPerDay = static_cast<int>(*v);
        reader.finish();
    }

    void readProactive(
        JsonObjectReader& row, ProactiveSettings& settings, const std::string& file, Diagnostics& diagnostics)
    {
        const auto* value = row.value("proactive");
        if (!value)
            return;
        JsonObjectReader reader(*value, file, jsonPointer(row.pointer(), "proactive"), diagnostics);
        if (auto v = reader.boolean("enabled"))
            settings.enabled = *v;
        if (auto v = reader.number("min_interval_s", 0, kMaxSeconds))
            settings.minInterval = seconds(*v);
        if (const auto* cooldowns = reader.value("conservative_cooldowns_s")) {
            const auto pointer = jsonPointer(reader.pointer(), "conservative_cooldowns_s");
            if (!cooldowns->is_array()) {
                diagnostics.push_back({ file, pointer, "expected an array of seconds, e.g. [600, 900]" });
            } else {
                std::vector<Duration> parsed;
                for (std::size_t i = 0; i < cooldowns->size(); ++i) {
                    const auto& item = (*cooldowns)[i];
                    if (!item.is_number() || item.get<double>() < 0 || item.get<double>() > kMaxSeconds)
                        diagnostics.push_back({ file, jsonPointer(pointer, i), "expected a number of seconds ≥ 0" });
                    else
                        parsed.push_back(seconds(item.get<double>()));
                }
                settings.conservativeCooldowns = std::move(parsed);
            }
        }
        if (auto v = reader.number("late_answer_grace_s", 0, kMaxSeconds))
            settings.lateAnswerGrace = seconds(*v);
        readCircuit(reader, settings.circuit, file, diagnostics);
        readQuotas(reader, settings.quotas, file, diagnostics);
        if (auto v = reader.number("lookback_s", 1, kMaxSeconds))
            settings.lookback = seconds(*v);
        if (auto v = reader.number("max_actions", 1, 10000))
            settings.maxActions = static_cast<int>(*v);
        if (auto v = reader.number("wait_after_offer_s", 0, kMaxSeconds))
            settings.waitAfterOffer = seconds(*v);
        if (auto scope = reader.string("wait_scope")) {
            if (*scope == "product")
                settings.waitScope = ProactiveSettings::WaitScope::Product;
            else if (*scope == "group")
                settings.waitScope = ProactiveSettings::WaitScope::Group;
            else
                reader.error("wait_scope", "unknown value \"" + *scope + "\" (expected \"product\" or \"group\")");
        }
        if (auto v = reader.number("holdout_percent", 0, kMaxHoldoutPercent))
            settings.holdoutPercent = *v;
        if (auto experiment = reader.string("experiment")) {
            if (experiment->empty() || experiment->size() > 128)
                reader.error("experiment", "expected 1–128 characters");
            else
                settings.experiment = std::move(*experiment);
        }
        reader.finish();
    }

    // Retention and the bounds on new sessions: fields of the row, read
    // after `proactive` because the retention must cover the lookback.
    void readSessions(JsonObjectReader& row, Product& product)
    {
        SessionSettings& sessions = product.sessions;
        if (auto v = row.number("session_retention_s", 1, kMaxSeconds)) {
            if (seconds(*v) < product.proactive.lookback) {
                char lookback[32];
                std::snprintf(lookback, sizeof lookback, "%g", toSeconds(product.proactive.lookback));
                row.error("session_retention_s",
                    "must be at least proactive.lookback_s (" + std::string(lookback)
                        + " s): a session would be dropped while triggers still look at its actions");
            } else {
                sessions.retention = seconds(*v);
            }
        }
        const auto count = [&](std::string_view key, int& out) {
            const auto v = row.number(key, 0, 1e9);
            if (v && std::floor(*v) != *v)
                row.error(key, "expected a whole number (0: no bound)");
            else if (v)
                out = static_cast<int>(*v);
        };
        count("max_new_sessions_per_request", sessions.maxNewPerRequest);
        count("max_new_sessions_per_second", sessions.maxNewPerSecond);
    }

    // `path` relative to the workspace, for messages and for saving. Never
    // throws: a name the file system refuses (too long) is named all the same.
    // Lexical, so that a file is named as the workspace names it, not by
    // where a symbolic link leads.
    std::string relativeName(const std::filesystem::path& path, const std::filesystem::path& root)
    {
        return path.lexically_normal().lexically_relative(root.lexically_normal()).generic_string();
    }

    bool validPath(std::string_view route)
    {
        return !route.empty() && (route.front() == '/' || route.find("://") != std::string_view::npos);
    }

    struct Loader {
        const std::filesystem::path& root;
        const std::string& file;
        Diagnostics& diagnostics;
        std::vector<std::string>& notes;

        std::optional<std::string> productId(JsonObjectReader& row)
        {
            const auto* id = row.value("product_id");
            if (!id) {
                row.error("product_id", "missing required field (a string or an integer)");
                return std::nullopt;
            }
            if (id->is_number_integer() || id->is_number_unsigned())
                return id->dump(); // numeric ids are normalised to their decimal string
            if (id->is_string() && !id->get<std::string>().empty())
                return id->get<std::string>();
            row.error(
                "product_id", "expected a non-empty string or an integer, found " + std::string(jsonTypeName(*id)));
            return std::nullopt;
        }

        void webhookSecret(JsonObjectReader& row, Product& product)
        {
            const auto secret = row.string("webhook_secret");
            if (!secret || secret->empty())
                return;
            if (!secret->starts_with(kEnvPrefix)) {
                row.error("webhook_secret",
                    "secrets must not be stored in workspace files; write \"env:NAME\" and set NAME in the "
                    "environment");
                return;
            }
            const std::string variable = secret->substr(kEnvPrefix.size());
            if (variable.empty()) {
                row.error("webhook_secret", "\"env:\" needs a variable name");
                return;
            }
            if (const char* value = std::getenv(variable.c_str()); value && *value)
                product.webhookSecret = value;
            else
                notes.push_back("product " + product.id + ": webhook secret variable " + variable
                    + " is not set; its webhook answers 401 until it is");
        }

        // "posthog_export": {"host": URL, "api_key": "env:NAME"} (issue 18): where the
        // product's offer events go. The token is a secret like the webhook's.
        void posthogExport(JsonObjectReader& row, Product& product)
        {
            const auto* value = row.value("posthog_export");
            if (!value)
                return;
            JsonObjectReader reader(*value, file, jsonPointer(row.pointer(), "posthog_export"), diagnostics);
            const auto host = reader.string("host", true);
            const auto key = reader.string("api_key", true);
            reader.finish();
            if (!host || !key)
                return;
            if (!(host->starts_with("http://") || host->starts_with("https://")) || host->size() <= 8) {
                reader.error("host", "expected an http:// or https:// URL, e.g. \"https://eu.i.posthog.com\"");
                return;
            }
            if (!key->starts_with(kEnvPrefix) || key->size() == kEnvPrefix.size()) {
                reader.error("api_key",
                    "secrets must not be stored in workspace files; write \"env:NAME\" and set NAME in the "
                    "environment");
                return;
            }
            const std::string variable = key->substr(kEnvPrefix.size());
            if (const char* token = std::getenv(variable.c_str()); token && *token)
                product.posthogExport = PostHogExport { *host, token };
            else
                notes.push_back("product " + product.id + ": PostHog token variable " + variable
                    + " is not set; its offer events are not sent until it is");
        }

        // "goal": an event matcher (type, event, url…, selector, text, href,
        // properties, as in trigger conditions) for the impact report.
        void goal(JsonObjectReader& row, Product& product)
        {
            const auto* value = row.value("goal");
            if (!value)
                return;
            ConditionParser parser { file, diagnostics };
            JsonObjectReader reader = parser.reader(*value, jsonPointer(row.pointer(), "goal"));
            auto matcher = EventMatcher::read(reader, parser, EventMatcher::Fields::Event);
            reader.finish();
            if (!matcher)
                return;
            if (matcher->empty()) {
                row.error("goal",
                    "a goal needs at least one field (\"event\": \"project created\"); an empty one "
                    "matches every action");
                return;
            }
            product.goal = std::make_shared<const EventMatcher>(std::move(*matcher));
        }

        std::shared_ptr<const TriggerSet> triggers(JsonObjectReader& row, Product& product)
        {
            std::shared_ptr<const TriggerSet> set;
            const auto* inline_ = row.value("triggers");
            if (inline_ && inline_->is_array()) {
                product.triggersFile = file;
                product.triggersPointer = jsonPointer(row.pointer(), "triggers");
                set = parseTriggers(*inline_, file, product.triggersPointer, diagnostics);
            } else {
                std::filesystem::path path = root / "triggers" / (product.id + ".json");
                if (inline_ && inline_->is_string()) {
                    path = root / inline_->get<std::string>();
                } else if (inline_) {
                    row.error("triggers",
                        "expected an array of triggers or a file name, found " + std::string(jsonTypeName(*inline_)));
                }
                const std::string relative = relativeName(path, root);
                std::error_code error;
                if (std::filesystem::exists(path, error)) {
                    auto text = readTextFile(path);
                    if (!text) {
                        diagnostics.push_back({ relative, "", text.error().message });
                    } else if (auto json = parseJsonDocument(*text, relative, diagnostics)) {
                        product.triggersFile = relative;
                        set = parseTriggers(*json, relative, "", diagnostics);
                    }
                } else if (error) {
                    row.error(inline_ ? "triggers" : "product_id",
                        "cannot read trigger file " + relative + ": " + error.message());
                } else if (inline_) {
                    diagnostics.push_back({ file, jsonPointer(row.pointer(), "triggers"),
                        "trigger file " + relative + " does not exist" });
                } else {
                    notes.push_back("product " + product.id + ": no triggers (neither inline nor " + relative + ")");
                }
            }
            return set ? set : std::make_shared<const TriggerSet>();
        }

        std::optional<Product> product(const nlohmann::json& value, std::size_t index)
        {
            const std::size_t before = diagnostics.size();
            JsonObjectReader row(value, file, jsonPointer("", index), diagnostics);
            if (!row.valid())
                return std::nullopt;
            Product product;
            if (auto id = productId(row))
                product.id = *id;
            product.name = row.string("name").value_or(product.id);
            webhookSecret(row, product);
            posthogExport(row, product);
            product.posthogToken = row.string("posthog_token").value_or("");
            if (auto routes = row.stringArray("routes")) {
                for (std::size_t i = 0; i < routes->size(); ++i)
                    if (!validPath((*routes)[i]))
                        diagnostics.push_back({ file, jsonPointer(jsonPointer(row.pointer(), "routes"), i),
                            "a route is a path starting with / (\"/projects/:slug\") or a full URL" });
                product.routes = std::move(*routes);
            }
            if (auto origins = row.stringArray("cors_origins"))
                product.corsOrigins = std::move(*origins);
            readProactive(row, product.proactive, file, diagnostics);
            readSessions(row, product);
            goal(row, product);
            if (!product.id.empty())
                product.triggers = triggers(row, product);
            else
                row.value("triggers"); // reported with the id; not loaded for an unnamed product
            row.finish();
            if (diagnostics.size() != before)
                return std::nullopt;
            return product;
        }
    };

} // namespace

const Product* Workspace::product(std::string_view id) const
{
    const auto it = std::find_if(m_products.begin(), m_products.end(), [&](const Product& p) { return p.id == id; });
    return it == m_products.end() ? nullptr : &*it;
}

const Product* Workspace::productByToken(std::string_view token) const
{
    if (token.empty())
        return nullptr;
    const auto it
        = std::find_if(m_products.begin(), m_products.end(), [&](const Product& p) { return p.posthogToken == token; });
    return it == m_products.end() ? nullptr : &*it;
}

Workspace Workspace::withProduct(Product product) const
{
    Workspace copy = *this;
    for (Product& existing : copy.m_products)
        if (existing.id == product.id) {
            existing = std::move(product);
            break;
        }
    return copy;
}

Workspace Workspace::fromJson(const nlohmann::json& products, const std::filesystem::path& root,
    const std::string& file, Diagnostics& diagnostics)
{
    Workspace workspace(root);
    if (!products.is_array()) {
        diagnostics.push_back(
            { file, "", "expected an array of products, found " + std::string(jsonTypeName(products)) });
        return workspace;
    }
    Loader loader { root, file, diagnostics, workspace.m_notes };
    for (std::size_t i = 0; i < products.size(); ++i) {
        auto product = loader.product(products[i], i);
        if (!product)
            continue;
        const auto pointer = jsonPointer(jsonPointer("", i), "product_id");
        if (workspace.product(product->id)) {
            diagnostics.push_back({ file, pointer, "duplicate product_id \"" + product->id + "\"" });
            continue;
        }
        if (!product->posthogToken.empty() && workspace.productByToken(product->posthogToken)) {
            diagnostics.push_back({ file, jsonPointer(jsonPointer("", i), "posthog_token"),
                "posthog_token is already used by another product" });
            continue;
        }
        workspace.m_products.push_back(std::move(*product));
    }
    return workspace;
}

Workspace Workspace::load(const std::filesystem::path& root, Diagnostics& diagnostics)
{
    const auto text = readTextFile(root / kProductsFile);
    if (!text) {
        diagnostics.push_back({ kProductsFile, "", text.error().message });
        return Workspace(root);
    }
    return fromText(*text, root, diagnostics);
}

Workspace Workspace::fromText(std::string_view text, const std::filesystem::path& root, Diagnostics& diagnostics)
{
    const auto json = parseJsonDocument(text, kProductsFile, diagnostics);
    if (!json)
        return Workspace(root);
    return fromJson(*json, root, kProductsFile, diagnostics);
}

Result<std::string> readTextFile(const std::filesystem::path& path, std::uintmax_t maxBytes)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(status))
        return Error { "not_a_file", path.string() + " is a directory", path.string() };
    // A device or a pipe (/dev/zero, a FIFO) would be read for ever.
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        return Error { "not_a_file", path.string() + " is not a regular file (a device, pipe or socket)",
            path.string() };
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error { "unreadable", "cannot open " + path.string() + " (missing or not readable)", path.string() };
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > maxBytes)
        return Error { "file_too_large",
            path.string() + " has " + std::to_string(size) + " bytes, more than the " + std::to_string(maxBytes)
                + " this file may have",
            path.string() };
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::optional<nlohmann::json> parseJsonDocument(
    std::string_view text, const std::string& file, Diagnostics& diagnostics)
{
    // With allow_exceptions=false nlohmann returns `discarded` without saying
    // where; a SAX error handler gets the byte position for the message.
    struct Locator final : nlohmann::json_sax<nlohmann::json> {
        std::size_t position = 0;
        std::string message;
        bool null() override { return true; }
        bool boolean(bool) override { return true; }
        bool number_integer(number_integer_t) override { return true; }
        bool number_unsigned(number_unsigned_t) override { return true; }
        bool number_float(number_float_t, const string_t&) override { return true; }
        bool string(string_t&) override { return true; }
        bool binary(binary_t&) override { return true; }
        bool start_object(std::size_t) override { return true; }
        bool key(string_t&) override { return true; }
        bool end_object() override { return true; }
        bool start_array(std::size_t) override { return true; }
        bool end_array() override { return true; }
        bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) override
        {
            position = pos;
            message = e.what();
            return false;
        }
    };
    auto json = parseJsonText(text);
    if (!json.is_discarded())
        return json;
    Locator locator;
    nlohmann::json::sax_parse(text, &locator);
    const std::size_t offset = std::min(locator.position, text.size());
    const auto line
        = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset > 0 ? offset - 1 : 0), '\n');
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    std::string reason = locator.message;
    if (const auto colon = reason.find(": "); colon != std::string::npos)
        reason = reason.substr(colon + 2);
    diagnostics.push_back({ file, "", "invalid JSON at line " + std::to_string(line) + ": " + reason });
    return std::nullopt;
}

} // namespace proactive
