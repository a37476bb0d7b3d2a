#pragma once

#include "base/result.h"
#include "workspace/product.h"

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// The connector's configuration: the products of products.json with their
// triggers. Tours live in the tours library (tours/), recorded sessions are
// read by replay; both sit in the same workspace folder:
//
//   products.json          array of product rows (SPEC §1, docs/workspace.md)
//   triggers/<id>.json     a product's triggers when products.json does not inline them
//   tours/*.json           tour catalog
//   sessions/*.jsonl       recorded sessions
class Workspace final {
public:
    Workspace() = default;

    const std::filesystem::path& root() const { return m_root; }
    const std::vector<Product>& products() const { return m_products; }
    const Product* product(std::string_view id) const;
    const Product* productByToken(std::string_view token) const;
    // Remarks that are not errors ("webhook secret variable DEMO_SECRET is not set").
    const std::vector<std::string>& notes() const { return m_notes; }
    // A copy with the product of the same id replaced by `product` (edited
    // settings or triggers: replay sweeps and diffs); the same workspace when
    // no product has that id.
    Workspace withProduct(Product product) const;

    // Loads products.json and every product's triggers. Problems are
    // appended to `diagnostics` (file relative to the workspace, JSON
    // pointer, reason); products with problems are left out, the rest load.
    static Workspace load(const std::filesystem::path& root, Diagnostics& diagnostics);
    // The same from the text of products.json, already in memory.
    static Workspace fromText(std::string_view text, const std::filesystem::path& root, Diagnostics& diagnostics);
    // The same from an in-memory products array; `file` names it in
    // diagnostics and trigger file references resolve against `root`.
    static Workspace fromJson(const nlohmann::json& products, const std::filesystem::path& root,
        const std::string& file, Diagnostics& diagnostics);

private:
    explicit Workspace(std::filesystem::path root)
        : m_root(std::move(root))
    { }

    std::filesystem::path m_root;
    std::vector<Product> m_products;
    std::vector<std::string> m_notes;
};

// Reads a whole regular file of at most `maxBytes`; a missing, unreadable,
// too large or not regular file (a device, a pipe) is an Error naming it.
inline constexpr std::uintmax_t kMaxTextFileBytes = 64ull << 20;
Result<std::string> readTextFile(const std::filesystem::path& path, std::uintmax_t maxBytes = kMaxTextFileBytes);
// Parses JSON text; a syntax error is a Diagnostic with the byte offset and line.
std::optional<nlohmann::json> parseJsonDocument(
    std::string_view text, const std::string& file, Diagnostics& diagnostics);

} // namespace proactive
