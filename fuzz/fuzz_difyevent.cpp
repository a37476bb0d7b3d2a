// The Dify event decoder (core/chat/difyevent.h) on one SSE frame's data,
// and the HTTP error body reader with the sentence made from it. Property:
// the decoder reuses its output object, and what it decodes into a reused
// object is what it decodes into a fresh one.

#include "chat/difyevent.h"
#include "fuzzcheck.h"

#include <string>

using namespace proactive;

namespace {

std::string describe(const DifyEvent& e)
{
    std::string text = std::string(nameOf(e.kind)) + "|" + e.name + "|" + e.taskId + "|" + e.messageId + "|"
        + e.conversationId + "|" + e.answer + "|" + std::to_string(e.createdAt) + "|" + e.malformedReason + "|"
        + std::to_string(e.retrieverResources.size());
    if (e.usage)
        text += "|usage " + std::to_string(e.usage->totalTokens) + " " + e.usage->totalPrice;
    if (e.thought)
        text += "|thought " + e.thought->id + " " + std::to_string(e.thought->position) + " " + e.thought->tool + " "
            + std::to_string(e.thought->files.size());
    if (e.file)
        text += "|file " + e.file->id + " " + e.file->url;
    if (e.workflow)
        text += "|workflow " + e.workflow->runId + " " + e.workflow->id + " " + e.workflow->nodeId + " "
            + e.workflow->status + " " + e.workflow->error + " " + e.workflow->outputs;
    if (e.error)
        text += "|error " + std::to_string(e.error->status) + " " + e.error->code + " " + e.error->message;
    return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text = fuzz::bytes(data, size);
    static DifyDecoder decoder;
    static DifyEvent reused;
    for (const std::string_view type : { "message", "ping" }) {
        const SseEvent sse { type, text, {}, size };
        decoder.decode(sse, reused);
        DifyEvent fresh;
        DifyDecoder().decode(sse, fresh);
        if (describe(reused) != describe(fresh))
            fuzz::fail("a reused event differs from a fresh one:\n" + describe(reused) + "\n" + describe(fresh));
        if ((reused.kind == DifyEventKind::Error) != reused.error.has_value())
            fuzz::fail("an error frame without its error, or the reverse");
        if ((reused.kind == DifyEventKind::Workflow) != reused.workflow.has_value())
            fuzz::fail("a workflow frame without its step, or the reverse");
        if (reused.error)
            describeDifyError(*reused.error);
    }
    describeDifyHttpError(500, text);
    return 0;
}
