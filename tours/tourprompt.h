#pragma once

#include <string>

namespace proactive {

class TourCatalog;

// The "## Tour catalog" and "## Tour selection rules" sections of the Dify
// system prompt (tutorial §6), generated from the catalog so the LLM can only
// be told about tours that exist. Each tour is "- <id>  (route: <path>)"
// followed by its description lines, indented; the rules are the tutorial's
// five, with rule 3's example taken from the catalog's first parameterised
// route. Deterministic: the same catalog always gives the same bytes.
std::string tourPromptSection(const TourCatalog& catalog);

} // namespace proactive
