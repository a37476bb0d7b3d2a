// products.json (core/workspace/workspace.h) read from memory the way
// Workspace::load reads the file, in a workspace folder that has trigger
// files to refer to. Properties: the products that load have triggers and
// distinct ids and tokens, and each problem is reported against a file.

#include "fuzzcheck.h"
#include "workspace/workspace.h"

#include <set>

using namespace proactive;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::filesystem::path root = PROACTIVE_SOURCE_DIR "/tests/data/workspaces/broken";
    Diagnostics diagnostics;
    const Workspace workspace = Workspace::fromText(fuzz::bytes(data, size), root, diagnostics);
    std::set<std::string> ids;
    std::set<std::string> tokens;
    for (const Product& product : workspace.products()) {
        if (!product.triggers)
            fuzz::fail("product " + product.id + " loaded without triggers");
        if (!ids.insert(product.id).second)
            fuzz::fail("two products with the id " + product.id);
        if (!product.posthogToken.empty() && !tokens.insert(product.posthogToken).second)
            fuzz::fail("two products with the token " + product.posthogToken);
    }
    for (const Diagnostic& diagnostic : diagnostics)
        if (diagnostic.file.empty())
            fuzz::fail("a problem without its file: " + diagnostic.toString());
    return 0;
}
