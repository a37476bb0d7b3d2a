#include "sessionbrowser.h"

#include "jobfeedback.h"
#include "sessionlibrary.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace proactive::ui {

namespace {

    // Progress is in bytes, which overflow a QProgressBar's int past 2 GiB.

} // namespace

SessionBrowser::SessionBrowser(SessionLibrary& library, QWidget* parent)
    : QWidget(parent)
    , m_library(library)
    , m_search(new QLineEdit(this))
    , m_assign(new QComboBox(this))
    , m_table(new QTableView(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_status(new QLabel(this))
    , m_progress(new WorkProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_problemsTitle(new QLabel(this))
    , m_problems(new QListWidget(this))
{
    m_search->setObjectName(u"sessionSearch"_qs);
    m_search->setPlaceholderText(tr("Search user, email, session id or page"));
    m_search->setClearButtonEnabled(true);
    m_assign->setObjectName(u"assignProduct"_qs);
    m_assign->setToolTip(tr("Which product the imported events belong to: the one whose PostHog project token "
                            "they carry, or every event to the product chosen here (exports often have no token)"));
    auto* importButton = new QPushButton(tr("Import…"), this);
    importButton->setObjectName(u"importSessions"_qs);
    importButton->setToolTip(tr("PostHog exports: events API JSON, JSON lines, the events table's CSV, webhook "
                                "captures (also .gz). Files can be dropped on the window too."));

    m_proxy->setSourceModel(&m_library);
    m_proxy->setSortRole(SessionLibrary::SortRole);
    m_proxy->setFilterRole(SessionLibrary::FilterRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setObjectName(u"sessions"_qs);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SessionLibrary::Start, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    for (auto [column, width] : { std::pair(SessionLibrary::User, 190), std::pair(SessionLibrary::Product, 70),
             std::pair(SessionLibrary::Start, 145), std::pair(SessionLibrary::Length, 90),
             std::pair(SessionLibrary::Actions, 60) })
        m_table->setColumnWidth(column, width);

    m_status->setObjectName(u"importStatus"_qs);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setObjectName(u"importProgress"_qs);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_cancel->setObjectName(u"cancelImport"_qs);
    m_cancel->hide();
    m_problems->setObjectName(u"importProblems"_qs);
    m_problems->setUniformItemSizes(true);
    m_problems->setAlternatingRowColors(true);

    auto* top = new QHBoxLayout;
    top->addWidget(m_search, 1);
    top->addWidget(new QLabel(tr("Events of"), this));
    top->addWidget(m_assign);
    top->addWidget(importButton);
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_progress);
    statusRow->addWidget(m_cancel);

    auto* problemsBox = new QWidget(this);
    auto* problemsLayout = new QVBoxLayout(problemsBox);
    problemsLayout->setContentsMargins(0, 0, 0, 0);
    problemsLayout->addWidget(m_problemsTitle);
    problemsLayout->addWidget(m_problems);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(problemsBox);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    layout->addLayout(statusRow);

    connect(m_search, &QLineEdit::textChanged, this, &SessionBrowser::setFilterText);
    connect(importButton, &QPushButton::clicked, this, &SessionBrowser::importRequested);
    connect(m_cancel, &QPushButton::clicked, &m_library, &SessionLibrary::cancelImport);
    connect(m_table, &QTableView::activated, this,
        [this](const QModelIndex& index) { Q_EMIT sessionActivated(m_proxy->mapToSource(index).row()); });
    connect(&m_library, &SessionLibrary::importStarted, this, [this](const QStringList& paths) {
        m_status->setText(
            tr("Importing %1…")
                .arg(paths.size() == 1 ? paths.front() : tr("%n path(s)", nullptr, static_cast<int>(paths.size()))));
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
    });
    connect(&m_library, &SessionLibrary::importProgress, this,
        [this](quint64 done, quint64 total) { m_progress->showProgress(done, total); });
    connect(&m_library, &SessionLibrary::importFinished, this, &SessionBrowser::onImportFinished);
    connect(&m_library, &SessionLibrary::diagnosticsChanged, this, &SessionBrowser::refreshProblems);
    connect(&m_library, &SessionLibrary::modelReset, this, [this] {
        m_status->setText(tr("No sessions yet: import PostHog exports or drop them on the window"));
        refreshProducts();
    });
    m_status->setText(tr("No sessions yet: import PostHog exports or drop them on the window"));
    refreshProblems();
    refreshProducts();
}

QString SessionBrowser::assignedProduct() const
{
    return m_assign->currentData().toString();
}

void SessionBrowser::setAssignedProduct(const QString& productId)
{
    m_assign->setCurrentIndex(std::max(0, m_assign->findData(productId)));
}

void SessionBrowser::refreshProducts()
{
    const QString chosen = assignedProduct();
    m_assign->clear();
    m_assign->addItem(tr("any product (by project token)"), QString());
    if (const auto& workspace = m_library.workspace())
        for (const Product& product : workspace->products())
            m_assign->addItem(QString::fromStdString(product.id), QString::fromStdString(product.id));
    setAssignedProduct(chosen);
}

void SessionBrowser::setFilterText(const QString& text)
{
    if (m_search->text() != text)
        m_search->setText(text);
    m_proxy->setFilterFixedString(text);
}

QString SessionBrowser::statusText() const
{
    return m_status->text();
}

QStringList SessionBrowser::problemTexts() const
{
    QStringList texts;
    for (int i = 0; i < m_problems->count(); ++i)
        texts << m_problems->item(i)->text();
    return texts;
}

void SessionBrowser::onImportFinished(const ImportOutcome& outcome)
{
    m_progress->hide();
    m_cancel->hide();
    if (outcome.cancelled) {
        m_status->setText(tr("Import cancelled; nothing was added"));
        return;
    }
    if (!outcome.ok) {
        m_status->setText(tr("Import failed: %1").arg(outcome.error));
        return;
    }
    QString text = tr("%n session(s) imported", nullptr, outcome.added);
    if (outcome.replaced > 0)
        text += tr(", %n read again", nullptr, outcome.replaced);
    text += tr(" (%n event(s)", nullptr, static_cast<int>(outcome.events));
    if (outcome.rejected > 0)
        text += tr(", %n row(s) skipped", nullptr, static_cast<int>(outcome.rejected));
    if (outcome.unassigned > 0)
        text += tr(", %n without a product: choose one under \"Events of\" and import again", nullptr,
            static_cast<int>(outcome.unassigned));
    text += u")"_qs + tr("; %n session(s) in all", nullptr, m_library.sessionCount());
    m_status->setText(text);
}

void SessionBrowser::refreshProblems()
{
    m_problems->clear();
    // Files inside the workspace by their relative path, others by name; the full path in the tooltip.
    const QDir root(m_library.workspace() ? QString::fromStdString(m_library.workspace()->root().string()) : QString());
    for (const ImportDiagnostic& diagnostic : m_library.diagnostics()) {
        ImportDiagnostic shown = diagnostic;
        const QString file = QString::fromStdString(diagnostic.file);
        const QString relative = root.relativeFilePath(file);
        shown.file = (relative.startsWith(u"../"_qs) ? QFileInfo(file).fileName() : relative).toStdString();
        auto* item = new QListWidgetItem(QString::fromStdString(shown.toString()), m_problems);
        item->setToolTip(QString::fromStdString(diagnostic.toString()));
    }
    const auto count = static_cast<int>(m_library.diagnostics().size() + m_library.diagnosticsLeftOut());
    if (m_library.diagnosticsLeftOut() > 0)
        m_problems->addItem(tr("… and %n more", nullptr, static_cast<int>(m_library.diagnosticsLeftOut())));
    m_problemsTitle->setText(
        count == 0 ? tr("Import problems: none") : tr("Import problems: %n row(s) or file(s) skipped", nullptr, count));
}

} // namespace proactive::ui
