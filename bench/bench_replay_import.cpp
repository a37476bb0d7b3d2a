// The `replay` command at disk speed (issue #20): a generated 1M-event
// JSON lines export (10k sessions of the demo product, about 650 bytes an
// event) written to a file, then, in the same run and for several rounds:
//
//   read       the file with plain reads (the disk's, or the page cache's, speed)
//   import 1   importSessions on one thread
//   import 2   the same on two threads (the result must not change)
//   batch      the replay of the imported sessions alone, one thread, as the
//              command replays them (no per-poll explanations): bench_replay's figure
//   end to end runReplayJob on one thread + the text summary: what
//              `proactive-studio replay --threads 1 WORKSPACE FILE` does
//
// with the ratios import/read, import 1/import 2 and end to end/batch, the
// CPU time of each (all threads: on a shared machine wall time measures the
// machine's load as much as the code), the heap held per imported action
// (after one and after two threads) and the peak RSS of the end-to-end run.
// Every round checks that the two imports gave the same sessions, action by
// action.
//
//   bench_replay_import [sessions=10000] [actions-per-session=100] [rounds=3] [file] [import]
//
// The file defaults to $TMPDIR/proactive-replay-import.jsonl and is left
// there (drive the CLI with it). `import` measures the read and the two
// imports only.

#include "replaycorpus.h"
#include "replay/replayjob.h"
#include "replay/replayreport.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <malloc.h>
#include <sys/resource.h>
#include <string>
#include <string_view>
#include <vector>

using namespace proactive;

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU seconds of the whole process (every thread), user + system: on a
// machine shared with other work, wall time says how busy it was, this what
// the code cost.
double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::size_t heapInUse()
{
    const auto info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

// Peak RSS since the last reset, in MiB (VmHWM; writing 5 to clear_refs resets it).
double peakRssMiB()
{
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "VmHWM:") {
            double kib = 0;
            status >> kib;
            return kib / 1024;
        }
        status.ignore(1 << 16, '\n');
    }
    return 0;
}

void resetPeakRss()
{
    std::ofstream("/proc/self/clear_refs") << "5";
}

std::uint64_t plainRead(const std::string& path)
{
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file)
        return 0;
    static std::vector<char> buffer(8 * 1024 * 1024);
    std::uint64_t total = 0;
    while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), file))
        total += n;
    std::fclose(file);
    return total;
}

struct Figures {
    std::vector<double> values;
    void add(double v) { values.push_back(v); }
    double at(double q) const
    {
        auto sorted = values;
        std::sort(sorted.begin(), sorted.end());
        return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5)];
    }
    void print(const char* label, const char* unit) const
    {
        std::printf("%-40s min %8.3f  median %8.3f  max %8.3f %s\n", label, at(0), at(0.5), at(1), unit);
    }
};

Result<ImportResult> importFile(
    const std::shared_ptr<const Workspace>& workspace, const std::filesystem::path& file, unsigned threads)
{
    ImportOptions options;
    options.threads = threads;
    return importSessions(workspace, std::span(&file, 1), options);
}

// The same sessions with the same actions and identities, and the same counts.
bool sameImport(const ImportResult& a, const ImportResult& b)
{
    if (a.events != b.events || a.duplicates != b.duplicates || a.rejected != b.rejected
        || a.diagnostics != b.diagnostics || a.sessions.size() != b.sessions.size())
        return false;
    for (std::size_t s = 0; s < a.sessions.size(); ++s) {
        const RecordedSession& x = a.sessions[s];
        const RecordedSession& y = b.sessions[s];
        if (x.summary.sessionId != y.summary.sessionId || x.summary.pages != y.summary.pages
            || x.summary.distinctId != y.summary.distinctId || x.actions.size() != y.actions.size()
            || x.identities.size() != y.identities.size())
            return false;
        for (std::size_t i = 0; i < x.actions.size(); ++i) {
            const ActionRecord& p = x.actions[i];
            const ActionRecord& q = y.actions[i];
            if (p.index != q.index || p.timestampStart != q.timestampStart || p.timestampEnd != q.timestampEnd
                || p.type != q.type || p.event != q.event || p.rawUrl != q.rawUrl || p.canonicalUrl != q.canonicalUrl
                || !(p.details == q.details))
                return false;
        }
        for (std::size_t i = 0; i < x.identities.size(); ++i)
            if (x.identities[i].from != y.identities[i].from || x.identities[i].distinctId != y.identities[i].distinctId
                || x.identities[i].email != y.identities[i].email)
                return false;
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    const int sessions = argc > 1 ? std::atoi(argv[1]) : 10'000;
    const int perSession = argc > 2 ? std::atoi(argv[2]) : 100;
    const int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3;
    const char* tmp = std::getenv("TMPDIR");
    const std::filesystem::path file = argc > 4 ? std::string(argv[4])
                                                : std::string(tmp ? tmp : "/tmp") + "/proactive-replay-import.jsonl";
    const bool importOnly = argc > 5 && std::string_view(argv[5]) == "import";

    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(
        Workspace::load(PROACTIVE_SOURCE_DIR "/resources/demo-workspace", diagnostics));
    if (!workspace->product("demo") || !diagnostics.empty()) {
        std::fprintf(stderr, "cannot load the demo workspace\n");
        return 1;
    }

    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t bytes = 0;
    {
        std::FILE* out = std::fopen(file.c_str(), "wb");
        if (!out) {
            std::fprintf(stderr, "cannot write %s\n", file.c_str());
            return 1;
        }
        for (const auto& actions : bench::generateReplayCorpus(sessions, perSession))
            for (const Action& action : actions) {
                const std::string line = bench::exportLine(action);
                bytes += std::fwrite(line.data(), 1, line.size(), out);
            }
        std::fclose(out);
    }
    std::printf("file            %s: %d sessions, %d events, %.1f MB (written in %.1f s)\n", file.c_str(), sessions,
        sessions * perSession, static_cast<double>(bytes) / 1e6, secondsSince(t0));
    std::printf("rounds          %d; every figure below is from the same run\n\n", rounds);
    plainRead(file); // the file is in the page cache for every round alike

    ReplaySettings settings; // what the command runs without --explain
    settings.client.explain = false;
    Figures read, import1, import2, batch, endToEnd, perAction, perAction2, peak, importVsRead, scaling,
        endToEndVsBatch;
    Figures import1Cpu, import2Cpu, batchCpuFigures, endToEndCpuFigures;
    for (int round = 0; round < rounds; ++round) {
        t0 = std::chrono::steady_clock::now();
        const std::uint64_t readBytes = plainRead(file);
        const double readS = secondsSince(t0);
        if (readBytes != bytes)
            return 1;

        const std::size_t heapBefore = heapInUse();
        double c0 = cpuSeconds();
        t0 = std::chrono::steady_clock::now();
        auto one = importFile(workspace, file, 1);
        const double oneS = secondsSince(t0);
        const double oneCpu = cpuSeconds() - c0;
        if (!one) {
            std::fprintf(stderr, "%s\n", one.error().toString().c_str());
            return 1;
        }
        const double bytesPerAction
            = static_cast<double>(heapInUse() - heapBefore) / static_cast<double>(std::max<std::size_t>(one->events, 1));

        const std::size_t heapBeforeTwo = heapInUse();
        c0 = cpuSeconds();
        t0 = std::chrono::steady_clock::now();
        auto two = importFile(workspace, file, 2);
        const double twoS = secondsSince(t0);
        const double twoCpu = cpuSeconds() - c0;
        if (!two || !sameImport(*one, *two)) {
            std::fprintf(stderr, "the import on two threads differs from the one on one thread\n");
            return 1;
        }
        const double bytesPerActionTwo = static_cast<double>(heapInUse() - heapBeforeTwo)
            / static_cast<double>(std::max<std::size_t>(two->events, 1));
        two = Error {};
        read.add(readS);
        import1.add(oneS);
        import2.add(twoS);
        perAction.add(bytesPerAction);
        perAction2.add(bytesPerActionTwo);
        importVsRead.add(oneS / readS);
        scaling.add(oneS / twoS);
        import1Cpu.add(oneCpu);
        import2Cpu.add(twoCpu);
        if (importOnly) {
            std::printf("round %d: read %.2f s, import %.2f s (1 thread) %.2f s (2 threads); %.0f B/action (1 thread) "
                        "%.0f B/action (2 threads)\n",
                round + 1, readS, oneS, twoS, bytesPerAction, bytesPerActionTwo);
            std::printf("         CPU: import %.2f s (1 thread) %.2f s (2 threads)\n", oneCpu, twoCpu);
            continue;
        }

        BatchOptions oneThread;
        oneThread.threads = 1;
        c0 = cpuSeconds();
        t0 = std::chrono::steady_clock::now();
        auto replayed = runBatch(workspace, one->sessions, settings, oneThread);
        const double batchS = secondsSince(t0);
        const double batchCpu = cpuSeconds() - c0;
        if (!replayed)
            return 1;
        replayed = Error {};
        one = Error {};

        ReplayJob job;
        job.workspace = workspace;
        job.workspaceLabel = "demo-workspace";
        job.inputs = { file };
        job.settings = settings;
        job.threads = 1;
        malloc_trim(0); // what the rounds before freed is not counted in this peak
        resetPeakRss();
        c0 = cpuSeconds();
        t0 = std::chrono::steady_clock::now();
        std::size_t summaryBytes = 0;
        {
            auto run = runReplayJob(job);
            if (!run)
                return 1;
            summaryBytes = renderTextSummary(run->report(job)).size();
        }
        const double endToEndS = secondsSince(t0);
        const double endToEndCpu = cpuSeconds() - c0;
        const double peakMiB = peakRssMiB();

        std::printf("round %d: read %.2f s, import %.2f s (1 thread) %.2f s (2 threads), batch %.2f s, "
                    "end to end %.2f s; %.0f B/action (1 thread) %.0f B/action (2 threads), peak %.0f MiB "
                    "(%zu B summary)\n",
            round + 1, readS, oneS, twoS, batchS, endToEndS, bytesPerAction, bytesPerActionTwo, peakMiB,
            summaryBytes);
        std::printf("         CPU: import %.2f s (1 thread) %.2f s (2 threads), batch %.2f s, end to end %.2f s\n", oneCpu,
            twoCpu, batchCpu, endToEndCpu);
        batch.add(batchS);
        endToEnd.add(endToEndS);
        peak.add(peakMiB);
        endToEndVsBatch.add(endToEndS / batchS);
        batchCpuFigures.add(batchCpu);
        endToEndCpuFigures.add(endToEndCpu);
    }
    std::printf("\n");
    read.print("plain read of the file", "s");
    import1.print("import, 1 thread", "s");
    import2.print("import, 2 threads", "s");
    importVsRead.print("import 1 thread / plain read", "×");
    scaling.print("import 1 thread / 2 threads", "×");
    import1Cpu.print("CPU: import, 1 thread", "s");
    import2Cpu.print("CPU: import, 2 threads (both)", "s");
    perAction.print("heap per imported action, 1 thread", "B");
    perAction2.print("heap per imported action, 2 threads", "B");
    if (importOnly)
        return 0;
    batch.print("replay without import, 1 thread", "s");
    endToEnd.print("end to end (replay --threads 1)", "s");
    endToEndVsBatch.print("end to end / replay without import", "×");
    batchCpuFigures.print("CPU: replay without import", "s");
    endToEndCpuFigures.print("CPU: end to end", "s");
    peak.print("peak RSS, end to end", "MiB");
    return 0;
}
