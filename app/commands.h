#pragma once

#include <QStringList>

// One function per subcommand; each parses its own options from `arguments`
// (argv with the subcommand removed) and returns the process exit code.
namespace proactive::app {

int runValidate(const QStringList& arguments);
int runEval(const QStringList& arguments);
int runServe(const QStringList& arguments);
int runStore(const QStringList& arguments);
int runDifySim(const QStringList& arguments);
int runPrompt(const QStringList& arguments);
int runReplay(const QStringList& arguments);
int runGenerateSessions(const QStringList& arguments);
int runProposeLabels(const QStringList& arguments);
#ifdef PROACTIVE_HAVE_STUDIO
int runStudio(const QStringList& arguments);
int runScenario(const QStringList& arguments);
int runLintTours(const QStringList& arguments);
#endif

} // namespace proactive::app
