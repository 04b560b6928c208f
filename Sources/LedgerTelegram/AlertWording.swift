import LedgerCore

/// Every fixed word of the alert texts, per locale. Plain text: escaped where it is used, like everything else.
struct AlertWording: Sendable {
    var severity: [AlertSeverity: String]
    var subject: String
    var since: String
    var affectedLeads: String
    var occurrences: String
    var whatToDo: String
    var resolved: String
    var lasted: String
    var digestTitle: String
    var digestMore: String
    var truncated: String
    var lessThanAMinute: String
    var minutes: String
    var hours: String
    var days: String
    /// The hint for each alert kind LeadLedger raises today.
    var hints: [String: String]
    /// The fixed subjects the rules give their alerts (`queue`, `disk`…), as the owner reads them; other subjects
    /// (lead ids, process and projector names) show as they are.
    var subjects: [String: String] = [:]

    static func of(_ locale: AlertLocale) -> AlertWording {
        switch locale {
        case .ru: russian
        case .en: english
        }
    }

    static let russian = AlertWording(
        severity: [.critical: "Критично", .warning: "Внимание", .info: "Сведения"],
        subject: "Объект", since: "С", affectedLeads: "Затронуто заявок", occurrences: "Повторений",
        whatToDo: "Что делать", resolved: "Решено", lasted: "Длилось", digestTitle: "Сводка оповещений",
        digestMore: "…и ещё", truncated: "сообщение обрезано, не показано символов:", lessThanAMinute: "меньше минуты",
        minutes: "мин", hours: "ч", days: "д",
        hints: [
            "lead_dead":
                "Откройте заявку: leadledger lead ID. Когда причина устранена, верните её в очередь: leadledger requeue ID.",
            "crm_stopped":
                "Проверьте доступ к AmoCRM (токен, оплата, блокировка аккаунта). Заявки не потеряны: они ждут в очереди.",
            "reconcile_uncertain":
                "Найдите заявки по их номерам в AmoCRM (номер есть в названии сделки). Если заявки там нет, отправьте её снова: leadledger requeue ID.",
            "descriptors_high":
                "Посмотрите соединения в /metrics (leadledger_http_connections_*): если это наплыв ботов, задержите их на прокси; иначе поднимите LimitNOFILE= в юнит-файле systemd.",
        ],
        subjects: [
            "amocrm": "AmoCRM", "queue": "очередь", "ledger": "журнал", "disk": "диск", "memory": "память",
        ])

    static let english = AlertWording(
        severity: [.critical: "Critical", .warning: "Warning", .info: "Info"],
        subject: "Subject", since: "Since", affectedLeads: "Leads affected", occurrences: "Occurrences",
        whatToDo: "What to do", resolved: "Resolved", lasted: "Lasted", digestTitle: "Alert digest",
        digestMore: "…and more:", truncated: "message truncated, characters not shown:", lessThanAMinute: "less than a minute",
        minutes: "min", hours: "h", days: "d",
        hints: [
            "lead_dead": "Open the lead: leadledger lead ID. Once the cause is fixed, queue it again: leadledger requeue ID.",
            "crm_stopped":
                "Check access to AmoCRM (token, subscription, account block). No lead is lost: they wait in the queue.",
            "reconcile_uncertain":
                "Look the leads up in AmoCRM by their ids (each is in the lead name). If one is not there, send it again: leadledger requeue ID.",
            "descriptors_high":
                "Look at the connections in /metrics (leadledger_http_connections_*): a bot flood is best held at the proxy; otherwise raise LimitNOFILE= in the systemd unit.",
        ])
}
