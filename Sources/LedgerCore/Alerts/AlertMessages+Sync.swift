/// The alerts the sync engine raises from one create's outcome: `lead_dead` (one lead needs a human), `crm_stopped`
/// (all sending paused) and `reconcile_uncertain` (leads that may or may not be in AmoCRM). AmoCRM's own answer,
/// when quoted, comes after the first ": ".
extension AlertMessages {
    /// `lead_dead`: AmoCRM refused this lead's data; `reply` is its answer.
    public static func leadRefused(reply: String, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru: "AmoCRM отклонил заявку: \(reply)"
        case .en: "AmoCRM refused the lead: \(reply)"
        }
    }

    /// `lead_dead`: the retry schedule ran out after `attempts`; `lastError` is the last failure's message.
    public static func leadGaveUp(attempts: Int, lastError: String, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            let tries = RussianPlural.form(Int64(attempts), one: "попытки", few: "попыток", many: "попыток")
            return "заявка не доставлена в AmoCRM после \(attempts) \(tries): \(lastError)"
        case .en:
            return "gave up after \(attempts) attempts: \(lastError)"
        }
    }

    /// `crm_stopped`: a 401 after a refresh.
    public static func tokenRejected(reply: String, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru: "AmoCRM не принимает токен доступа: \(reply)"
        case .en: "AmoCRM rejects the access token: \(reply)"
        }
    }

    /// `crm_stopped`: a 402.
    public static func paymentRequired(reply: String, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru: "AmoCRM требует оплаты: \(reply)"
        case .en: "AmoCRM requires payment: \(reply)"
        }
    }

    /// `crm_stopped`: a 403, usually a ban after too many requests.
    public static func accessBlocked(reply: String, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru: "AmoCRM заблокировал доступ: \(reply)"
        case .en: "AmoCRM blocked access: \(reply)"
        }
    }

    /// `crm_stopped`: a 400 for the whole account without detail; it names the likely causes, since the owner cannot
    /// act on "400 Bad Request".
    public static func accountRefused(reply: String, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            "AmoCRM не даёт создавать сделки во всём аккаунте: у пользователя интеграции нет права добавлять сделки "
                + "или закончилась оплаченная подписка; отправка приостановлена и возобновится сама, когда AmoCRM "
                + "снова начнёт принимать сделки (ответ AmoCRM — \(reply))"
        case .en:
            "AmoCRM refuses to create leads for the whole account (\(reply)): the integration's user lacks the right to add leads, or the subscription has ended; sending is paused and resumes by itself once AmoCRM accepts leads again"
        }
    }

    /// `crm_stopped`: AmoCRM does not know a configured id (validation error at `path`); it names the setting to fix.
    public static func configurationRefused(_ refused: RefusedConfiguration, path: String, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru:
            "AmoCRM не знает \(russianName(refused)) из настроек (ошибка проверки в поле \(path)); проверьте "
                + "\(russianSetting(refused)). Отправка приостановлена и возобновится сама, когда AmoCRM примет этот id "
                + "(проверка — раз в LEADLEDGER_AMOCRM_BAN_PROBE_S секунд) или после исправления настройки и перезапуска реактора"
        case .en:
            "AmoCRM does not know the configured \(englishName(refused)) (validation error at \(path)): check \(englishSetting(refused)); sending is paused: it resumes by itself once AmoCRM accepts the id (tried every LEADLEDGER_AMOCRM_BAN_PROBE_S), or when the setting is fixed and the reactor restarted"
        }
    }

    /// `reconcile_uncertain`: AmoCRM's lists could not tell after `checks` whether `leads` (ids) were created; they
    /// are not sent again, since that could duplicate them. At most ten ids are named.
    public static func reconcileUncertain(leads: [String], checks: Int, _ locale: AlertLocale) -> String {
        let shown = leads.prefix(10).joined(separator: ", ")
        let hidden = Int64(max(0, leads.count - 10))
        switch locale {
        case .ru:
            let count = RussianPlural.count(Int64(leads.count), one: "заявка", few: "заявки", many: "заявок")
            let reached = RussianPlural.form(Int64(leads.count), one: "дошла", few: "дошли", many: "дошли")
            let tries = RussianPlural.form(Int64(checks), one: "проверки", few: "проверок", many: "проверок")
            let they = leads.count == 1 ? "она не отправляется" : "они не отправляются"
            return "неизвестно, \(reached) ли до AmoCRM \(count) — после \(checks) \(tries) по спискам AmoCRM это так "
                + "и не выяснилось; повторно \(they), чтобы не создать дубли: \(shown)"
                + (hidden > 0 ? " и ещё \(hidden)" : "")
        case .en:
            return
                "\(leads.count) leads may or may not be in AmoCRM: after \(checks) checks AmoCRM's lists could not tell, so they are not sent again (that could duplicate them): \(shown)"
                + (hidden > 0 ? " and \(hidden) more" : "")
        }
    }

    private static func russianName(_ refused: RefusedConfiguration) -> String {
        switch refused {
        case .pipeline: "воронку"
        case .status: "этап воронки"
        case .responsibleUser: "ответственного пользователя"
        case .leadField(let id): "дополнительное поле сделки" + (id.map { " \($0)" } ?? "")
        case .contactField(let code): "поле контакта" + (code.map { " \($0)" } ?? "")
        }
    }

    private static func russianSetting(_ refused: RefusedConfiguration) -> String {
        switch refused {
        case .pipeline: "LEADLEDGER_AMOCRM_PIPELINE_ID"
        case .status: "LEADLEDGER_AMOCRM_STATUS_ID (это должен быть этап настроенной воронки)"
        case .responsibleUser: "LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID"
        case .leadField(let id): "LEADLEDGER_AMOCRM_FIELDS" + (id.map { " (запись =\($0))" } ?? "")
        case .contactField: "поля контактов в аккаунте (PHONE и EMAIL должны быть полями телефона и почты)"
        }
    }

    private static func englishName(_ refused: RefusedConfiguration) -> String {
        switch refused {
        case .pipeline: "pipeline"
        case .status: "stage (status)"
        case .responsibleUser: "responsible user"
        case .leadField(let id): "lead custom field" + (id.map { " \($0)" } ?? "")
        case .contactField(let code): "contact field" + (code.map { " \($0)" } ?? "")
        }
    }

    private static func englishSetting(_ refused: RefusedConfiguration) -> String {
        switch refused {
        case .pipeline: "LEADLEDGER_AMOCRM_PIPELINE_ID"
        case .status: "LEADLEDGER_AMOCRM_STATUS_ID (it must be a stage of the configured pipeline)"
        case .responsibleUser: "LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID"
        case .leadField(let id): "LEADLEDGER_AMOCRM_FIELDS" + (id.map { " (the entry =\($0))" } ?? "")
        case .contactField: "the account's contact fields: PHONE and EMAIL must exist as phone and email fields"
        }
    }
}
