#pragma once

namespace proactive::ui {

// Prepares Qt's graphics for QtWebEngine; call before the QApplication exists.
//
// QtWebEngine shares OpenGL contexts with the widgets. On a machine without
// a GPU (VMs, containers, remote desktops) Mesa emulates OpenGL on the CPU,
// and Qt Quick's own software renderer shows the page sooner and with less
// memory (docs/performance.md), so the studio picks it there. An explicit
// QT_QUICK_BACKEND in the environment always wins.
void prepareGraphicsForWebEngine();

} // namespace proactive::ui
