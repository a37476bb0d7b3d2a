#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <functional>

namespace proactive::ui {

// Where the Dify app key lives: the environment (DIFY_API_KEY) first, else
// the system keychain (Secret Service, KWallet) through QtKeychain. Never in
// settings files, never in a log line or a signal's text.
class DifyKeyStore final : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;

    static constexpr const char* kEnvironmentVariable = "DIFY_API_KEY";

    // `done(key, problem)`: the key, or an empty key and why there is none.
    void read(const std::function<void(const QByteArray& key, const QString& problem)>& done);
    // `done(problem)`: empty when stored.
    void store(const QByteArray& key, const std::function<void(const QString& problem)>& done);
};

} // namespace proactive::ui
