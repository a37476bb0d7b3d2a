#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

enum class JsonType : std::uint8_t { Null, False, True, Number, String, Array, Object };

class JsonTape;

// A handle on one value of a JsonTape; a default one stands for "absent".
class JsonValue {
public:
    JsonValue() = default;

    bool exists() const { return m_tape != nullptr; }
    JsonType type() const;
    bool isNull() const { return exists() && type() == JsonType::Null; }
    bool isString() const { return exists() && type() == JsonType::String; }
    bool isNumber() const { return exists() && type() == JsonType::Number; }
    bool isObject() const { return exists() && type() == JsonType::Object; }
    bool isArray() const { return exists() && type() == JsonType::Array; }
    bool isScalar() const { return exists() && type() != JsonType::Object && type() != JsonType::Array; }

    // Strings: the text between the quotes, escapes not undone; others: the value's text.
    std::string_view raw() const;
    // Strings only: the decoded text.
    std::string string() const;
    void appendString(std::string& out) const;
    // Numbers only; empty beyond the range of double (1e400), zero below it (1e-400).
    std::optional<double> number() const;

    // Object members and array elements, in document order.
    JsonValue firstChild() const;
    JsonValue nextSibling() const; // within the parent; absent after the last
    // For members: the key, decoded into `scratch` only when it has escapes.
    std::string_view key(std::string& scratch) const;
    // Objects: the last member named `key` (as a JSON object, later keys win).
    JsonValue get(std::string_view key) const;

    // A short name for messages: "string", "number", "object", ...
    std::string_view typeName() const;

private:
    friend class JsonTape;
    static std::string_view decodedKey(std::string_view raw, std::string& scratch);
    JsonValue(const JsonTape* tape, std::uint32_t index, std::uint32_t end)
        : m_tape(tape)
        , m_index(index)
        , m_end(end)
    { }

    const JsonTape* m_tape = nullptr;
    std::uint32_t m_index = 0;
    std::uint32_t m_end = 0; // end of the parent's children, bounds nextSibling()
};

// A strict, validating JSON reader (RFC 8259, UTF-8 checked, depth-limited)
// that records each value as a node pointing into the text instead of
// building a DOM; strings are decoded only when asked for. Reused across
// documents it allocates nothing once warm, which is what lets the intake
// keep up with posthog-js batches. The text must outlive the tape's use.
class JsonTape final {
public:
    static constexpr std::size_t kMaxDepth = 512;

    // false with a message ("expected ':' at byte 12") on invalid JSON, and
    // on a document of more than maxValues() values (keys count as values).
    bool parse(std::string_view text, std::string& error);
    JsonValue root() const;

    // Bounds the nodes one document may take (24 bytes each): a small
    // compressed body can expand to millions of tiny values.
    void setMaxValues(std::size_t maxValues) { m_maxValues = maxValues; }
    std::size_t maxValues() const { return m_maxValues; }
    // Whether the last parse() failed for having more than maxValues() values.
    bool exceededMaxValues() const { return m_exceededMaxValues; }
    // Frees the buffers a large document grew beyond what ordinary ones
    // need, so that one such document does not pin its memory. Invalidates
    // the values of the last document.
    void trim();

private:
    friend class JsonValue;
    struct Node {
        std::uint32_t begin = 0; // strings: after the opening quote
        std::uint32_t length = 0; // strings: up to the closing quote
        std::uint32_t keyBegin = 0;
        std::uint32_t keyLength = 0;
        std::uint32_t next = 0; // the node after this value's subtree
        JsonType type = JsonType::Null;
        bool escaped = false;
        bool keyEscaped = false;
    };

    std::string_view m_text;
    std::size_t m_maxValues = std::numeric_limits<std::uint32_t>::max() - 1;
    bool m_exceededMaxValues = false;
    std::vector<Node> m_nodes;
    std::vector<std::uint32_t> m_open;
};

// The accessors below run once per member of every event: inline.

inline JsonType JsonValue::type() const
{
    return m_tape->m_nodes[m_index].type;
}

inline std::string_view JsonValue::raw() const
{
    if (!exists())
        return {};
    const auto& node = m_tape->m_nodes[m_index];
    return m_tape->m_text.substr(node.begin, node.length);
}

inline JsonValue JsonValue::firstChild() const
{
    if (!exists())
        return {};
    const auto& node = m_tape->m_nodes[m_index];
    if ((node.type != JsonType::Object && node.type != JsonType::Array) || node.next == m_index + 1)
        return {};
    return JsonValue(m_tape, m_index + 1, node.next);
}

inline JsonValue JsonValue::nextSibling() const
{
    if (!exists())
        return {};
    const auto next = m_tape->m_nodes[m_index].next;
    if (next >= m_end)
        return {};
    return JsonValue(m_tape, next, m_end);
}

inline std::string_view JsonValue::key(std::string& scratch) const
{
    if (!exists())
        return {};
    const auto& node = m_tape->m_nodes[m_index];
    const auto text = m_tape->m_text.substr(node.keyBegin, node.keyLength);
    return node.keyEscaped ? decodedKey(text, scratch) : text;
}

} // namespace proactive
