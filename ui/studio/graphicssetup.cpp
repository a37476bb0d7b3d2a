#include "graphicssetup.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace proactive::ui {

namespace {

    // A DRM render node (any vendor's Mesa driver, or NVIDIA's nvidia-drm) or
    // NVIDIA's own device node means OpenGL runs on a GPU.
    bool hasGpu()
    {
        return !QDir(u"/dev/dri"_qs).entryList({ u"renderD*"_qs }, QDir::System).isEmpty()
            || QFileInfo::exists(u"/dev/nvidia0"_qs);
    }

} // namespace

void prepareGraphicsForWebEngine()
{
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    if (qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND") && !hasGpu())
        qputenv("QT_QUICK_BACKEND", "software");
}

} // namespace proactive::ui
