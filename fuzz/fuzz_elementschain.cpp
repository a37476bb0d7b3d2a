// PostHog's `$elements_chain` (core/intake/elementschain.h): parsing never
// fails, the target element alone is the chain's first element, writing a
// parsed chain back is stable (the written chain reads back to elements that
// write the same chain), and truncation keeps a prefix of whole elements.

#include "fuzzcheck.h"
#include "intake/elementschain.h"

using namespace proactive;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view chain = fuzz::bytes(data, size);
    const std::vector<Element> elements = parseElementsChain(chain);

    const Element target = parseTargetElement(chain);
    if (elements.empty() ? target != Element {} : target != elements.front())
        fuzz::fail("parseTargetElement differs from the first element of parseElementsChain");

    const std::string written = toElementsChain(elements);
    const std::vector<Element> reread = parseElementsChain(written);
    if (reread.size() != elements.size())
        fuzz::fail("the written chain has another number of elements: " + written.substr(0, 400));
    if (toElementsChain(reread) != written)
        fuzz::fail("writing the chain again changes it: " + written.substr(0, 400) + " -> "
            + toElementsChain(reread).substr(0, 400));

    for (const std::size_t limit : { size / 2, size / 3, std::size_t(16) }) {
        const std::string_view cut = truncateElementsChain(chain, limit);
        if (cut.size() > limit || chain.substr(0, cut.size()) != cut)
            fuzz::fail("truncateElementsChain did not return a prefix within the limit");
    }
    for (const Element& element : elements)
        cssEscapeIdentifier(element.tag);
    return 0;
}
