// proactive-iconrender: renders the application's SVG icon to the PNG sizes
// of the hicolor icon theme, for desktops that do not draw SVG icons.

#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <QTextStream>

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    QTextStream err(stderr);
    if (arguments.size() < 5) {
        err << "usage: proactive-iconrender ICON.svg OUTDIR NAME SIZE...\n"
               "writes OUTDIR/SIZExSIZE/apps/NAME.png for each SIZE\n";
        return 2;
    }
    QSvgRenderer renderer(arguments.at(1));
    if (!renderer.isValid()) {
        err << arguments.at(1) << ": not a valid SVG image\n";
        return 1;
    }
    for (const QString& sizeText : arguments.mid(4)) {
        bool ok = false;
        const int size = sizeText.toInt(&ok);
        if (!ok || size <= 0) {
            err << sizeText << ": not a size in pixels\n";
            return 2;
        }
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        renderer.render(&painter);
        painter.end();
        const QString folder = QStringLiteral("%1/%2x%2/apps").arg(arguments.at(2)).arg(size);
        const QString file = folder + u'/' + arguments.at(3) + u".png"_qs;
        if (!QDir().mkpath(folder) || !image.save(file, "PNG")) {
            err << file << ": cannot write\n";
            return 1;
        }
    }
    return 0;
}
