#pragma once

#include "base/result.h"

#include <QString>

namespace proactive::ui {

// The studio's view of a workspace, from its optional `studio.json` (not
// part of products.json, which production shares): where the product's
// bundled single-page app is and which page to open first.
//     { "product": "demo", "site": "../demo-product", "start_path": "/projects" }
struct StudioProfile {
    QString productId; // empty: the first enabled product
    QString siteDirectory; // absolute; empty: no bundled site, the author types a URL
    QString startPath = u"/"_qs;
};

// A workspace without studio.json has the default profile; a broken file is
// an error naming the file, the field and why.
Result<StudioProfile> loadStudioProfile(const QString& workspaceDirectory);

} // namespace proactive::ui
