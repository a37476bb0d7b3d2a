#include "livemetrics.h"

#include "backgroundjob.h"
#include "groundtruth/labelset.h"
#include "groundtruth/truthgoal.h"
#include "groundtruth/truthreport.h"
#include "jobfeedback.h"
#include "sessionlibrary.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QTextDocumentFragment>
#include <QVBoxLayout>
#include <array>

namespace proactive::ui {

struct LiveMetricsPanel::Pending {
    std::optional<Result<SweepPoint>> result;
};

namespace {

    struct MetricRow {
        const char* metric; // truthgoal's name
        const char* title;
    };
    constexpr std::array kMetricRows {
        MetricRow { "precision", QT_TRANSLATE_NOOP("LiveMetricsPanel", "Precision") },
        MetricRow { "recall", QT_TRANSLATE_NOOP("LiveMetricsPanel", "Recall") },
        MetricRow { "f1", QT_TRANSLATE_NOOP("LiveMetricsPanel", "F1") },
        MetricRow { "hits", QT_TRANSLATE_NOOP("LiveMetricsPanel", "Hits") },
        MetricRow { "misses", QT_TRANSLATE_NOOP("LiveMetricsPanel", "Misses") },
        MetricRow { "false_offers", QT_TRANSLATE_NOOP("LiveMetricsPanel", "False offers") },
        MetricRow { "annoyance", QT_TRANSLATE_NOOP("LiveMetricsPanel", "Annoyance") },
        MetricRow { "expectations_passed", QT_TRANSLATE_NOOP("LiveMetricsPanel", "Expectations passed") },
        MetricRow { "expectations_failed", QT_TRANSLATE_NOOP("LiveMetricsPanel", "Expectations failed") },
    };

    const QColor kBetter(0x15, 0x80, 0x3d);
    const QColor kWorse(0xb9, 0x1c, 0x1c);

    bool isCount(std::string_view metric)
    {
        return metric == "offers" || metric == "hits" || metric == "misses" || metric == "false_offers"
            || metric == "expectations_passed" || metric == "expectations_failed";
    }

    QString valueText(std::string_view metric, const std::optional<double>& value)
    {
        if (value && isCount(metric))
            return QString::number(static_cast<qlonglong>(*value));
        if (value && metric == "annoyance")
            return QString::number(*value, 'f', 1);
        return QString::fromStdString(formatRatio(value));
    }

    // "0.71 → 0.78" when it changed, else the value alone; the colour says
    // whether the change is for the better (none when unchanged).
    std::pair<QString, std::optional<QColor>> change(
        std::string_view metric, const std::optional<double>& before, const std::optional<double>& now, bool hasBefore)
    {
        const QString nowText = valueText(metric, now);
        if (!hasBefore || before == now)
            return { nowText, std::nullopt };
        const QString text = valueText(metric, before) + u" → "_qs + nowText;
        // More offers are neither better nor worse in themselves.
        if (!before || !now || metric == "offers")
            return { text, std::nullopt };
        return { text, (*now > *before) == higherIsBetter(metric) ? kBetter : kWorse };
    }

    const TriggerTruth* triggerOf(const SweepPoint* point, const TriggerTruth& trigger)
    {
        if (!point || !point->truth)
            return nullptr;
        for (const TriggerTruth& other : point->truth->triggers)
            if (other.productId == trigger.productId && other.triggerId == trigger.triggerId)
                return &other;
        return nullptr;
    }

} // namespace

LiveMetricsPanel::LiveMetricsPanel(SessionLibrary& library, QWidget* parent)
    : QWidget(parent)
    , m_library(library)
    , m_job(new BackgroundJob(this))
    , m_title(new QLabel(this))
    , m_progress(new WorkProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_numbers(new QWidget(this))
    , m_triggers(new QTableWidget(m_numbers))
    , m_status(new StatusLabel(this))
{
    setObjectName(u"liveMetrics"_qs);
    m_title->setObjectName(u"liveMetricsTitle"_qs);
    m_title->setText(tr("<b>Against the labels</b>"));
    m_progress->setObjectName(u"liveMetricsProgress"_qs);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(160);
    m_progress->setMaximumHeight(m_title->sizeHint().height());
    m_cancel->setObjectName(u"cancelLiveMetrics"_qs);
    m_cancel->setEnabled(false);
    m_status->setObjectName(u"liveMetricsStatus"_qs);
    m_triggers->setObjectName(u"liveMetricsTriggers"_qs);
    m_triggers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_triggers->setSelectionMode(QAbstractItemView::NoSelection);
    m_triggers->verticalHeader()->hide();
    const int rowHeight = m_triggers->fontMetrics().height() + 6;
    m_triggers->verticalHeader()->setDefaultSectionSize(rowHeight);
    // The header and a product's handful of triggers without scrolling; the form keeps the rest.
    m_triggers->setFixedHeight(7 * rowHeight + 4);
    m_triggers->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_triggers->setColumnCount(8);
    m_triggers->setHorizontalHeaderLabels({ tr("Trigger"), tr("Offers"), tr("Hits"), tr("Misses"), tr("False offers"),
        tr("Precision"), tr("Recall"), tr("F1") });

    auto* header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_progress);
    header->addWidget(m_cancel);
    // Three columns of metrics: the ratios, the counts, the expectations and annoyance.
    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(18);
    grid->setVerticalSpacing(2);
    for (std::size_t i = 0; i < kMetricRows.size(); ++i) {
        auto* value = new QLabel(m_numbers);
        value->setObjectName(u"metric_"_qs + QLatin1String(kMetricRows[i].metric));
        value->setTextFormat(Qt::RichText);
        m_metrics.emplace(kMetricRows[i].metric, value);
        grid->addWidget(value, static_cast<int>(i % 3), static_cast<int>(i / 3));
    }
    // A strip under the editor: the overall numbers on the left, per trigger on the right.
    auto* overall = new QVBoxLayout;
    overall->addLayout(grid);
    overall->addStretch(1);
    auto* body = new QHBoxLayout(m_numbers);
    body->setContentsMargins(0, 0, 0, 0);
    body->addLayout(overall);
    body->addWidget(m_triggers, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_numbers, 1);
    layout->addWidget(m_status);

    m_startSoon.setSingleShot(true);
    m_startSoon.setInterval(0);
    connect(&m_startSoon, &QTimer::timeout, this, &LiveMetricsPanel::start);
    connect(m_cancel, &QPushButton::clicked, this, &LiveMetricsPanel::cancel);
    connect(m_job, &BackgroundJob::progressChanged, this,
        [this](quint64 done, quint64 total) { m_progress->showProgress(done, total); });
    connect(m_job, &BackgroundJob::finished, this, &LiveMetricsPanel::onFinished);
    // Sessions imported later (the workspace's sessions/ is read on a worker) may be labelled ones.
    connect(&m_library, &SessionLibrary::importFinished, this, [this](const ImportOutcome& outcome) {
        if (outcome.ok)
            refresh();
    });
    showResult();
}

LiveMetricsPanel::~LiveMetricsPanel() = default;

void LiveMetricsPanel::setWorkspace(std::shared_ptr<const Workspace> workspace, const std::string& productId)
{
    if (workspace == m_workspace && productId == m_productId)
        return;
    if (productId != m_productId) {
        m_current.reset();
        m_previous.reset();
        showResult();
    }
    m_workspace = std::move(workspace);
    m_productId = productId;
    refresh();
}

void LiveMetricsPanel::setLabels(std::shared_ptr<const LabelSet> labels)
{
    m_labels = std::move(labels);
    refresh();
}

bool LiveMetricsPanel::isRunning() const
{
    return m_job->isRunning() || m_startSoon.isActive();
}

void LiveMetricsPanel::refresh()
{
    if (m_job->isRunning()) {
        // The run under way measures triggers that are gone: the next starts when it has stopped.
        m_restart = true;
        m_job->cancel();
        return;
    }
    m_startSoon.start();
}

void LiveMetricsPanel::cancel()
{
    m_restart = false;
    m_startSoon.stop();
    m_job->cancel();
}

void LiveMetricsPanel::start()
{
    m_restart = false;
    m_progress->setValue(0);
    if (!m_workspace || !m_workspace->product(m_productId)) {
        showNothing(tr("No product"));
        return;
    }
    if (!m_labels || m_labels->empty()) {
        showNothing(tr("No labelled sessions: add labels to the workspace's labels/ (docs/labels.md) to see "
                       "precision and recall while you edit"));
        return;
    }
    // Only labelled sessions say anything about precision and recall: the others are not replayed.
    std::vector<std::shared_ptr<const RecordedSession>> sessions;
    for (auto& session : m_library.sessionsOf(m_productId))
        if (m_labels->find(m_productId, session->summary.sessionId))
            sessions.push_back(std::move(session));
    if (sessions.empty()) {
        showNothing(tr("None of the %n labelled session(s) is imported for %1: import them in the Sessions tab",
            nullptr, static_cast<int>(m_labels->sessions().size()))
                        .arg(QString::fromStdString(m_productId)));
        return;
    }
    auto pending = std::make_shared<Pending>();
    m_pending = pending;
    m_measuredSessions = sessions.size();
    BackgroundJob* job = m_job;
    m_job->start([pending, job, workspace = m_workspace, labels = m_labels, sessions = std::move(sessions)](
                     std::stop_token stop) {
        std::vector<RecordedSession> copies;
        copies.reserve(sessions.size());
        for (const auto& session : sessions)
            copies.push_back(*session);
        // Offers are all the judgement needs: no polls kept, no explanations.
        ReplaySettings settings;
        settings.client.explain = false;
        settings.keepPolls = false;
        BatchOptions options;
        options.stop = stop;
        options.progress = [job](std::size_t done, std::size_t total) { job->reportProgress(done, total); };
        auto batch = runBatch(workspace, copies, settings, options);
        if (!batch) {
            pending->result = batch.error();
            return;
        }
        SweepPoint point;
        point.totals = std::move(batch->totals);
        point.truth = evaluateGroundTruth(*workspace, copies, batch->records, *labels);
        // Counts only: the per-session detail points into these copies and labels.
        point.truth->labelled.clear();
        pending->result = std::move(point);
    });
    m_cancel->setEnabled(true);
    m_status->showMessage(tr("Replaying %n labelled session(s)…", nullptr, static_cast<int>(m_measuredSessions)));
}

void LiveMetricsPanel::showNothing(const QString& why)
{
    // Numbers of other sessions or labels would read as these triggers' own.
    m_current.reset();
    m_previous.reset();
    showResult();
    m_status->showMessage(why);
    Q_EMIT finished(false);
}

void LiveMetricsPanel::onFinished(bool cancelled)
{
    const std::shared_ptr<Pending> pending = std::exchange(m_pending, nullptr);
    m_cancel->setEnabled(false);
    if (m_restart) {
        m_restart = false;
        m_startSoon.start();
        return;
    }
    SweepPoint* result = finishedValue(cancelled, pending ? &pending->result : nullptr, *m_progress, *m_status,
        tr("Cancelled: the numbers are those of the run before"));
    if (!result) {
        Q_EMIT finished(false);
        return;
    }
    m_previous = std::exchange(m_current, std::move(*result));
    m_progress->setValue(m_progress->maximum());
    showResult();
    m_status->showMessage(tr("%n labelled session(s) replayed with these triggers", nullptr,
        static_cast<int>(m_current->truth->labelledSessions)));
    Q_EMIT finished(true);
}

QString LiveMetricsPanel::metricText(const std::string& metric) const
{
    const auto label = m_metrics.find(metric);
    return label == m_metrics.end() ? QString() : QTextDocumentFragment::fromHtml(label->second->text()).toPlainText();
}

void LiveMetricsPanel::showResult()
{
    for (const MetricRow& row : kMetricRows) {
        QLabel* label = m_metrics.at(row.metric);
        const QString title = tr(row.title);
        if (!m_current) {
            label->setText(u"<b>%1</b> –"_qs.arg(title));
            continue;
        }
        const auto [text, colour] = change(row.metric, m_previous ? metricValue(*m_previous, row.metric) : std::nullopt,
            metricValue(*m_current, row.metric), m_previous.has_value());
        label->setText(colour ? u"<b>%1</b> <span style=\"color:%2\">%3</span>"_qs.arg(title, colour->name(), text)
                              : u"<b>%1</b> %2"_qs.arg(title, text));
    }
    m_metrics.at("annoyance")->setToolTip(tr("False offers per 100 labelled sessions"));

    m_triggers->setRowCount(0);
    // Nothing measured yet, or nothing to measure: the status line says why, in little room.
    m_numbers->setVisible(m_current.has_value());
    if (!m_current)
        return;
    const auto& triggers = m_current->truth->triggers;
    m_triggers->setRowCount(static_cast<int>(triggers.size()));
    for (int row = 0; row < static_cast<int>(triggers.size()); ++row) {
        const TriggerTruth& trigger = triggers[static_cast<std::size_t>(row)];
        const TriggerTruth* before = triggerOf(previous(), trigger);
        m_triggers->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(trigger.triggerId)));
        const auto put = [&](int column, std::string_view metric, auto value) {
            const auto now = value(trigger.counts);
            const auto [text, colour] = change(metric, before ? value(before->counts) : std::nullopt, now, before);
            auto* item = new QTableWidgetItem(text);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (colour)
                item->setForeground(*colour);
            m_triggers->setItem(row, column, item);
        };
        const auto count = [](std::size_t value) { return std::optional(static_cast<double>(value)); };
        put(1, "offers", [&](const TruthCounts& c) { return count(c.offers); });
        put(2, "hits", [&](const TruthCounts& c) { return count(c.hits); });
        put(3, "misses", [&](const TruthCounts& c) { return count(c.misses()); });
        put(4, "false_offers", [&](const TruthCounts& c) { return count(c.falseOffers); });
        put(5, "precision", [](const TruthCounts& c) { return c.precision(); });
        put(6, "recall", [](const TruthCounts& c) { return c.recall(); });
        put(7, "f1", [](const TruthCounts& c) { return c.f1(); });
    }
}

QString LiveMetricsPanel::statusText() const
{
    return m_status->text();
}

} // namespace proactive::ui
