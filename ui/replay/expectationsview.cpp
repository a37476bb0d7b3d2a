#include "expectationsview.h"

#include "firingsmodel.h"
#include "inspector/presentation.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace proactive::ui {

namespace {

    enum Column { Result, At, Reason };
    constexpr int kResultRole = Qt::UserRole; // the index into SessionTruth::expectations

    const QColor kPassed(0x15, 0x80, 0x3d);
    const QColor kFailed(0xb9, 0x1c, 0x1c);

    void addCondition(const ConditionExplanation& condition, int depth, QStringList& lines)
    {
        const std::string& text = condition.summary.empty() ? condition.label : condition.summary;
        lines << QString(depth * 2, u' ') + (condition.matched ? u"✓ "_qs : u"✗ "_qs) + QString::fromStdString(text);
        for (const ConditionExplanation& child : condition.children)
            addCondition(child, depth + 1, lines);
    }

    // The whole reason (the column cuts it), where the expectation is
    // written, its note, and why it failed per condition.
    QString tooltipOf(const SessionLabels& labels, const ExpectationResult& result)
    {
        const Expectation& expectation = labels.expectations[static_cast<std::size_t>(result.expectation)];
        QStringList lines { QString::fromStdString(result.reason),
            QString::fromStdString(labels.file + ":" + expectation.pointer) };
        if (!expectation.note.empty())
            lines << QObject::tr("Note: %1").arg(QString::fromStdString(expectation.note));
        for (const TriggerReport& report : result.explanation) {
            lines << u"%1 (%2)"_qs.arg(QString::fromStdString(report.triggerId), toQString(nameOf(report.status)));
            addCondition(report.explanation, 1, lines);
        }
        return lines.join(u'\n');
    }

} // namespace

ExpectationsView::ExpectationsView(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_tree(new QTreeWidget(this))
{
    m_title->setObjectName(u"expectationsTitle"_qs);
    m_tree->setObjectName(u"replayExpectations"_qs);
    m_tree->setHeaderLabels({ tr("Expectation"), tr("At"), tr("Reason") });
    m_tree->setRootIsDecorated(false);
    m_tree->setWordWrap(false);
    m_tree->setMinimumHeight(m_tree->fontMetrics().height() * 4 + 12);
    m_tree->header()->setSectionResizeMode(Result, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(At, QHeaderView::ResizeToContents);
    m_tree->setToolTip(tr("Double-click an expectation to seek to the moment that decided it"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_tree);
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
        const SessionTruth* session = truth();
        const int index = item->data(Result, kResultRole).toInt();
        if (session && index >= 0 && index < static_cast<int>(session->expectations.size()))
            Q_EMIT seekRequested(session->expectations[static_cast<std::size_t>(index)].at);
    });
    refreshRows();
}

ExpectationsView::~ExpectationsView() = default;

void ExpectationsView::setReplay(std::shared_ptr<const Workspace> workspace,
    std::shared_ptr<const RecordedSession> session, std::shared_ptr<const ExplainedReplay> replay,
    const ReplaySettings& settings)
{
    m_workspace = std::move(workspace);
    m_session = std::move(session);
    m_replay = std::move(replay);
    m_settings = settings;
    evaluate();
}

void ExpectationsView::setLabels(std::shared_ptr<const LabelSet> labels)
{
    m_labels = std::move(labels);
    evaluate();
}

const SessionTruth* ExpectationsView::truth() const
{
    return m_truth && !m_truth->labelled.empty() ? &m_truth->labelled.front() : nullptr;
}

void ExpectationsView::evaluate()
{
    m_truth.reset();
    m_error.clear();
    if (m_workspace && m_session && m_replay && m_labels
        && m_labels->find(m_session->summary.productId, m_session->summary.sessionId)) {
        const auto sessions = std::span(m_session.get(), 1);
        m_truth = evaluateGroundTruth(*m_workspace, sessions, std::span(&m_replay->record, 1), *m_labels);
        // One session: explaining its failures replays it at most once more, quick enough here.
        if (const Status explained = explainFailures(*m_truth, m_workspace, sessions, m_settings); !explained)
            m_error = QString::fromStdString(explained.error().toString());
    }
    refreshRows();
}

void ExpectationsView::refreshRows()
{
    m_tree->clear();
    // No labels at all: nothing to say, and the firings list keeps the room.
    setVisible(m_labels && !m_labels->empty());
    const SessionTruth* session = truth();
    if (!session) {
        m_title->setText(m_session ? tr("Expectations: this session has no labels") : tr("Expectations"));
        return;
    }
    const auto& results = session->expectations;
    const auto failed = std::count_if(results.begin(), results.end(), [](const auto& r) { return !r.passed; });
    if (results.empty())
        m_title->setText(tr("Expectations: none for this session (it has labelled ranges)"));
    else if (failed == 0)
        m_title->setText(tr("<b>Expectations</b>: all %n pass", nullptr, static_cast<int>(results.size())));
    else
        m_title->setText(tr("<b>Expectations</b>: <span style=\"color:%1\">%2 of %n fail</span>", nullptr,
            static_cast<int>(results.size()))
                             .arg(kFailed.name())
                             .arg(failed));
    if (!m_error.isEmpty())
        m_title->setText(m_title->text() + tr(" · not explained: %1").arg(m_error.toHtmlEscaped()));
    for (int i = 0; i < static_cast<int>(results.size()); ++i) {
        const ExpectationResult& result = results[static_cast<std::size_t>(i)];
        auto* item = new QTreeWidgetItem(m_tree,
            { result.passed ? tr("✓ passes") : tr("✗ fails"),
                QString::fromStdString(LabelTime::formatOffset(result.at - session->start)),
                QString::fromStdString(result.reason) });
        item->setData(Result, kResultRole, i);
        item->setForeground(Result, result.passed ? kPassed : kFailed);
        const QString tooltip = tooltipOf(*session->labels, result);
        for (int column : { Result, At, Reason })
            item->setToolTip(column, tooltip);
    }
}

QStringList ExpectationsView::lines() const
{
    QStringList lines;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_tree->topLevelItem(i);
        lines << item->text(Result) + u" | "_qs + item->text(At) + u" | "_qs + item->text(Reason);
    }
    return lines;
}

QString ExpectationsView::titleText() const
{
    return m_title->text();
}

} // namespace proactive::ui
