#pragma once

// QTest printers for core value types, so QCOMPARE shows names, not numbers.

#include "fsm/fsmstate.h"
#include "intake/action.h"

#include <QtTest/qtestcase.h>
#include <string>

namespace QTest {

template<> inline char* toString(const proactive::FsmState& state)
{
    return qstrdup(std::string(proactive::nameOf(state)).c_str());
}

template<> inline char* toString(const proactive::FsmEvent& event)
{
    return qstrdup(std::string(proactive::nameOf(event)).c_str());
}

template<> inline char* toString(const proactive::ActionType& type)
{
    return qstrdup(std::string(proactive::nameOf(type)).c_str());
}

template<> inline char* toString(const std::string& text)
{
    return QTest::toPrettyUnicode(QString::fromStdString(text));
}

} // namespace QTest
