#include "diffpanel.h"

#include "backgroundjob.h"
#include "inspector/presentation.h"
#include "intake/canonicalurl.h"
#include "jobfeedback.h"
#include "policyeditor.h"
#include "replayformat.h"
#include "sessionlibrary.h"
#include "workspace/workspace.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

namespace proactive::ui {

struct DiffPanel::Pending {
    TriggerSetDiff diff; // the inputs, set before the work starts; the work adds the results
    std::optional<Error> error;
    bool done = false;
};

namespace {

    // Sessions with more changes than this start folded.
    constexpr int kExpandedChanges = 400;
    constexpr int kSessionRole = Qt::UserRole + 1;
    constexpr int kAtRole = Qt::UserRole + 2;

    const QColor kDisappeared(0xb9, 0x1c, 0x1c);
    const QColor kAppeared(0x04, 0x78, 0x57);
    const QColor kMoved(0x1d, 0x4e, 0xd8);
    const QColor kMuted(0x6b, 0x72, 0x80);

    QColor kindColor(FiringChange::Kind kind)
    {
        switch (kind) {
        case FiringChange::Kind::Appeared:
            return kAppeared;
        case FiringChange::Kind::Disappeared:
            return kDisappeared;
        case FiringChange::Kind::Moved:
            break;
        }
        return kMoved;
    }

    // The first moment the two replays differ for this change.
    Timestamp changeAt(const FiringChange& change)
    {
        if (change.before && change.after)
            return std::min(*change.before, *change.after);
        return change.before ? *change.before : change.after.value_or(Timestamp {});
    }

    // 25, 37.5, 33.3: one decimal only when it says something.
    QString decimal(double value)
    {
        return QString::number(value, 'f', std::abs(value - std::round(value)) < 0.05 ? 0 : 1);
    }

    QString percent(double rate)
    {
        return decimal(rate * 100) + u" %"_qs;
    }

    QTableWidgetItem* cell(const QString& text, bool number = true)
    {
        auto* item = new QTableWidgetItem(text);
        if (number)
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return item;
    }

    // "−37.5 pt" between two rates, "+3" between two counts; coloured by direction.
    QTableWidgetItem* deltaCell(double before, double after, bool rate)
    {
        const double delta = rate ? (after - before) * 100 : after - before;
        QString text = QStringLiteral("0");
        if (delta != 0) {
            const QString magnitude = rate ? decimal(std::abs(delta)) + u" pt"_qs : decimal(std::abs(delta));
            text = (delta > 0 ? u"+"_qs : u"−"_qs) + magnitude;
        }
        auto* item = cell(text);
        item->setForeground(delta > 0 ? kAppeared : delta < 0 ? kDisappeared : kMuted);
        return item;
    }

} // namespace

DiffPanel::DiffPanel(SessionLibrary& library, QWidget* parent)
    : QWidget(parent)
    , m_library(library)
    , m_job(new BackgroundJob(this))
    , m_intro(new QLabel(this))
    , m_otherKind(new QComboBox(this))
    , m_file(new QLineEdit(this))
    , m_browse(new QPushButton(tr("Browse…"), this))
    , m_policy(new PolicyEditor(this))
    , m_run(new QPushButton(tr("Run diff"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_progress(new WorkProgressBar(this))
    , m_status(new StatusLabel(this))
    , m_summary(new QLabel(this))
    , m_totals(new QTableWidget(this))
    , m_changes(new QTreeWidget(this))
{
    m_otherKind->setObjectName(u"diffOther"_qs);
    m_otherKind->addItem(tr("the trigger editor's triggers"), static_cast<int>(Other::Edited));
    m_otherKind->addItem(tr("a triggers file"), static_cast<int>(Other::File));
    m_otherKind->setToolTip(tr("The trigger editor's current triggers (edited, not necessarily saved), or a JSON "
                               "array of triggers as in triggers/<product>.json"));
    m_file->setObjectName(u"diffFile"_qs);
    m_file->setPlaceholderText(tr("triggers file (.json)"));
    m_browse->setObjectName(u"diffBrowse"_qs);
    m_run->setObjectName(u"runDiff"_qs);
    m_cancel->setObjectName(u"cancelDiff"_qs);
    m_cancel->setEnabled(false);
    m_progress->setObjectName(u"diffProgress"_qs);
    m_progress->setValue(0);
    m_status->setObjectName(u"diffStatus"_qs);
    m_summary->setObjectName(u"diffSummary"_qs);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_totals->setObjectName(u"diffTotals"_qs);
    m_totals->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_totals->setSelectionMode(QAbstractItemView::NoSelection);
    m_totals->setFocusPolicy(Qt::NoFocus);
    m_totals->setAlternatingRowColors(true);
    m_totals->setWordWrap(false);
    m_totals->verticalHeader()->hide();
    m_totals->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_totals->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_totals->verticalHeader()->setDefaultSectionSize(m_totals->fontMetrics().height() + 8);
    m_totals->horizontalHeader()->setHighlightSections(false);
    m_totals->setColumnCount(7);
    m_totals->setHorizontalHeaderLabels(
        { tr("Trigger"), tr("Fire rate before"), tr("After"), tr("Δ"), tr("Firings before"), tr("After"), tr("Δ") });

    m_changes->setObjectName(u"diffChanges"_qs);
    m_changes->setHeaderLabels({ tr("Session / change"), tr("Trigger"), tr("Before"), tr("After"), tr("Page") });
    m_changes->setExpandsOnDoubleClick(false); // double-click opens the session
    for (int column : { 2, 3 })
        m_changes->headerItem()->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
    m_changes->setAlternatingRowColors(true);
    m_changes->setUniformRowHeights(true);
    setColumnWidths(m_changes, { 150, 150, 80, 80 });

    auto* otherRow = new QHBoxLayout;
    otherRow->addWidget(m_intro);
    otherRow->addWidget(m_otherKind);
    otherRow->addWidget(m_file, 1);
    otherRow->addWidget(m_browse);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(new QLabel(tr("User"), this));
    runRow->addWidget(m_policy);
    runRow->addStretch(1);
    runRow->addWidget(m_progress);
    runRow->addWidget(m_run);
    runRow->addWidget(m_cancel);

    auto* totalsBox = new QWidget(this);
    auto* totalsLayout = new QVBoxLayout(totalsBox);
    totalsLayout->setContentsMargins(0, 0, 0, 0);
    totalsLayout->addWidget(new QLabel(tr("Per trigger, saved → compared"), this));
    totalsLayout->addWidget(m_totals, 1);
    auto* changesBox = new QWidget(this);
    auto* changesLayout = new QVBoxLayout(changesBox);
    changesLayout->setContentsMargins(0, 0, 0, 0);
    changesLayout->addWidget(new QLabel(tr("Changed sessions (double-click: replay at the change)"), this));
    changesLayout->addWidget(m_changes, 1);
    // The table as wide as its columns (it has a few), the changes take the rest.
    auto* results = new QHBoxLayout;
    results->addWidget(totalsBox);
    results->addWidget(changesBox, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(otherRow);
    layout->addLayout(runRow);
    layout->addWidget(m_status);
    layout->addWidget(m_summary);
    layout->addLayout(results, 1);

    connect(m_otherKind, &QComboBox::currentIndexChanged, this, [this] {
        refreshControls();
        refreshStatus();
    });
    connect(m_browse, &QPushButton::clicked, this, &DiffPanel::browse);
    connect(m_run, &QPushButton::clicked, this, &DiffPanel::run);
    connect(m_cancel, &QPushButton::clicked, this, &DiffPanel::cancel);
    connect(m_job, &BackgroundJob::progressChanged, this,
        [this](quint64 done, quint64 total) { m_progress->showProgress(done, total); });
    connect(m_job, &BackgroundJob::finished, this, &DiffPanel::onFinished);
    connect(m_changes, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        if (!m_result)
            return;
        Q_EMIT sessionActivated(QString::fromStdString(m_result->productId), item->data(0, kSessionRole).toString(),
            Timestamp(Duration(item->data(0, kAtRole).toLongLong())));
    });
    refreshControls();
    refreshStatus();
}

DiffPanel::~DiffPanel() = default;

void DiffPanel::setTriggers(
    std::shared_ptr<const Workspace> saved, std::shared_ptr<const Workspace> edited, const std::string& productId)
{
    m_saved = std::move(saved);
    m_edited = std::move(edited);
    m_productId = productId;
    m_intro->setText(tr("Compare the saved triggers of <b>%1</b> with").arg(QString::fromStdString(productId)));
    refreshControls();
    refreshStatus();
}

DiffPanel::Other DiffPanel::other() const
{
    return static_cast<Other>(m_otherKind->currentData().toInt());
}

void DiffPanel::setOther(Other other)
{
    m_otherKind->setCurrentIndex(m_otherKind->findData(static_cast<int>(other)));
}

QString DiffPanel::otherFile() const
{
    return m_file->text().trimmed();
}

void DiffPanel::setOtherFile(const QString& path)
{
    m_file->setText(path);
    setOther(Other::File);
}

ResponsePolicy DiffPanel::policy() const
{
    return m_policy->policy();
}

void DiffPanel::setPolicy(const ResponsePolicy& policy)
{
    m_policy->setPolicy(policy);
}

bool DiffPanel::isRunning() const
{
    return m_job->isRunning();
}

bool DiffPanel::isStale() const
{
    return m_result && (m_result->saved != m_saved || (m_result->otherFile.isEmpty() && m_result->other != m_edited));
}

std::optional<Timestamp> DiffPanel::firstChange(const std::string& sessionId) const
{
    std::optional<Timestamp> first;
    if (m_result)
        for (const FiringChange& change : m_result->diff.changes)
            if (change.sessionId == sessionId)
                first = std::min(first.value_or(Timestamp::max()), changeAt(change));
    return first;
}

void DiffPanel::browse()
{
    QString start = otherFile();
    if (start.isEmpty() && m_saved)
        start = QString::fromStdString((m_saved->root() / "triggers").string());
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Triggers to compare with"), start, tr("Triggers (*.json);;All files (*)"));
    if (!path.isEmpty())
        setOtherFile(path);
}

void DiffPanel::refreshControls()
{
    const bool file = other() == Other::File;
    m_file->setEnabled(file);
    m_browse->setEnabled(file);
    m_run->setEnabled(!isRunning() && m_saved && m_edited);
    m_cancel->setEnabled(isRunning());
}

bool DiffPanel::run()
{
    if (isRunning())
        return false;
    if (!m_saved || !m_edited) {
        m_status->showMessage(tr("No product's triggers are open"), true);
        return false;
    }
    std::shared_ptr<const Workspace> compared = m_edited;
    QString file; // empty: the editor's triggers
    if (other() == Other::File) {
        if (otherFile().isEmpty()) {
            m_status->showMessage(tr("Choose the triggers file to compare with"), true);
            return false;
        }
        auto loaded = withTriggersFile(*m_saved, m_productId, otherFile().toStdString());
        if (!loaded) {
            m_status->showMessage(QString::fromStdString(loaded.error().message), true);
            return false;
        }
        compared = std::move(*loaded);
        file = QFileInfo(otherFile()).fileName();
    }
    auto sessions = m_library.sessionsOf(m_productId);
    if (sessions.empty()) {
        m_status->showMessage(tr("No sessions of %1 are loaded: import some in the Sessions tab")
                                  .arg(QString::fromStdString(m_productId)),
            true);
        return false;
    }

    auto pending = std::make_shared<Pending>();
    TriggerSetDiff& inputs = pending->diff;
    inputs.productId = m_productId;
    inputs.otherFile = file;
    inputs.saved = m_saved;
    inputs.other = std::move(compared);
    inputs.policy = policy();
    inputs.sessions = std::move(sessions);
    m_pending = pending;
    BackgroundJob* job = m_job;
    m_job->start([pending, job](std::stop_token stop) {
        TriggerSetDiff& diff = pending->diff;
        // The copies are made here, off the GUI thread: runBatch wants them contiguous.
        std::vector<RecordedSession> copies;
        copies.reserve(diff.sessions.size());
        for (const auto& session : diff.sessions)
            copies.push_back(*session);
        // Only the firings are compared: no poll log, no explanations (as the command line's --diff).
        ReplaySettings settings;
        settings.policy = diff.policy;
        settings.client.explain = false;
        settings.keepPolls = false;
        const std::size_t count = copies.size();
        BatchOptions options;
        options.stop = stop;
        options.progress = [job, count](std::size_t done, std::size_t) { job->reportProgress(done, 2 * count); };
        auto before = runBatch(diff.saved, copies, settings, options);
        if (!before) {
            pending->error = before.error();
            return;
        }
        options.progress
            = [job, count](std::size_t done, std::size_t) { job->reportProgress(count + done, 2 * count); };
        auto after = runBatch(diff.other, copies, settings, options);
        if (!after) {
            pending->error = after.error();
            return;
        }
        diff.diff = diffReplays(copies, before->records, after->records);
        diff.before = std::move(before->totals);
        diff.after = std::move(after->totals);
        pending->done = true;
    });
    m_progress->setValue(0);
    refreshControls();
    m_status->showMessage(
        tr("Replaying %n session(s) with both trigger sets…", nullptr, static_cast<int>(inputs.sessions.size())));
    return true;
}

void DiffPanel::cancel()
{
    m_job->cancel();
}

void DiffPanel::onFinished(bool cancelled)
{
    const std::shared_ptr<Pending> pending = std::exchange(m_pending, nullptr);
    refreshControls();
    if (cancelled || !pending || (pending->error && pending->error->code == "cancelled")) {
        m_progress->setValue(0);
        m_status->showMessage(m_result ? tr("Diff cancelled; the previous result stays") : tr("Diff cancelled"));
        Q_EMIT finished(false);
        return;
    }
    if (!pending->done) {
        m_status->showMessage(
            pending->error ? QString::fromStdString(pending->error->toString()) : tr("The diff failed"), true);
        Q_EMIT finished(false);
        return;
    }
    m_result = std::move(pending->diff);
    m_progress->setValue(m_progress->maximum());
    showResult();
    refreshStatus();
    Q_EMIT finished(true);
}

void DiffPanel::showResult()
{
    const TriggerSetDiff& result = *m_result;
    const ReplayDiff& diff = result.diff;
    const BatchTotals& before = result.before;
    const BatchTotals& after = result.after;
    m_summary->setText(
        tr("<b>%1 of %n session(s) changed</b>", nullptr, static_cast<int>(before.sessions)).arg(diff.sessionsChanged)
        + tr(": <span style='color:%1'>%2 disappeared</span>, <span style='color:%3'>%4 appeared</span>, "
             "<span style='color:%5'>%6 moved</span>, %7 unchanged. Reached %8 → %9.")
              .arg(kDisappeared.name())
              .arg(diff.disappeared)
              .arg(kAppeared.name())
              .arg(diff.appeared)
              .arg(kMoved.name())
              .arg(diff.moved)
              .arg(diff.unchanged)
              .arg(percent(before.reachedRate()), percent(after.reachedRate())));
    showTotals();
    showChanges();
}

void DiffPanel::showTotals()
{
    const TriggerSetDiff& result = *m_result;
    const BatchTotals& before = result.before;
    const BatchTotals& after = result.after;
    // Every trigger of either set: the saved order, then triggers only the other set has.
    std::vector<std::string> ids;
    for (const auto* totals : { &before, &after })
        for (const TriggerTotals& trigger : totals->triggers)
            if (trigger.productId == result.productId
                && std::find(ids.begin(), ids.end(), trigger.triggerId) == ids.end())
                ids.push_back(trigger.triggerId);
    const auto find = [&](const BatchTotals& totals, const std::string& id) -> const TriggerTotals* {
        for (const TriggerTotals& trigger : totals.triggers)
            if (trigger.productId == result.productId && trigger.triggerId == id)
                return &trigger;
        return nullptr;
    };
    const auto rateText = [](double rate, std::size_t sessions, std::size_t of) {
        return u"%1  (%2/%3)"_qs.arg(percent(rate)).arg(sessions).arg(of);
    };
    m_totals->setRowCount(static_cast<int>(ids.size()) + 1);
    // The first row is every trigger together: reach and all firings.
    auto* all = cell(tr("any trigger (reach)"), false);
    QFont bold = all->font();
    bold.setBold(true);
    all->setFont(bold);
    m_totals->setItem(0, 0, all);
    m_totals->setItem(0, 1, cell(rateText(before.reachedRate(), before.sessionsReached, before.sessions)));
    m_totals->setItem(0, 2, cell(rateText(after.reachedRate(), after.sessionsReached, after.sessions)));
    m_totals->setItem(0, 3, deltaCell(before.reachedRate(), after.reachedRate(), true));
    m_totals->setItem(0, 4, cell(QString::number(before.firings)));
    m_totals->setItem(0, 5, cell(QString::number(after.firings)));
    m_totals->setItem(0, 6, deltaCell(static_cast<double>(before.firings), static_cast<double>(after.firings), false));
    for (int column = 1; column < 7; ++column)
        m_totals->item(0, column)->setFont(bold);
    for (int row = 1; row <= static_cast<int>(ids.size()); ++row) {
        const std::string& id = ids[static_cast<std::size_t>(row - 1)];
        const TriggerTotals* a = find(before, id);
        const TriggerTotals* b = find(after, id);
        m_totals->setItem(row, 0, cell(QString::fromStdString(id), false));
        if (!a || !b)
            m_totals->item(row, 0)->setToolTip(a
                    ? tr("only in the saved triggers")
                    : tr("only in %1").arg(result.otherFile.isEmpty() ? tr("the edited triggers") : result.otherFile));
        const QString none = QStringLiteral("–");
        m_totals->setItem(row, 1, cell(a ? rateText(before.fireRate(*a), a->sessions, before.sessions) : none));
        m_totals->setItem(row, 2, cell(b ? rateText(after.fireRate(*b), b->sessions, after.sessions) : none));
        m_totals->setItem(row, 3, deltaCell(a ? before.fireRate(*a) : 0.0, b ? after.fireRate(*b) : 0.0, true));
        m_totals->setItem(row, 4, cell(a ? QString::number(a->firings) : none));
        m_totals->setItem(row, 5, cell(b ? QString::number(b->firings) : none));
        m_totals->setItem(row, 6,
            deltaCell(a ? static_cast<double>(a->firings) : 0.0, b ? static_cast<double>(b->firings) : 0.0, false));
    }
}

void DiffPanel::showChanges()
{
    const TriggerSetDiff& result = *m_result;
    std::map<std::string, const RecordedSession*> sessions;
    for (const auto& session : result.sessions)
        sessions.emplace(session->summary.sessionId, session.get());
    m_changes->setUpdatesEnabled(false);
    m_changes->clear();
    const bool expand = result.diff.changes.size() <= static_cast<std::size_t>(kExpandedChanges);
    QTreeWidgetItem* group = nullptr;
    std::string groupId;
    std::map<FiringChange::Kind, int> counts;
    Timestamp start {};
    const auto closeGroup = [&] {
        if (!group)
            return;
        QStringList parts;
        for (const auto& [kind, count] : counts)
            parts << u"%1 %2"_qs.arg(count).arg(toQString(nameOf(kind)));
        group->setText(0, group->text(0) + u" — "_qs + parts.join(u", "_qs));
        group->setExpanded(expand);
    };
    for (const FiringChange& change : result.diff.changes) {
        if (!group || change.sessionId != groupId) {
            closeGroup();
            counts.clear();
            groupId = change.sessionId;
            const auto found = sessions.find(change.sessionId);
            const RecordedSession* session = found != sessions.end() ? found->second : nullptr;
            start = session ? session->summary.start : changeAt(change);
            const QString user = session
                ? QString::fromStdString(
                    session->summary.email.empty() ? session->summary.distinctId : session->summary.email)
                : QString();
            group = new QTreeWidgetItem(m_changes);
            group->setText(
                0, tr("%1 · %2 · started %3").arg(user, QString::fromStdString(change.sessionId), clockTime(start)));
            group->setFirstColumnSpanned(true);
            QFont bold = group->font(0);
            bold.setBold(true);
            group->setFont(0, bold);
            group->setData(0, kSessionRole, QString::fromStdString(change.sessionId));
            group->setData(0, kAtRole, static_cast<qlonglong>(changeAt(change).time_since_epoch().count()));
        }
        ++counts[change.kind];
        // The session starts at its earliest change, whatever the order of the list.
        if (changeAt(change).time_since_epoch().count() < group->data(0, kAtRole).toLongLong())
            group->setData(0, kAtRole, static_cast<qlonglong>(changeAt(change).time_since_epoch().count()));
        const auto at = [&](const std::optional<Timestamp>& t) {
            return t ? u"+"_qs + elapsedText(*t - start) : QStringLiteral("–");
        };
        const std::string& firstPage = change.before ? change.pageBefore : change.pageAfter;
        QString page = firstPage.empty() ? QString() : toQString(urlPath(firstPage));
        QString pageTip = QString::fromStdString(firstPage);
        if (change.before && change.after && change.pageBefore != change.pageAfter) {
            page += u" → "_qs + toQString(urlPath(change.pageAfter));
            pageTip += u" → "_qs + QString::fromStdString(change.pageAfter);
        }
        auto* item = new QTreeWidgetItem(group,
            { toQString(nameOf(change.kind)), QString::fromStdString(change.triggerId), at(change.before),
                at(change.after), page });
        item->setForeground(0, kindColor(change.kind));
        item->setToolTip(4, pageTip);
        item->setData(0, kSessionRole, QString::fromStdString(change.sessionId));
        item->setData(0, kAtRole, static_cast<qlonglong>(changeAt(change).time_since_epoch().count()));
        for (int column : { 2, 3 }) {
            item->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
            const auto& t = column == 2 ? change.before : change.after;
            if (t)
                item->setToolTip(column, preciseTime(*t));
        }
        if (change.kind == FiringChange::Kind::Moved)
            item->setToolTip(0,
                *change.after > *change.before ? tr("%1 later").arg(humanDuration(*change.after - *change.before))
                                               : tr("%1 earlier").arg(humanDuration(*change.before - *change.after)));
    }
    closeGroup();
    if (result.diff.changes.empty()) {
        auto* none = new QTreeWidgetItem(m_changes, { tr("No firing changed in any session") });
        none->setFirstColumnSpanned(true);
        none->setForeground(0, kMuted);
        none->setFlags(Qt::ItemIsEnabled);
    }
    m_changes->setUpdatesEnabled(true);
}

void DiffPanel::refreshStatus()
{
    if (isRunning())
        return;
    if (!m_result) {
        m_status->showMessage(
            tr("Replays every imported session of the product with both trigger sets and lists the firings "
               "that appear, disappear or move"));
        return;
    }
    const TriggerSetDiff& result = *m_result;
    QString text = tr("Saved triggers → %1, over %n session(s) of %2, the user: %3", nullptr,
        static_cast<int>(result.sessions.size()))
                       .arg(result.otherFile.isEmpty() ? tr("the trigger editor's triggers") : result.otherFile,
                           QString::fromStdString(result.productId), QString::fromStdString(result.policy.toString()));
    if (isStale()) {
        m_status->showMessage(text + tr(". The triggers changed since: run the diff again"), true);
        return;
    }
    m_status->showMessage(text);
}

QString DiffPanel::summaryText() const
{
    return m_summary->text();
}

QString DiffPanel::statusText() const
{
    return m_status->text();
}

} // namespace proactive::ui
