#include "studioprofile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace proactive::ui {

namespace {

    Error profileError(const QString& file, const QString& field, const QString& reason)
    {
        return { "invalid_studio_profile", reason.toStdString(), (file + u':' + field).toStdString() };
    }

} // namespace

Result<StudioProfile> loadStudioProfile(const QString& workspaceDirectory)
{
    const QDir root(workspaceDirectory);
    const QString path = root.filePath(u"studio.json"_qs);
    StudioProfile profile;
    QFile file(path);
    if (!file.exists())
        return profile;
    if (!file.open(QIODevice::ReadOnly))
        return profileError(path, u""_qs, file.errorString());
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return profileError(path, u"offset %1"_qs.arg(parseError.offset), u"not JSON: "_qs + parseError.errorString());
    if (!document.isObject())
        return profileError(path, u"/"_qs, u"expected an object"_qs);
    const QJsonObject object = document.object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        if (key != u"product"_qs && key != u"site"_qs && key != u"start_path"_qs)
            return profileError(path, u'/' + key, u"unknown field"_qs);
        if (!it->isString())
            return profileError(path, u'/' + key, u"expected a string"_qs);
    }
    profile.productId = object.value(u"product"_qs).toString();
    if (object.contains(u"site"_qs)) {
        const QString site = QDir::cleanPath(root.absoluteFilePath(object.value(u"site"_qs).toString()));
        if (!QFileInfo(QDir(site).filePath(u"index.html"_qs)).isFile())
            return profileError(path, u"/site"_qs, u"no index.html in "_qs + site);
        profile.siteDirectory = site;
    }
    if (object.contains(u"start_path"_qs)) {
        profile.startPath = object.value(u"start_path"_qs).toString();
        if (!profile.startPath.startsWith(u'/'))
            return profileError(path, u"/start_path"_qs, u"must start with '/'"_qs);
    }
    return profile;
}

} // namespace proactive::ui
