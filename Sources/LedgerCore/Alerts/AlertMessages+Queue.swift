/// The alerts about AmoCRM and the queue that the rules raise from health: `crm_failures`, `crm_circuit_open`,
/// `crm_auth_failing`, `pending_too_old`. Each says how many leads wait, because that is what the owner stands to lose.
extension AlertMessages {
    /// `crm_failures`: creates failed `failures` times in a row, the last with `lastClass` (nil: not recorded).
    public static func crmFailures(
        failures: Int64, lastClass: SyncErrorClass?, waiting: Int64, _ locale: AlertLocale
    ) -> String {
        switch locale {
        case .ru:
            let times = RussianPlural.form(failures, one: "раз", few: "раза", many: "раз")
            let last = lastClass.map { " (в последний раз — \(SyncErrorWords.russian($0)))" } ?? ""
            return "отправка в AmoCRM не удалась \(failures) \(times) подряд\(last); "
                + "\(RussianPlural.waitingInQueue(waiting)), отправка будет повторена"
        case .en:
            return
                "\(failures) AmoCRM attempts in a row failed (last: \(lastClass?.rawValue ?? "unknown")); \(waiting) leads wait in the queue and will be retried"
        }
    }

    /// `crm_circuit_open`: the breaker is `state` (`open` or `half_open`), so no lead is sent.
    public static func crmCircuitOpen(state: String, waiting: Int64, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            let position = state == "half_open" ? "проверяет связь" : "разомкнут"
            return "предохранитель AmoCRM \(position) — заявки не отправляются, реактор проверяет, отвечает ли AmoCRM; "
                + RussianPlural.waitingInQueue(waiting)
        case .en:
            return "AmoCRM circuit breaker is \(state): no leads are sent, the reactor probes AmoCRM; \(waiting) leads wait"
        }
    }

    /// `crm_auth_failing`: a 401 that a token refresh did not cure.
    public static func crmAuthFailing(waiting: Int64, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            "AmoCRM не принимает токен интеграции (401), и его обновление не помогло — выпустите новый токен "
                + "или заново авторизуйте интеграцию через OAuth; \(RussianPlural.waitingInQueue(waiting))"
        case .en:
            "AmoCRM refuses the integration's token (401) and a refresh did not help: renew the token or the OAuth authorisation; \(waiting) leads wait"
        }
    }

    /// `pending_too_old`: the oldest waiting lead has waited `minutes`.
    public static func pendingTooOld(minutes: Int64, waiting: Int64, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru: "самая старая заявка ждёт отправки в AmoCRM уже \(minutes) мин; \(RussianPlural.waitingInQueue(waiting))"
        case .en: "the oldest pending lead has waited \(minutes) min for AmoCRM; \(waiting) leads wait"
        }
    }
}
