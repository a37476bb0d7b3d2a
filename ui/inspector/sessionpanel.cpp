#include "sessionpanel.h"

#include "presentation.h"
#include "simulation/simulation.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace proactive::ui {

namespace {

    QSpinBox* secondsBox(int value, int minimum, QWidget* parent)
    {
        auto* box = new QSpinBox(parent);
        box->setRange(minimum, 3600);
        box->setSuffix(u" s"_qs);
        box->setValue(value);
        return box;
    }

    int seconds(Duration duration)
    {
        return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(duration).count());
    }

} // namespace

SessionPanel::SessionPanel(Simulation& simulation, QWidget* parent)
    : QWidget(parent)
    , m_simulation(simulation)
    , m_distinctId(new QLineEdit(simulation.identity().distinctId, this))
    , m_email(new QLineEdit(simulation.identity().email, this))
    , m_sessionId(new QLabel(this))
    , m_nextPoll(new QLabel(this))
{
    const ClientSettings& settings = simulation.client().settings();
    m_pollInterval = secondsBox(seconds(settings.pollInterval), 1, this);
    m_firstPoll = secondsBox(seconds(settings.firstPoll), 0, this);
    m_raceWindow = secondsBox(seconds(settings.raceWindow), 0, this);
    m_distinctId->setObjectName(u"distinctId"_qs);
    m_email->setObjectName(u"email"_qs);
    m_sessionId->setObjectName(u"sessionId"_qs);
    m_sessionId->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sessionId->setWordWrap(true);

    auto* visitor = new QGroupBox(tr("Visitor (PostHog identity)"), this);
    auto* visitorForm = new QFormLayout(visitor);
    visitorForm->addRow(tr("Distinct id"), m_distinctId);
    visitorForm->addRow(tr("Email"), m_email);
    visitorForm->addRow(tr("Session id"), m_sessionId);
    auto* buttons = new QHBoxLayout;
    auto* rotate = new QPushButton(tr("New PostHog session"), visitor);
    rotate->setObjectName(u"rotateSession"_qs);
    rotate->setToolTip(tr("Same visitor, new $session_id: a session rotation; the chat starts a new conversation"));
    auto* reset = new QPushButton(tr("Reset conversation"), visitor);
    reset->setObjectName(u"resetConversation"_qs);
    reset->setToolTip(tr("The chat's reset: erases the FSM state and the dismissal count"));
    buttons->addWidget(rotate);
    buttons->addWidget(reset);
    visitorForm->addRow(buttons);

    auto* client = new QGroupBox(tr("Simulated client (SPEC §4)"), this);
    auto* clientForm = new QFormLayout(client);
    clientForm->addRow(tr("Poll every"), m_pollInterval);
    clientForm->addRow(tr("First poll after"), m_firstPoll);
    clientForm->addRow(tr("Dismiss race window"), m_raceWindow);
    clientForm->addRow(tr("Next poll"), m_nextPoll);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(visitor);
    layout->addWidget(client);
    layout->addStretch(1);

    connect(m_distinctId, &QLineEdit::editingFinished, this, &SessionPanel::applyIdentity);
    connect(m_email, &QLineEdit::editingFinished, this, &SessionPanel::applyIdentity);
    connect(rotate, &QPushButton::clicked, &m_simulation, &Simulation::rotateSession);
    connect(reset, &QPushButton::clicked, &m_simulation, &Simulation::resetConversation);
    for (QSpinBox* box : { m_pollInterval, m_firstPoll, m_raceWindow })
        connect(box, &QSpinBox::editingFinished, this, &SessionPanel::applyTimings);
    connect(&m_simulation, &Simulation::sessionChanged, this, &SessionPanel::refresh);
    connect(&m_simulation, &Simulation::timeChanged, this, &SessionPanel::refresh);
    refresh();
}

void SessionPanel::applyIdentity()
{
    m_simulation.setIdentity({ m_distinctId->text().trimmed(), m_email->text().trimmed() });
}

void SessionPanel::applyTimings()
{
    const ClientSettings& current = m_simulation.client().settings();
    ClientSettings settings = current;
    settings.pollInterval = std::chrono::seconds(m_pollInterval->value());
    settings.firstPoll = std::chrono::seconds(m_firstPoll->value());
    settings.raceWindow = std::chrono::seconds(m_raceWindow->value());
    if (settings.pollInterval == current.pollInterval && settings.firstPoll == current.firstPoll
        && settings.raceWindow == current.raceWindow)
        return;
    m_simulation.setClientSettings(settings);
    Q_EMIT clientSettingsChanged(settings);
}

void SessionPanel::refresh()
{
    m_sessionId->setText(m_simulation.sessionId());
    const Duration until = m_simulation.client().nextPollAt() - m_simulation.now();
    m_nextPoll->setText(tr("in %1").arg(humanDuration(std::max(Duration(0), until))));
}

} // namespace proactive::ui
