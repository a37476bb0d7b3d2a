#include "difykeystore.h"

#include <qt6keychain/keychain.h>

namespace proactive::ui {

namespace {

    const QString kService = u"proactive-studio"_qs;
    const QString kAccount = u"dify-api-key"_qs;

} // namespace

void DifyKeyStore::read(const std::function<void(const QByteArray& key, const QString& problem)>& done)
{
    const QByteArray fromEnvironment = qgetenv(kEnvironmentVariable);
    if (!fromEnvironment.isEmpty()) {
        done(fromEnvironment, {});
        return;
    }
    auto* job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(kAccount);
    connect(job, &QKeychain::Job::finished, this, [done](QKeychain::Job* finished) {
        auto* read = static_cast<QKeychain::ReadPasswordJob*>(finished);
        if (read->error() == QKeychain::NoError && !read->binaryData().isEmpty()) {
            done(read->binaryData(), {});
            return;
        }
        const QString why = read->error() == QKeychain::EntryNotFound
            ? tr("the system keychain has no Dify key for Proactive Studio")
            : tr("the system keychain is not available (%1)").arg(read->errorString());
        done({},
            tr("No Dify app key: set %1 or store the key in the keychain (Simulation ▸ Chat Backend); %2.")
                .arg(QString::fromLatin1(kEnvironmentVariable), why));
    });
    job->start();
}

void DifyKeyStore::store(const QByteArray& key, const std::function<void(const QString& problem)>& done)
{
    auto* job = new QKeychain::WritePasswordJob(kService, this);
    job->setKey(kAccount);
    job->setBinaryData(key);
    connect(job, &QKeychain::Job::finished, this, [done](QKeychain::Job* finished) {
        done(finished->error() == QKeychain::NoError
                ? QString()
                : tr("The key was not stored: the system keychain is not available (%1).")
                      .arg(finished->errorString()));
    });
    job->start();
}

} // namespace proactive::ui
