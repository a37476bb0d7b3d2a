#include "sweeppanel.h"

#include "backgroundjob.h"
#include "groundtruth/labelset.h"
#include "groundtruth/truthgoal.h"
#include "groundtruth/truthreport.h"
#include "jobfeedback.h"
#include "policyeditor.h"
#include "replay/overrides.h"
#include "sessionlibrary.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSplitter>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace proactive::ui {

struct SweepPanel::Pending {
    std::optional<Result<SweepResult>> result;
};

namespace {

    const std::array kSeriesColors { QColor(0x63, 0x66, 0xf1), QColor(0x10, 0xb9, 0x81), QColor(0xf5, 0x9e, 0x0b),
        QColor(0xef, 0x44, 0x44), QColor(0x0e, 0xa5, 0xe9), QColor(0xa8, 0x55, 0xf7) };

    QString number(double value)
    {
        return QString::fromStdString(formatSettingValue(value));
    }

    QString secondsText(std::optional<double> seconds)
    {
        return seconds ? u"%1 s"_qs.arg(*seconds, 0, 'f', 1) : QStringLiteral("–");
    }

    QTableWidgetItem* cell(const QString& text, std::optional<double> sortValue = std::nullopt)
    {
        auto* item = new QTableWidgetItem(text);
        if (sortValue) {
            item->setData(Qt::UserRole, *sortValue);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        }
        return item;
    }

    // The sweep was judged against labels that label some of its sessions.
    bool judged(const SweepResult& result)
    {
        return std::any_of(result.points.begin(), result.points.end(),
            [](const SweepPoint& point) { return point.truth && point.truth->labelledSessions > 0; });
    }

    // "user_page_dwell.threshold_s=45 · proactive.min_interval_s=300", every axis.
    QString settingsOf(const SweepPoint& point)
    {
        QStringList parts;
        for (const SettingOverride& setting : point.settings)
            parts << QString::fromStdString(setting.toString());
        return parts.join(u" · "_qs);
    }

    // "user_page_dwell.threshold_s=45 · proactive.min_interval_s=300" without the first axis.
    QString restOf(const SweepPoint& point)
    {
        QStringList parts;
        for (std::size_t i = 1; i < point.settings.size(); ++i)
            parts << QString::fromStdString(point.settings[i].toString());
        return parts.join(u" · "_qs);
    }

} // namespace

SweepPanel::SweepPanel(SessionLibrary& library, QWidget* parent)
    : QWidget(parent)
    , m_library(library)
    , m_job(new BackgroundJob(this))
    , m_setting(new QComboBox(this))
    , m_values(new QLineEdit(this))
    , m_addAxis(new QPushButton(tr("Add"), this))
    , m_axisList(new QListWidget(this))
    , m_removeAxis(new QPushButton(tr("Remove"), this))
    , m_policy(new PolicyEditor(this))
    , m_run(new QPushButton(tr("Run sweep"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_progress(new WorkProgressBar(this))
    , m_status(new StatusLabel(this))
    , m_table(new QTableWidget(this))
    , m_chartView(new QChartView(this))
    , m_truthChartView(new QChartView(this))
{
    m_setting->setObjectName(u"sweepSetting"_qs);
    m_setting->setEditable(true);
    m_setting->setInsertPolicy(QComboBox::NoInsert);
    m_setting->setMinimumContentsLength(36);
    m_setting->setToolTip(tr("Any numeric trigger or gate setting of the product (docs/replay.md, Overrides)"));
    m_values->setObjectName(u"sweepValues"_qs);
    m_values->setPlaceholderText(tr("30,45,60,90 or 30:90:15"));
    m_addAxis->setObjectName(u"addSweepAxis"_qs);
    m_axisList->setObjectName(u"sweepAxes"_qs);
    m_axisList->setMaximumHeight(60);
    m_run->setObjectName(u"runSweep"_qs);
    m_cancel->setObjectName(u"cancelSweep"_qs);
    m_cancel->setEnabled(false);
    m_progress->setObjectName(u"sweepProgress"_qs);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_status->setObjectName(u"sweepStatus"_qs);
    m_table->setObjectName(u"sweepTable"_qs);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_chartView->setObjectName(u"sweepChart"_qs);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(220);
    m_chartView->chart()->legend()->setAlignment(Qt::AlignBottom);
    m_chartView->chart()->setTitle(tr("Run a sweep to see reach and time to first offer per value"));
    m_truthChartView->setObjectName(u"sweepTruthChart"_qs);
    m_truthChartView->setRenderHint(QPainter::Antialiasing);
    m_truthChartView->setMinimumHeight(220);
    m_truthChartView->chart()->setTitle(tr("Run a sweep to see precision against recall per point"));

    auto* axisRow = new QHBoxLayout;
    axisRow->addWidget(m_setting, 2);
    axisRow->addWidget(new QLabel(u"="_qs, this));
    axisRow->addWidget(m_values, 1);
    axisRow->addWidget(m_addAxis);
    auto* axesRow = new QHBoxLayout;
    axesRow->addWidget(m_axisList, 1);
    axesRow->addWidget(m_removeAxis, 0, Qt::AlignTop);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(new QLabel(tr("User"), this));
    runRow->addWidget(m_policy);
    runRow->addStretch(1);
    runRow->addWidget(m_progress);
    runRow->addWidget(m_run);
    runRow->addWidget(m_cancel);
    auto* form = new QFormLayout;
    form->addRow(tr("Setting"), axisRow);
    form->addRow(tr("Axes"), axesRow);

    auto* charts = new QSplitter(Qt::Vertical, this);
    charts->addWidget(m_chartView);
    charts->addWidget(m_truthChartView);
    auto* results = new QSplitter(Qt::Horizontal, this);
    results->addWidget(m_table);
    results->addWidget(charts);
    results->setStretchFactor(0, 2);
    results->setStretchFactor(1, 3);
    results->setSizes({ 500, 750 });
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(runRow);
    layout->addWidget(m_status);
    layout->addWidget(results, 1);

    connect(m_setting, &QComboBox::currentIndexChanged, this, [this](int index) {
        // Proposes values around the current one: half, three quarters, as is, 1.5× and double.
        const QVariant current = m_setting->itemData(index);
        if (!current.isValid()) {
            m_values->setPlaceholderText(tr("30,45,60,90 or 30:90:15"));
            return;
        }
        const double value = current.toDouble();
        QStringList values;
        for (double factor : { 0.5, 0.75, 1.0, 1.5, 2.0 })
            values << number(std::round(value * factor * 10) / 10);
        values.removeDuplicates();
        m_values->setPlaceholderText(values.join(u','));
    });
    connect(m_addAxis, &QPushButton::clicked, this, [this] {
        const QString path = m_setting->currentText().section(u' ', 0, 0);
        const QString values = m_values->text().isEmpty() ? m_values->placeholderText() : m_values->text();
        if (const auto error = addAxis(path, values))
            m_status->showMessage(*error, true);
        else
            m_values->clear();
    });
    connect(m_removeAxis, &QPushButton::clicked, this, [this] {
        const int row = m_axisList->currentRow();
        if (row >= 0 && row < axisCount()) {
            m_axes.erase(m_axes.begin() + row);
            refreshAxes();
        }
    });
    connect(m_run, &QPushButton::clicked, this, &SweepPanel::run);
    connect(m_cancel, &QPushButton::clicked, this, &SweepPanel::cancel);
    connect(m_job, &BackgroundJob::progressChanged, this,
        [this](quint64 done, quint64 total) { m_progress->showProgress(done, total); });
    connect(m_job, &BackgroundJob::finished, this, &SweepPanel::onFinished);
    refreshAxes();
    m_status->showMessage(
        tr("Pick settings and values; the sweep replays every loaded session of the product at each point"));
}

SweepPanel::~SweepPanel() = default;

void SweepPanel::setProduct(std::shared_ptr<const Workspace> workspace, const std::string& productId)
{
    const bool otherProduct = productId != m_productId;
    m_workspace = std::move(workspace);
    m_productId = productId;
    if (otherProduct)
        clearAxes();
    refreshSettings();
}

void SweepPanel::setLabels(std::shared_ptr<const LabelSet> labels)
{
    m_labels = std::move(labels);
}

void SweepPanel::refreshSettings()
{
    const QString typed = m_setting->currentText();
    m_setting->clear();
    const Product* product = m_workspace ? m_workspace->product(m_productId) : nullptr;
    if (!product)
        return;
    for (const auto& [path, value] : numericSettings(*product))
        m_setting->addItem(u"%1  (now %2)"_qs.arg(QString::fromStdString(path), number(value)), value);
    const int index = m_setting->findText(typed);
    m_setting->setCurrentIndex(index >= 0 ? index : -1);
    if (index < 0)
        m_setting->setEditText(QString());
}

std::optional<QString> SweepPanel::addAxis(const QString& path, const QString& values)
{
    auto axis = SweepAxis::parse((path.trimmed() + u'=' + values.simplified().remove(u' ')).toStdString());
    if (!axis)
        return QString::fromStdString(axis.error().message);
    const Product* product = m_workspace ? m_workspace->product(m_productId) : nullptr;
    if (!product)
        return tr("no product to sweep");
    // The path and every value are checked now, not when the sweep runs.
    for (double value : axis->values) {
        const SettingOverride single { axis->path, value };
        if (auto applied = applyOverrides(*product, std::span(&single, 1)); !applied)
            return QString::fromStdString(applied.error().message);
    }
    const auto same = std::find_if(
        m_axes.begin(), m_axes.end(), [&](const SweepAxis& existing) { return existing.path == axis->path; });
    if (same != m_axes.end())
        *same = std::move(*axis);
    else
        m_axes.push_back(std::move(*axis));
    refreshAxes();
    return std::nullopt;
}

void SweepPanel::clearAxes()
{
    m_axes.clear();
    refreshAxes();
}

void SweepPanel::refreshAxes()
{
    m_axisList->clear();
    std::size_t points = m_axes.empty() ? 0 : 1;
    for (const SweepAxis& axis : m_axes) {
        QStringList values;
        for (double value : axis.values)
            values << number(value);
        m_axisList->addItem(u"%1 = %2"_qs.arg(QString::fromStdString(axis.path), values.join(u", "_qs)));
        points *= axis.values.size();
    }
    m_removeAxis->setEnabled(!m_axes.empty());
    m_run->setEnabled(!m_axes.empty() && !isRunning());
    m_run->setToolTip(tr("%n point(s)", nullptr, static_cast<int>(points)));
}

bool SweepPanel::isRunning() const
{
    return m_job->isRunning();
}

bool SweepPanel::run()
{
    if (isRunning())
        return false;
    if (m_axes.empty()) {
        m_status->showMessage(tr("Add a setting to sweep first"), true);
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
    m_pending = pending;
    ReplaySettings settings;
    settings.policy = m_policy->policy();
    BackgroundJob* job = m_job;
    m_resultSessions = sessions.size();
    std::shared_ptr<const LabelSet> labels = m_labels && !m_labels->empty() ? m_labels : nullptr;
    m_job->start([pending, job, settings, workspace = m_workspace, productId = m_productId, axes = m_axes,
                     labels = std::move(labels), sessions = std::move(sessions)](std::stop_token stop) {
        // The copy happens here, off the GUI thread: runSweep wants them contiguous.
        std::vector<RecordedSession> copies;
        copies.reserve(sessions.size());
        for (const auto& session : sessions)
            copies.push_back(*session);
        BatchOptions options;
        options.stop = stop;
        options.progress = [job](std::size_t done, std::size_t total) { job->reportProgress(done, total); };
        pending->result = runSweep(workspace, productId, copies, settings, axes, options, labels.get());
    });
    m_progress->setValue(0);
    m_run->setEnabled(false);
    m_cancel->setEnabled(true);
    std::size_t points = 1;
    for (const SweepAxis& axis : m_axes)
        points *= axis.values.size();
    m_status->showMessage(
        tr("Replaying %1 session(s) at %n point(s)…", nullptr, static_cast<int>(points)).arg(m_resultSessions));
    return true;
}

void SweepPanel::cancel()
{
    m_job->cancel();
}

void SweepPanel::onFinished(bool cancelled)
{
    const std::shared_ptr<Pending> pending = std::exchange(m_pending, nullptr);
    m_cancel->setEnabled(false);
    refreshAxes();
    SweepResult* result
        = finishedValue(cancelled, pending ? &pending->result : nullptr, *m_progress, *m_status, tr("Sweep cancelled"));
    if (!result) {
        Q_EMIT finished(false);
        return;
    }
    m_result = std::move(*result);
    m_progress->setValue(m_progress->maximum());
    showResult();
    m_status->showMessage(tr("%n point(s)", nullptr, static_cast<int>(m_result->points.size()))
        + tr(" × %n session(s) replayed", nullptr, static_cast<int>(m_resultSessions)));
    Q_EMIT finished(true);
}

void SweepPanel::showResult()
{
    const SweepResult& result = *m_result;
    // Table: the settings, reach, firings, time to first offer, each trigger's fire rate.
    std::vector<std::string> triggers;
    if (!result.points.empty())
        for (const TriggerTotals& trigger : result.points.front().totals.triggers)
            if (trigger.productId == result.productId)
                triggers.push_back(trigger.triggerId);
    QStringList headers;
    for (const SweepAxis& axis : result.axes)
        headers << QString::fromStdString(axis.path);
    // The judgement first, right after the settings: it is what a sweep with labels is for.
    const bool truth = judged(result);
    const std::vector<bool> pareto = paretoFront(result.points);
    if (truth)
        headers << tr("Precision") << tr("Recall") << tr("F1") << tr("Pareto");
    headers << tr("Reached") << tr("Firings") << tr("Median to 1st offer") << tr("p90 to 1st offer");
    for (const std::string& trigger : triggers)
        headers << tr("%1 rate").arg(QString::fromStdString(trigger));
    m_table->clear();
    m_table->setSortingEnabled(false);
    m_table->setColumnCount(static_cast<int>(headers.size()));
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(static_cast<int>(result.points.size()));
    for (int row = 0; row < static_cast<int>(result.points.size()); ++row) {
        const SweepPoint& point = result.points[static_cast<std::size_t>(row)];
        const BatchTotals& totals = point.totals;
        int column = 0;
        for (const SettingOverride& setting : point.settings)
            m_table->setItem(row, column++, cell(number(setting.value), setting.value));
        if (truth) {
            for (const char* metric : { "precision", "recall", "f1" }) {
                const auto value = metricValue(point, metric);
                m_table->setItem(row, column++, cell(QString::fromStdString(formatRatio(value)), value.value_or(-1)));
            }
            auto* mark = cell(pareto[static_cast<std::size_t>(row)] ? u"◆"_qs : QString());
            mark->setTextAlignment(Qt::AlignCenter);
            mark->setToolTip(tr("On the Pareto front: no other point has both a better precision and a better recall"));
            m_table->setItem(row, column++, mark);
        }
        m_table->setItem(row, column++,
            cell(u"%1 / %2  (%3 %)"_qs.arg(totals.sessionsReached)
                     .arg(totals.sessions)
                     .arg(totals.reachedRate() * 100, 0, 'f', 0),
                totals.reachedRate()));
        m_table->setItem(row, column++, cell(QString::number(totals.firings), static_cast<double>(totals.firings)));
        const auto median = quantile(totals.timeToFirstOfferS, 0.5);
        const auto p90 = quantile(totals.timeToFirstOfferS, 0.9);
        m_table->setItem(row, column++, cell(secondsText(median), median.value_or(-1)));
        m_table->setItem(row, column++, cell(secondsText(p90), p90.value_or(-1)));
        for (const std::string& id : triggers)
            for (const TriggerTotals& trigger : totals.triggers)
                if (trigger.productId == result.productId && trigger.triggerId == id)
                    m_table->setItem(row, column++,
                        cell(u"%1 %"_qs.arg(totals.fireRate(trigger) * 100, 0, 'f', 0), totals.fireRate(trigger)));
    }

    // Chart: reach and median time to first offer over the first axis; a
    // pair of lines per combination of the other axes.
    auto* chart = new QChart;
    chart->setTitle(tr("%1 over %n session(s)", nullptr, static_cast<int>(m_resultSessions))
                        .arg(QString::fromStdString(result.axes.front().path)));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setMargins(QMargins(6, 6, 6, 6));
    auto* x = new QValueAxis(chart);
    x->setTitleText(QString::fromStdString(result.axes.front().path));
    x->setLabelFormat(u"%g"_qs);
    auto* reach = new QValueAxis(chart);
    reach->setTitleText(tr("sessions reached (%)"));
    reach->setRange(0, 100);
    reach->setLabelFormat(u"%d"_qs);
    auto* seconds = new QValueAxis(chart);
    seconds->setTitleText(tr("median time to first offer (s)"));
    seconds->setLabelFormat(u"%d"_qs);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(reach, Qt::AlignLeft);
    chart->addAxis(seconds, Qt::AlignRight);

    std::map<QString, std::pair<QLineSeries*, QLineSeries*>> lines;
    // One combination: reach and time in two colours; several: a colour per
    // combination, time dashed.
    const bool single = result.axes.size() == 1;
    double maxSeconds = 0;
    const auto& values = result.axes.front().values;
    const auto [minX, maxX] = std::minmax_element(values.begin(), values.end());
    for (const SweepPoint& point : result.points) {
        const QString rest = restOf(point);
        auto& [reachLine, medianLine] = lines[rest];
        if (!reachLine) {
            const QColor color = kSeriesColors.at((lines.size() - 1) % kSeriesColors.size());
            reachLine = new QLineSeries(chart);
            reachLine->setName(rest.isEmpty() ? tr("reached") : tr("reached, %1").arg(rest));
            reachLine->setPen(QPen(color, 2.5));
            reachLine->setPointsVisible(true);
            medianLine = new QLineSeries(chart);
            medianLine->setName(rest.isEmpty() ? tr("median to first offer") : tr("median, %1").arg(rest));
            medianLine->setPen(single ? QPen(kSeriesColors[2], 2.5) : QPen(color.lighter(115), 2, Qt::DashLine));
            medianLine->setPointsVisible(true);
        }
        const double value = point.settings.front().value;
        reachLine->append(value, point.totals.reachedRate() * 100);
        if (const auto median = quantile(point.totals.timeToFirstOfferS, 0.5)) {
            medianLine->append(value, *median);
            maxSeconds = std::max(maxSeconds, *median);
        }
    }
    if (single) {
        reach->setTitleBrush(kSeriesColors[0]);
        reach->setLabelsColor(kSeriesColors[0].darker(130));
        seconds->setTitleBrush(kSeriesColors[2].darker(120));
        seconds->setLabelsColor(kSeriesColors[2].darker(140));
    }
    for (auto& [rest, pair] : lines) {
        chart->addSeries(pair.first);
        pair.first->attachAxis(x);
        pair.first->attachAxis(reach);
        chart->addSeries(pair.second);
        pair.second->attachAxis(x);
        pair.second->attachAxis(seconds);
    }
    const double pad = (*maxX - *minX) * 0.05;
    x->setRange(*minX - pad, *maxX + pad);
    if (*minX == *maxX)
        x->setRange(*minX - 1, *maxX + 1);
    x->applyNiceNumbers();
    seconds->setRange(0, maxSeconds > 0 ? std::ceil(maxSeconds * 1.15 / 10) * 10 : 60);
    seconds->applyNiceNumbers();
    QChart* old = m_chartView->chart();
    m_chartView->setChart(chart);
    delete old;
    showTruthChart();
}

void SweepPanel::showTruthChart()
{
    const SweepResult& result = *m_result;
    auto* chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setMargins(QMargins(6, 6, 6, 6));
    if (!judged(result)) {
        chart->setTitle(tr("No labelled sessions: add labels to see precision and recall"));
        QChart* old = m_truthChartView->chart();
        m_truthChartView->setChart(chart);
        delete old;
        return;
    }
    chart->setTitle(tr("Precision against recall, one dot per point; the larger, the higher its fire rate"));
    auto* recall = new QValueAxis(chart);
    recall->setTitleText(tr("recall"));
    auto* precision = new QValueAxis(chart);
    precision->setTitleText(tr("precision"));
    // A margin around 0 … 1 so that dots on the edges show whole; ticks on the fifths all the same.
    for (QValueAxis* axis : { recall, precision }) {
        axis->setRange(-0.04, 1.04);
        axis->setTickType(QValueAxis::TicksDynamic);
        axis->setTickAnchor(0);
        axis->setTickInterval(0.2);
        axis->setLabelFormat(u"%.1f"_qs);
    }
    chart->addAxis(recall, Qt::AlignBottom);
    chart->addAxis(precision, Qt::AlignLeft);

    // A series has one marker size: the fire rates fall in three buckets
    // (thirds of the range the points span), small to large.
    double low = 1;
    double high = 0;
    for (const SweepPoint& point : result.points) {
        low = std::min(low, point.totals.reachedRate());
        high = std::max(high, point.totals.reachedRate());
    }
    constexpr int kBuckets = 3;
    const double step = (high - low) / kBuckets;
    const auto bucketOf
        = [&](double rate) { return step <= 0 ? 0 : std::min(kBuckets - 1, static_cast<int>((rate - low) / step)); };
    std::array<QScatterSeries*, kBuckets> buckets {};
    for (int b = 0; b < kBuckets; ++b) {
        buckets[b] = new QScatterSeries(chart);
        buckets[b]->setMarkerSize(9 + 5 * b);
        buckets[b]->setColor(kSeriesColors[0]);
        buckets[b]->setBorderColor(kSeriesColors[0].darker(140));
        const double from = low + step * b;
        buckets[b]->setName(step <= 0
                ? tr("fire rate %1 %").arg(low * 100, 0, 'f', 0)
                : tr("fire rate %1–%2 %").arg(from * 100, 0, 'f', 0).arg((from + step) * 100, 0, 'f', 0));
    }
    auto* front = new QLineSeries(chart);
    front->setName(tr("Pareto front"));
    front->setPen(QPen(kSeriesColors[3], 2));
    auto* frontMarks = new QScatterSeries(chart);
    frontMarks->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    frontMarks->setMarkerSize(7);
    frontMarks->setColor(kSeriesColors[3]);
    frontMarks->setBorderColor(kSeriesColors[3].darker(130));

    const std::vector<bool> pareto = paretoFront(result.points);
    std::vector<QPointF> frontPoints;
    int unplotted = 0;
    for (std::size_t i = 0; i < result.points.size(); ++i) {
        const SweepPoint& point = result.points[i];
        const auto p = metricValue(point, "precision");
        const auto r = metricValue(point, "recall");
        if (!p || !r) {
            ++unplotted;
            continue;
        }
        buckets[static_cast<std::size_t>(bucketOf(point.totals.reachedRate()))]->append(*r, *p);
        if (pareto[i])
            frontPoints.emplace_back(*r, *p);
    }
    std::sort(frontPoints.begin(), frontPoints.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    for (const QPointF& point : frontPoints) {
        front->append(point);
        frontMarks->append(point);
    }
    for (QScatterSeries* bucket : buckets)
        if (bucket->count() > 0)
            chart->addSeries(bucket);
        else
            delete bucket;
    chart->addSeries(front);
    chart->addSeries(frontMarks);
    for (QAbstractSeries* series : chart->series()) {
        series->attachAxis(recall);
        series->attachAxis(precision);
    }
    // The marks on the front repeat the line's legend entry.
    for (QLegendMarker* marker : chart->legend()->markers(frontMarks))
        marker->setVisible(false);
    if (unplotted > 0)
        chart->setTitle(chart->title() + tr(" (%n point(s) without offers have no precision)", nullptr, unplotted));

    // Hovering a dot names the points there, with their fire rate.
    const auto tip = [this](const QPointF& at, bool state) {
        if (!state || !m_result) {
            QToolTip::hideText();
            return;
        }
        QStringList lines;
        for (const SweepPoint& point : m_result->points) {
            const auto p = metricValue(point, "precision");
            const auto r = metricValue(point, "recall");
            if (p && r && qFuzzyCompare(1 + *p, 1 + at.y()) && qFuzzyCompare(1 + *r, 1 + at.x()))
                lines << tr("%1: precision %2, recall %3, F1 %4, fire rate %5 %")
                             .arg(settingsOf(point), QString::fromStdString(formatRatio(p)),
                                 QString::fromStdString(formatRatio(r)),
                                 QString::fromStdString(formatRatio(metricValue(point, "f1"))))
                             .arg(point.totals.reachedRate() * 100, 0, 'f', 1);
        }
        QToolTip::showText(QCursor::pos(), lines.join(u'\n'), m_truthChartView);
    };
    for (QAbstractSeries* series : chart->series())
        if (auto* scatter = qobject_cast<QScatterSeries*>(series))
            connect(scatter, &QScatterSeries::hovered, this, tip);
    QChart* old = m_truthChartView->chart();
    m_truthChartView->setChart(chart);
    delete old;
}

QString SweepPanel::statusText() const
{
    return m_status->text();
}

} // namespace proactive::ui
