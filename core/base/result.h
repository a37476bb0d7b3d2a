#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace proactive {

// An error as a value: what went wrong (a stable code), where (file, JSON
// pointer, line, ...) and why (a sentence for a person).
struct Error {
    std::string code;
    std::string message;
    std::string where;

    std::string toString() const
    {
        return where.empty() ? code + ": " + message : where + ": " + code + ": " + message;
    }
};

// One problem found while checking a file: file name, JSON pointer into it
// (RFC 6901, "" for the document) and the reason.
struct Diagnostic {
    std::string file;
    std::string path;
    std::string message;

    std::string toString() const { return file + ":" + (path.empty() ? std::string("/") : path) + ": " + message; }
    bool operator==(const Diagnostic&) const = default;
};

using Diagnostics = std::vector<Diagnostic>;

// Result<T>: either a T or an Error. Small stand-in for std::expected (C++23).
template<typename T> class [[nodiscard]] Result {
public:
    Result(T value)
        : m_state(std::move(value))
    { }
    Result(Error error)
        : m_state(std::move(error))
    { }

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<T>(m_state); }
    const T& value() const& { return std::get<T>(m_state); }
    T&& value() && { return std::get<T>(std::move(m_state)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

struct Ok { };

// Result<void> equivalent.
using Status = Result<Ok>;

} // namespace proactive
