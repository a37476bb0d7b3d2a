// The intake's JSON reader (core/intake/jsontape.h), differential against
// nlohmann::json: the same accept/reject verdict, and where both accept, the
// same values (numbers compared as doubles, objects as nlohmann reads them:
// the last of duplicate keys wins, which is what JsonValue::get() promises).
//
// Intended differences, not reported:
//  - nesting deeper than JsonTape::kMaxDepth: the tape refuses it;
//  - a number outside the range of double (1e400): nlohmann refuses the
//    document, the tape keeps the text and number() is empty;
//  - a NUL byte: nlohmann's lexer takes it for the end of the input (so it
//    accepts `{}\0junk`), the tape refuses it like any stray byte; the text
//    before the first NUL is compared instead.

#include "fuzzcheck.h"
#include "intake/jsontape.h"

#include <nlohmann/json.hpp>
#include <set>
#include <string>

using namespace proactive;
using nlohmann::json;

namespace {

std::string describe(const std::string& where, std::string_view what)
{
    return (where.empty() ? std::string("/") : where) + ": " + std::string(what);
}

// Whether some number in the document is outside the range of double.
bool hasUnreadableNumber(JsonValue value)
{
    if (value.isNumber())
        return !value.number();
    for (JsonValue child = value.firstChild(); child.exists(); child = child.nextSibling())
        if (hasUnreadableNumber(child))
            return true;
    return false;
}

void compare(JsonValue tape, const json& expected, const std::string& where)
{
    if (!tape.exists())
        fuzz::fail(describe(where, "missing in the tape"));
    const auto expect = [&](bool ok, std::string_view what) {
        if (!ok)
            fuzz::fail(describe(where,
                std::string(what) + " (tape: " + std::string(tape.typeName()) + " `"
                    + std::string(tape.raw().substr(0, 80)) + "`, nlohmann: " + expected.dump() + ")"));
    };
    switch (expected.type()) {
    case json::value_t::null:
        expect(tape.isNull(), "null");
        break;
    case json::value_t::boolean:
        expect(tape.type() == (expected.get<bool>() ? JsonType::True : JsonType::False), "boolean");
        break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: {
        expect(tape.isNumber(), "number");
        const auto number = tape.number();
        expect(number && *number == expected.get<double>(), "number value");
        break;
    }
    case json::value_t::string:
        expect(tape.isString() && tape.string() == expected.get_ref<const std::string&>(), "string");
        break;
    case json::value_t::array: {
        expect(tape.isArray(), "array");
        std::size_t index = 0;
        for (JsonValue child = tape.firstChild(); child.exists(); child = child.nextSibling(), ++index) {
            expect(index < expected.size(), "array size");
            compare(child, expected[index], where + "/" + std::to_string(index));
        }
        expect(index == expected.size(), "array size");
        break;
    }
    case json::value_t::object: {
        expect(tape.isObject(), "object");
        std::set<std::string> keys;
        std::string scratch;
        for (JsonValue child = tape.firstChild(); child.exists(); child = child.nextSibling())
            keys.emplace(child.key(scratch));
        expect(keys.size() == expected.size(), "object keys");
        for (const auto& [key, value] : expected.items())
            compare(tape.get(key), value, where + "/" + key);
        break;
    }
    default:
        fuzz::fail(describe(where, "unexpected nlohmann type"));
    }
}

void differential(JsonTape& tape, std::string_view text)
{
    std::string error;
    const bool accepted = tape.parse(text, error);
    const json expected = json::parse(text, nullptr, false);
    if (!accepted) {
        if (tape.root().exists())
            fuzz::fail("a refused document has a root");
        if (error.find("nesting too deep") != std::string::npos)
            return;
        if (!expected.is_discarded())
            fuzz::fail("the tape refuses what nlohmann accepts: " + error);
        return;
    }
    if (expected.is_discarded()) {
        if (!hasUnreadableNumber(tape.root()))
            fuzz::fail("the tape accepts what nlohmann refuses");
        return;
    }
    compare(tape.root(), expected, "");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // Reused like the intake reuses it: buffers stay warm between documents.
    static JsonTape tape;
    const std::string_view text = fuzz::bytes(data, size);
    const auto nul = text.find('\0');
    if (nul == std::string_view::npos) {
        differential(tape, text);
        return 0;
    }
    std::string error;
    if (tape.parse(text, error))
        fuzz::fail("the tape accepts a NUL byte");
    differential(tape, text.substr(0, nul));
    return 0;
}
