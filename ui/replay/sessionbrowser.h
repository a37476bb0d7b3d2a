#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace proactive::ui {

class WorkProgressBar;

class SessionLibrary;
struct ImportOutcome;

// The imported sessions as a sortable table with a search field (user,
// email, session id, pages), the import's progress with Cancel, and the
// rows the importer skipped ("file:line: code: reason"). Double-clicking a
// session asks for its replay.
class SessionBrowser final : public QWidget {
    Q_OBJECT

public:
    explicit SessionBrowser(SessionLibrary& library, QWidget* parent = nullptr);

    QTableView* table() const { return m_table; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    void setFilterText(const QString& text);
    QString statusText() const;
    QStringList problemTexts() const;
    // The product chosen for events without a project token; empty: by token.
    QString assignedProduct() const;
    void setAssignedProduct(const QString& productId);

Q_SIGNALS:
    // A library row.
    void sessionActivated(int row);
    void importRequested();

private:
    void onImportFinished(const ImportOutcome& outcome);
    void refreshProblems();
    void refreshProducts();

    SessionLibrary& m_library;
    QLineEdit* m_search;
    QComboBox* m_assign;
    QTableView* m_table;
    QSortFilterProxyModel* m_proxy;
    QLabel* m_status;
    WorkProgressBar* m_progress;
    QPushButton* m_cancel;
    QLabel* m_problemsTitle;
    QListWidget* m_problems;
};

} // namespace proactive::ui
