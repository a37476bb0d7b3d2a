#pragma once

namespace proactive::ui {

// Hands the heap a large one-off job has freed back to the system. glibc
// keeps freed memory in its arenas for the next allocations; after a burst
// of tens of MB (importing a PostHog export parses it whole; a recording's
// events cross into the player page as text) it stays resident until
// trimmed: ~70 MB after importing a 30-minute recording (bench_visualreplay).
// Nothing elsewhere.
void releaseFreedHeap();

} // namespace proactive::ui
