/// Health reasons as the page words them: the same `HealthAssessment.Reason`s as `/api/health/detailed`, with ages in
/// days, hours and minutes instead of raw minutes (the JSON keeps its wording; scripts may match it).
extension DashboardText {
    func reason(_ reason: HealthAssessment.Reason, _ format: DashboardFormat) -> String {
        language == "en" ? english(reason, format) : russian(reason, format)
    }

    private func english(_ reason: HealthAssessment.Reason, _ format: DashboardFormat) -> String {
        switch reason {
        case .oldestPendingWaits(let seconds): "the oldest waiting lead has waited \(format.age(seconds: seconds))"
        case .reactorSilent(let seconds): "the reactor is not running: last heard from \(format.age(seconds: seconds)) ago"
        case .lowDisk(let free): "only \(free / 1_048_576) MiB of disk left"
        // The error's text (paths, SQL) stays off this unauthenticated page; the JSON health has it.
        case .unreadable: "the event log or the read models cannot be read (details: /api/health/detailed)"
        case .telegramRefuses: "Telegram refuses alerts (details: /api/health/detailed)"
        default: reason.english
        }
    }

    private func russian(_ reason: HealthAssessment.Reason, _ format: DashboardFormat) -> String {
        switch reason {
        case .unreadable: "журнал событий или модели чтения не читаются (подробности: /api/health/detailed)"
        case .conservationFailed(let received, let inQueue): "баланс не сходится: получено \(received), в очереди \(inQueue)"
        case .lowDisk(let free): "на диске осталось \(free / 1_048_576) МиБ"
        case .oldestPendingWaits(let seconds): "самая старая заявка ждёт отправки \(format.age(seconds: seconds))"
        case .projectionsBehind(let events): "модели чтения отстают от журнала на \(events) событий"
        case .crmDisabled: "отправка в CRM выключена: не задан LEADLEDGER_AMOCRM_BASE_URL"
        case .circuitOpen: "AmoCRM не отвечает, предохранитель разомкнут: заявки ждут, реактор проверяет связь"
        case .reactorSilent(let seconds): "реактор не работает: последний сигнал \(format.age(seconds: seconds)) назад"
        case .reactorNeverRan: "реактор ни разу не запускался на этом журнале"
        case .alertsNotDelivered: "оповещения не доставляются: не задан LEADLEDGER_TELEGRAM_BOT_TOKEN"
        // Telegram's refusal text is its own English; the page names the problem without quoting it.
        case .telegramRefuses: "Telegram отказывается принимать оповещения (подробности: /api/health/detailed)"
        case .alertsWaiting(let count): "оповещений ждут отправки в Telegram: \(count)"
        case .descriptorsHigh(let open, let limit):
            "открыто \(open) файловых дескрипторов из \(limit): новые соединения, а с ними и заявки, скоро будут отклонены"
        }
    }
}
