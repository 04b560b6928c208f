import LedgerCore

/// Every word on the dashboard, in Russian (the default) and English (`LEADLEDGER_LOCALE=en`). Kept in one place so a
/// translation is one file and no string is missed in one language.
struct DashboardText: Sendable {
    var language: String
    var title: String
    var updated: String
    var refreshes: String
    var status: [HealthAssessment.Status: String]
    var noProblems: String
    var queue: String
    var pending: String
    var inFlight: String
    var dead: String
    var spam: String
    var oldestPending: String
    var nobodyWaits: String
    var crm: String
    var crmSync: String
    var enabled: String
    var disabled: String
    var reactor: String
    var reactorAlive: String
    var reactorSilent: String
    var reactorNever: String
    var circuit: String
    var circuitStates: [String: String]
    var consecutiveFailures: String
    var lastSuccess: String
    var never: String
    var ago: String
    var today: String
    var delivered: String
    var atRisk: String
    var lost: String
    var savedByRetries: String
    var receivedPerHour: String
    var received: String
    var deliveredVsFailed: String
    var failed: String
    var last24Hours: String
    var alerts: String
    var noAlerts: String
    var time: String
    var severity: String
    var kind: String
    var message: String
    var deadLetters: String
    var noDeadLetters: String
    var leadID: String
    var receivedAt: String
    var lastError: String
    var requeue: String
    var adminDisabled: String
    var tokenLabel: String
    var tokenSave: String
    var tokenForget: String
    var tokenSaved: String
    var tokenMissing: String
    var requeued: String
    var tokenRejected: String
    var requeueFailed: String
    var severities: [String: String]

    /// "1 lead", "5 leads"; Russian picks one of three forms by the last digits (заявка, заявки, заявок).
    func leadCount(_ count: Int) -> String {
        if language == "en" { return count == 1 ? "1 lead" : "\(count) leads" }
        let lastTwo = abs(count) % 100
        let last = lastTwo % 10
        if last == 1 && lastTwo != 11 { return "\(count) заявка" }
        if (2...4).contains(last) && !(12...14).contains(lastTwo) { return "\(count) заявки" }
        return "\(count) заявок"
    }

    /// "and N more" under a list cut at its limit.
    func andMore(_ count: Int64) -> String { language == "en" ? "and \(count) more" : "и ещё \(count)" }

    /// A failure class (`server_error`) in the page's words; an id this build does not know shows as it is.
    func errorClass(_ id: String) -> String {
        guard let errorClass = SyncErrorClass(rawValue: id) else { return id }
        return SyncErrorWords.text(errorClass, language == "en" ? .en : .ru)
    }

    static func forLocale(_ locale: String) -> DashboardText { locale == "en" ? .english : .russian }

    static let russian = DashboardText(
        language: "ru", title: "LeadLedger — заявки", updated: "Обновлено", refreshes: "страница обновляется каждые 30 с",
        status: [.ok: "Всё в порядке", .degraded: "Есть проблемы", .failing: "Сбой"],
        noProblems: "Заявки принимаются и доставляются.",
        queue: "Очередь", pending: "Ждут отправки", inFlight: "Отправляются", dead: "Не доставлены", spam: "Спам",
        oldestPending: "Самая старая ждёт", nobodyWaits: "никто не ждёт", crm: "AmoCRM", crmSync: "Отправка",
        enabled: "включена", disabled: "выключена", reactor: "Реактор", reactorAlive: "работает", reactorSilent: "молчит",
        reactorNever: "не запускался", circuit: "Предохранитель",
        circuitStates: [
            "closed": "замкнут (связь есть)", "open": "разомкнут (связи нет)", "half_open": "проверка связи",
            "disabled": "выключен",
        ],
        consecutiveFailures: "Ошибок подряд", lastSuccess: "Последняя доставка", never: "никогда", ago: "назад",
        today: "Сегодня", delivered: "Доставлено", atRisk: "Под угрозой", lost: "Потеряно",
        savedByRetries: "Спасено повторами", receivedPerHour: "Заявки по часам",
        received: "получено", deliveredVsFailed: "Доставка по часам", failed: "ошибок",
        last24Hours: "последние 24 ч", alerts: "Последние оповещения", noAlerts: "Оповещений не было.", time: "Время",
        severity: "Важность", kind: "Тип", message: "Сообщение", deadLetters: "Недоставленные заявки",
        noDeadLetters: "Недоставленных заявок нет.", leadID: "Заявка", receivedAt: "Получена", lastError: "Последняя ошибка",
        requeue: "Вернуть в очередь",
        adminDisabled:
            "API администратора выключен (не задан LEADLEDGER_ADMIN_TOKEN): вернуть заявки можно командой leadledger requeue.",
        tokenLabel: "Токен администратора", tokenSave: "Запомнить", tokenForget: "Забыть",
        tokenSaved: "токен запомнен до закрытия вкладки", tokenMissing: "сначала введите токен администратора",
        requeued: "возвращена в очередь", tokenRejected: "токен не подошёл", requeueFailed: "не получилось",
        severities: ["info": "сведения", "warning": "внимание", "critical": "критично"])

    static let english = DashboardText(
        language: "en", title: "LeadLedger — leads", updated: "Updated", refreshes: "the page refreshes every 30 s",
        status: [.ok: "All good", .degraded: "Needs attention", .failing: "Failing"],
        noProblems: "Leads are received and delivered.", queue: "Queue", pending: "Waiting", inFlight: "Being sent",
        dead: "Not delivered", spam: "Spam", oldestPending: "Oldest waiting", nobodyWaits: "nobody waits", crm: "AmoCRM",
        crmSync: "Sync", enabled: "on", disabled: "off", reactor: "Reactor", reactorAlive: "running",
        reactorSilent: "silent", reactorNever: "never ran", circuit: "Circuit breaker",
        circuitStates: [
            "closed": "closed (CRM reachable)", "open": "open (CRM unreachable)", "half_open": "half open (probing)",
            "disabled": "disabled",
        ],
        consecutiveFailures: "Failures in a row", lastSuccess: "Last delivery", never: "never", ago: "ago", today: "Today",
        delivered: "Delivered", atRisk: "At risk", lost: "Lost", savedByRetries: "Saved by retries",
        receivedPerHour: "Leads per hour", received: "received", deliveredVsFailed: "Delivery per hour", failed: "failed",
        last24Hours: "last 24 h", alerts: "Recent alerts", noAlerts: "No alerts yet.", time: "Time", severity: "Severity",
        kind: "Kind", message: "Message", deadLetters: "Undelivered leads", noDeadLetters: "No undelivered leads.",
        leadID: "Lead", receivedAt: "Received", lastError: "Last error", requeue: "Requeue",
        adminDisabled: "The admin API is off (LEADLEDGER_ADMIN_TOKEN is not set): requeue with leadledger requeue.",
        tokenLabel: "Admin token", tokenSave: "Remember", tokenForget: "Forget",
        tokenSaved: "token kept until this tab closes", tokenMissing: "enter the admin token first",
        requeued: "requeued", tokenRejected: "the token was refused", requeueFailed: "failed",
        severities: ["info": "info", "warning": "warning", "critical": "critical"])
}
