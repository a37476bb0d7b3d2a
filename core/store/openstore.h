#pragma once

#include "base/result.h"
#include "store/store.h"

#include <memory>
#include <string_view>

namespace proactive {

// A store named on the command line (`serve --store`, `store copy`):
//   memory                  in this process only
//   sqlite:FILE             one SQLite file, one process at a time
//   redis://HOST[:PORT][/DB][?option=value&...]   shared by any number of instances
// Sessions that expired by `expiry` are dropped from a SQLite file as it
// opens. Errors: "store.bad_url" for a spec of none of these forms, else
// what the store's own open() returns.
Result<std::unique_ptr<Store>> openStore(
    std::string_view spec, const SessionCutoffs& expiry = {}, StoreRetention retention = {});

} // namespace proactive
