/// Failure classes in the owner's words, for alerts and the dashboard. The class ids (`server_error`) stay what
/// scripts and metrics match; English pages show them as they are.
public enum SyncErrorWords {
    public static func text(_ errorClass: SyncErrorClass, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru: russian(errorClass)
        case .en: errorClass.rawValue
        }
    }

    static func russian(_ errorClass: SyncErrorClass) -> String {
        switch errorClass {
        case .timeout: "истекло время ожидания"
        case .transport: "сбой сети"
        case .rateLimited: "превышен лимит запросов"
        case .serverError: "ошибка на стороне AmoCRM"
        case .rejected: "заявка отклонена"
        case .unauthorized: "токен не принят"
        case .forbidden: "доступ заблокирован"
        case .paymentRequired: "требуется оплата"
        case .accountRefused: "отказ для всего аккаунта"
        case .malformedReply: "непонятный ответ"
        case .unknownOutcome: "исход неизвестен"
        case .disabled: "отправка выключена"
        }
    }
}
