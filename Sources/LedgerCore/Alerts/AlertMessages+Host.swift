/// The alerts about the ledger and the machine it runs on: `conservation_failed`, `projector_stalled`, `disk_low`,
/// `memory_high`, `descriptors_high`, and, from start-up, `unclean_restart` and `crash_loop`. Each says what breaks for
/// leads if nothing is done.
extension AlertMessages {
    /// `conservation_failed`: `received` leads, `accounted` of them in the queue.
    public static func conservationFailed(received: Int64, accounted: Int64, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            "учёт заявок не сходится — получено \(received), а в очереди учтено \(accounted); "
                + "выполните leadledger verify и leadledger rebuild"
        case .en:
            "the books do not balance: \(received) leads received, \(accounted) accounted for in the queue; run leadledger verify and leadledger rebuild"
        }
    }

    /// `projector_stalled`: the read model `projector` has not advanced for `seconds` although events wait.
    public static func projectorStalled(projector: String, seconds: Int64, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            "модель чтения \(projector) не продвигается уже \(seconds) с, хотя новые события есть — состояние и очередь "
                + "устарели; подробности в журнале процесса react"
        case .en:
            "projector \(projector) has not advanced for \(seconds) s although events wait: health and the queue are stale; see the react log"
        }
    }

    /// `disk_low`: `freeMiB` left under the log, below the `thresholdMiB` setting.
    public static func diskLow(freeMiB: Int64, thresholdMiB: Int, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            "на диске с журналом свободно \(freeMiB) МиБ (порог оповещения — \(thresholdMiB) МиБ); когда диск "
                + "заполнится, новые заявки будут отклоняться с кодом 503"
        case .en:
            "\(freeMiB) MiB free on the log's disk (alert below \(thresholdMiB) MiB): when it is full, new leads are refused with 503"
        }
    }

    /// `memory_high`: `percent` of a `limitMiB` limit in use, above the `thresholdPercent` setting.
    public static func memoryHigh(percent: Int64, limitMiB: Int64, thresholdPercent: Int, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru: "занято \(percent) % памяти из лимита \(limitMiB) МиБ (порог оповещения — \(thresholdPercent) %)"
        case .en: "memory at \(percent) % of its \(limitMiB) MiB limit (alert above \(thresholdPercent) %)"
        }
    }

    /// `descriptors_high`: `process` has `open` of `limit` descriptors open, above the `thresholdPercent` setting.
    public static func descriptorsHigh(
        process: String, open: Int, limit: Int, thresholdPercent: Int, _ locale: AlertLocale
    ) -> String {
        switch locale {
        case .ru:
            "у процесса \(process) открыто \(open) из \(limit) файловых дескрипторов (порог оповещения — "
                + "\(thresholdPercent) %); на пределе новые соединения, а с ними и заявки, будут отклоняться"
        case .en:
            "\(process) has \(open) of its \(limit) file descriptors open (alert above \(thresholdPercent) %): at the limit new connections, and with them leads, are refused"
        }
    }

    /// `unclean_restart`: `process` started again after a run (pid `pid`, started at `startedAt`, ISO 8601) that
    /// left no clean stop.
    public static func uncleanRestart(process: String, pid: Int32, startedAt: String, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            "процесс \(process) перезапущен, а его прошлый запуск (pid \(pid), начат \(startedAt)) завершился "
                + "аварийно — сбой, принудительная остановка или отключение питания"
        case .en:
            "\(process) restarted after its previous run (pid \(pid), started \(startedAt)) ended without a clean shutdown: a crash, a kill or a power cut"
        }
    }

    /// `crash_loop`: `process` restarted `restarts` times within `minutes`.
    public static func crashLoop(process: String, restarts: Int, minutes: Int64, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            let times = RussianPlural.form(Int64(restarts), one: "раз", few: "раза", many: "раз")
            return "процесс \(process) перезапускался \(restarts) \(times) за последние \(minutes) мин — он падает снова и снова"
        case .en:
            return "\(process) restarted \(restarts) times in the last \(minutes) min: it is crash-looping"
        }
    }
}
