#include "impactpanel.h"

#include "backgroundjob.h"
#include "jobfeedback.h"
#include "replay/replaybatch.h"
#include "sessionlibrary.h"
#include "triggers/eventmatcher.h"
#include "workspace/workspace.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPaintEvent>
#include <QPainter>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace proactive::ui {

struct ImpactPanel::Pending {
    std::shared_ptr<const Workspace> workspace;
    std::vector<std::shared_ptr<const RecordedSession>> sessions;
    std::optional<ImpactReport> report;
    std::optional<Error> error;
    bool done = false;
};

namespace {

    // The HTML report's colours (core/replay/htmlreport.cpp).
    const QColor kOffered(0x2e, 0x9e, 0x4f);
    const QColor kHeldOut(0x8a, 0x94, 0xa3);
    const QColor kTooSmall(0xd5, 0xda, 0xe0);
    const QColor kHelps(0x2e, 0x9e, 0x4f);
    const QColor kHurts(0xd9, 0x44, 0x3a);
    const QColor kUnclear(0x1f, 0x5f, 0xbf);
    const QColor kMuted(0x6b, 0x72, 0x80);
    const QColor kGrid(0xee, 0xf1, 0xf4);

    constexpr int kRow = 22; // one arm
    constexpr int kGap = 12; // between triggers
    constexpr int kLabelWidth = 220;
    constexpr int kAxis = 24;

    QString percent(double rate)
    {
        return QString::number(rate * 100, 'f', 1) + u" %"_qs;
    }

    QString points(double difference)
    {
        return (difference >= 0 ? u"+"_qs : u"−"_qs) + QString::number(std::abs(difference) * 100, 'f', 1) + u" pts"_qs;
    }

    QString seconds(const std::optional<double>& s)
    {
        return s ? QString::fromStdString(timeToGoalText(*s)) : u"–"_qs;
    }

    QColor verdictColour(TriggerImpact::Verdict verdict)
    {
        switch (verdict) {
        case TriggerImpact::Verdict::Helps:
            return kHelps;
        case TriggerImpact::Verdict::Hurts:
            return kHurts;
        case TriggerImpact::Verdict::Unclear:
            return kUnclear;
        case TriggerImpact::Verdict::TooSmall:
            break;
        }
        return kMuted;
    }

    void whisker(QPainter& painter, double from, double to, double y, double half)
    {
        painter.drawLine(QPointF(from, y), QPointF(to, y));
        painter.drawLine(QPointF(from, y - half), QPointF(from, y + half));
        painter.drawLine(QPointF(to, y - half), QPointF(to, y + half));
    }

    QTableWidgetItem* cell(const QString& text, bool number = true)
    {
        auto* item = new QTableWidgetItem(text);
        if (number)
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return item;
    }

} // namespace

ImpactChart::ImpactChart(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(u"impactChart"_qs);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ImpactChart::setReport(const ImpactReport* report)
{
    m_report = report;
    updateGeometry();
    update();
}

QSize ImpactChart::sizeHint() const
{
    const int triggers = m_report ? static_cast<int>(m_report->triggers.size()) : 0;
    return { 900, triggers * (2 * kRow + kGap) + kAxis + 8 };
}

void ImpactChart::paintEvent(QPaintEvent*)
{
    if (!m_report || m_report->triggers.empty())
        return;
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), palette().base());
    const QFontMetrics metrics = fontMetrics();
    const double bottom = height() - kAxis;
    // Left: the rates on 0–100 %; right: the difference around 0.
    const double ratesLeft = kLabelWidth;
    // The rates' labels ("offered 44.6 % · 132/296") go after the whisker, up to 180 px past 100 %.
    const double ratesRight = ratesLeft + (width() - kLabelWidth - 180) * 0.5;
    const double diffLeft = ratesRight + 180;
    const double diffRight = width() - 90.0;
    double extent = 0.1;
    for (const TriggerImpact& trigger : m_report->triggers)
        if (trigger.difference)
            extent = std::max({ extent, std::abs(trigger.difference->lower), std::abs(trigger.difference->upper) });
    extent = std::ceil(extent * 10) / 10;
    auto rateX = [&](double rate) { return ratesLeft + rate * (ratesRight - ratesLeft); };
    auto diffX = [&](double d) { return diffLeft + (d + extent) / (2 * extent) * (diffRight - diffLeft); };

    for (int i = 0; i <= 4; ++i) {
        const double rate = i / 4.0;
        const double d = extent * (i - 2) / 2;
        painter.setPen(kGrid);
        painter.drawLine(QPointF(rateX(rate), 4), QPointF(rateX(rate), bottom));
        painter.setPen(i == 2 ? QPen(kMuted, 1, Qt::DashLine) : QPen(kGrid));
        painter.drawLine(QPointF(diffX(d), 4), QPointF(diffX(d), bottom));
        painter.setPen(kMuted);
        painter.drawText(QRectF(rateX(rate) - 30, bottom + 4, 60, kAxis - 4), Qt::AlignHCenter | Qt::AlignTop,
            QString::number(rate * 100, 'f', 0) + u" %"_qs);
        painter.drawText(QRectF(diffX(d) - 30, bottom + 4, 60, kAxis - 4), Qt::AlignHCenter | Qt::AlignTop,
            (d > 0 ? u"+"_qs : QString()) + QString::number(d * 100, 'f', 0) + u" pts"_qs);
    }

    const bool manyProducts = m_report->goals.size() > 1;
    double y = 4;
    for (const TriggerImpact& trigger : m_report->triggers) {
        const QString name
            = QString::fromStdString((manyProducts ? trigger.productId + "/" : std::string()) + trigger.triggerId);
        painter.setPen(palette().text().color());
        painter.drawText(QRectF(0, y, kLabelWidth - 10, 2 * kRow), Qt::AlignRight | Qt::AlignVCenter,
            metrics.elidedText(name, Qt::ElideMiddle, kLabelWidth - 10));
        auto arm = [&](const ImpactArm& a, const QString& armName, const QColor& colour) {
            const double mid = y + kRow / 2.0;
            painter.setPen(Qt::NoPen);
            painter.setBrush(a.tooSmall ? kTooSmall : colour);
            painter.drawRoundedRect(QRectF(rateX(0), y + 3, rateX(a.rate()) - rateX(0), kRow - 6), 2, 2);
            painter.setPen(QPen(palette().text().color(), 1.5));
            if (a.users)
                whisker(painter, rateX(a.rateInterval.lower), rateX(a.rateInterval.upper), mid, 5);
            painter.setPen(a.tooSmall ? kMuted : palette().text().color());
            painter.drawText(QPointF(rateX(a.users ? std::max(a.rate(), a.rateInterval.upper) : 0) + 6,
                                 mid + metrics.ascent() / 2.5),
                a.users ? armName + u" "_qs + percent(a.rate()) + u" · %1/%2"_qs.arg(a.reached).arg(a.users)
                        : tr("%1: nobody").arg(armName));
            y += kRow;
        };
        const double top = y;
        arm(trigger.offered, tr("offered"), kOffered);
        arm(trigger.heldOut, tr("held out"), kHeldOut);
        const double mid = top + kRow;
        const QColor colour = verdictColour(trigger.verdict());
        QString text = tr("too small to tell");
        if (trigger.difference) {
            painter.setPen(QPen(colour, 2));
            whisker(painter, diffX(trigger.difference->lower), diffX(trigger.difference->upper), mid, 6);
            painter.setPen(Qt::NoPen);
            painter.setBrush(colour);
            painter.drawEllipse(QPointF(diffX(trigger.differenceValue()), mid), 4.5, 4.5);
            text = trigger.verdict() == TriggerImpact::Verdict::TooSmall
                ? points(trigger.differenceValue()) + u" · "_qs + text
                : points(trigger.differenceValue());
        }
        painter.setPen(colour);
        painter.drawText(QRectF(diffRight + 8, top, width() - diffRight - 8, 2 * kRow),
            Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, text);
        y += kGap;
    }
}

ImpactPanel::ImpactPanel(SessionLibrary& library, QWidget* parent)
    : QWidget(parent)
    , m_library(library)
    , m_job(new BackgroundJob(this))
    , m_goal(new QLabel(this))
    , m_run(new QPushButton(tr("Measure impact"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_progress(new WorkProgressBar(this))
    , m_status(new StatusLabel(this))
    , m_chart(new ImpactChart(this))
    , m_table(new QTableWidget(this))
{
    m_goal->setObjectName(u"impactGoal"_qs);
    m_goal->setWordWrap(true);
    m_goal->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_run->setObjectName(u"runImpact"_qs);
    m_cancel->setObjectName(u"cancelImpact"_qs);
    m_cancel->setEnabled(false);
    m_progress->setObjectName(u"impactProgress"_qs);
    m_progress->setValue(0);
    m_status->setObjectName(u"impactStatus"_qs);
    m_table->setObjectName(u"impactTable"_qs);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setFocusPolicy(Qt::NoFocus);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnCount(9);
    m_table->setHorizontalHeaderLabels({ tr("Trigger"), tr("Arm"), tr("Users"), tr("Reached"), tr("Rate"),
        tr("95 % CI"), tr("Time to goal p50"), tr("p75"), tr("Difference (95 % CI) and verdict") });

    auto* runRow = new QHBoxLayout;
    runRow->addWidget(m_goal, 1);
    runRow->addWidget(m_progress);
    runRow->addWidget(m_run);
    runRow->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(runRow);
    layout->addWidget(m_status);
    layout->addWidget(m_chart);
    layout->addWidget(m_table, 1);

    connect(m_run, &QPushButton::clicked, this, &ImpactPanel::run);
    connect(m_cancel, &QPushButton::clicked, this, &ImpactPanel::cancel);
    connect(m_job, &BackgroundJob::progressChanged, this,
        [this](quint64 done, quint64 total) { m_progress->showProgress(done, total); });
    connect(m_job, &BackgroundJob::finished, this, &ImpactPanel::onFinished);
    refreshControls();
}

ImpactPanel::~ImpactPanel() = default;

void ImpactPanel::setProduct(std::shared_ptr<const Workspace> workspace, const std::string& productId)
{
    m_workspace = std::move(workspace);
    m_productId = productId;
    const Product* product = m_workspace ? m_workspace->product(productId) : nullptr;
    m_goal->setText(product && product->goal
            ? tr("Goal of %1: <code>%2</code>. Each user is in the arm of their first exposure to a trigger.")
                  .arg(QString::fromStdString(productId).toHtmlEscaped(),
                      QString::fromStdString(product->goal->describe()).toHtmlEscaped())
            : tr("%1 has no <code>goal</code>: add one to products.json (docs/triggers.md) to measure impact.")
                  .arg(QString::fromStdString(productId).toHtmlEscaped()));
    refreshControls();
}

bool ImpactPanel::isRunning() const
{
    return m_job->isRunning();
}

QString ImpactPanel::statusText() const
{
    return m_status->text();
}

bool ImpactPanel::run()
{
    if (isRunning())
        return false;
    const Product* product = m_workspace ? m_workspace->product(m_productId) : nullptr;
    if (!product || !product->goal) {
        m_status->showMessage(tr("The product has no goal to measure against"), true);
        return false;
    }
    auto sessions = m_library.sessionsOf(m_productId);
    if (sessions.empty()) {
        m_status->showMessage(tr("No sessions of %1 are loaded: import some in the Sessions tab")
                                  .arg(QString::fromStdString(m_productId)),
            true);
        return false;
    }
    auto pending = std::make_shared<Pending>();
    pending->workspace = m_workspace;
    pending->sessions = std::move(sessions);
    m_pending = pending;
    BackgroundJob* job = m_job;
    m_job->start([pending, job](std::stop_token stop) {
        std::vector<RecordedSession> copies;
        copies.reserve(pending->sessions.size());
        for (const auto& session : pending->sessions)
            copies.push_back(*session);
        // Only firings and transitions count: no poll log, no explanations.
        ReplaySettings settings;
        settings.client.explain = false;
        settings.keepPolls = false;
        BatchOptions options;
        options.stop = stop;
        options.progress = [job](std::size_t done, std::size_t total) { job->reportProgress(done, total); };
        auto batch = runBatch(pending->workspace, copies, settings, options);
        if (!batch) {
            pending->error = batch.error();
            return;
        }
        pending->report = computeImpact(*pending->workspace, copies, batch->records);
        pending->done = true;
    });
    m_progress->setValue(0);
    refreshControls();
    m_status->showMessage(tr("Replaying %n session(s)…", nullptr, static_cast<int>(pending->sessions.size())));
    return true;
}

void ImpactPanel::cancel()
{
    m_job->cancel();
}

void ImpactPanel::onFinished(bool cancelled)
{
    const std::shared_ptr<Pending> pending = std::exchange(m_pending, nullptr);
    refreshControls();
    if (cancelled || !pending || (pending->error && pending->error->code == "cancelled")) {
        m_progress->setValue(0);
        m_status->showMessage(tr("Cancelled"));
        Q_EMIT finished(false);
        return;
    }
    if (!pending->done) {
        m_status->showMessage(
            pending->error ? QString::fromStdString(pending->error->toString()) : tr("The replay failed"), true);
        Q_EMIT finished(false);
        return;
    }
    m_result = std::move(pending->report);
    m_progress->setValue(m_progress->maximum());
    showResult();
    Q_EMIT finished(true);
}

void ImpactPanel::refreshControls()
{
    const Product* product = m_workspace ? m_workspace->product(m_productId) : nullptr;
    m_run->setEnabled(!isRunning() && product && product->goal);
    m_cancel->setEnabled(isRunning());
}

void ImpactPanel::showResult()
{
    m_chart->setReport(result());
    m_table->setRowCount(0);
    if (!m_result) {
        m_status->showMessage(tr("No product has a goal"));
        return;
    }
    const ImpactReport& report = *m_result;
    m_status->showMessage(report.triggers.empty()
            ? tr("Nobody was offered help or held out")
            : tr("%n trigger(s); exposures from %1", nullptr, static_cast<int>(report.triggers.size()))
                  .arg(report.source == ExposureSource::Recorded ? tr("the sessions' recorded offer events")
                                                                 : tr("this replay's offers and holdouts")));
    m_table->setRowCount(static_cast<int>(report.triggers.size()) * 2);
    int row = 0;
    for (const TriggerImpact& trigger : report.triggers) {
        m_table->setItem(row, 0, cell(QString::fromStdString(trigger.triggerId), false));
        m_table->setSpan(row, 0, 2, 1);
        QString difference = u"–"_qs;
        if (trigger.difference)
            difference = points(trigger.differenceValue()) + u" ("_qs + points(trigger.difference->lower) + u" to "_qs
                + points(trigger.difference->upper) + u")"_qs;
        auto* verdict = cell(difference + u"\n"_qs + QString::fromStdString(verdictText(trigger)), false);
        verdict->setForeground(verdictColour(trigger.verdict()));
        m_table->setItem(row, 8, verdict);
        m_table->setSpan(row, 8, 2, 1);
        for (const auto& [arm, name] :
            { std::pair { &trigger.offered, tr("offered") }, std::pair { &trigger.heldOut, tr("held out") } }) {
            m_table->setItem(row, 1, cell(name, false));
            m_table->setItem(row, 2, cell(QString::number(arm->users)));
            m_table->setItem(row, 3, cell(QString::number(arm->reached)));
            m_table->setItem(row, 4, cell(percent(arm->rate())));
            m_table->setItem(
                row, 5, cell(percent(arm->rateInterval.lower) + u" – "_qs + percent(arm->rateInterval.upper)));
            m_table->setItem(row, 6, cell(seconds(medianTimeToGoalS(*arm))));
            m_table->setItem(row, 7, cell(seconds(p75TimeToGoalS(*arm))));
            if (arm->tooSmall)
                for (int column = 1; column <= 7; ++column)
                    m_table->item(row, column)->setForeground(kMuted);
            ++row;
        }
    }
    m_table->resizeRowsToContents();
}

} // namespace proactive::ui
