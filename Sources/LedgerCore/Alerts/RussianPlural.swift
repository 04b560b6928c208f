/// Russian nouns and verbs agree with a number by its last digits (1 заявка, 2 заявки, 5 заявок; 11 заявок), so a
/// message that counts something picks the form here instead of writing "заявок: 3".
public enum RussianPlural {
    /// The form for `count`: `one` after 1, 21, 31…; `few` after 2–4, 22–24…; `many` otherwise (and after 11–14).
    public static func form(_ count: Int64, one: String, few: String, many: String) -> String {
        let lastTwo = abs(count) % 100
        let last = lastTwo % 10
        if (11...14).contains(lastTwo) { return many }
        if last == 1 { return one }
        if (2...4).contains(last) { return few }
        return many
    }

    /// `count` followed by its noun: "1 заявка", "3 заявки", "12 заявок".
    public static func count(_ count: Int64, one: String, few: String, many: String) -> String {
        "\(count) \(form(count, one: one, few: few, many: many))"
    }

    /// "в очереди ждёт 1 заявка", "в очереди ждут 5 заявок": the tail of every alert about waiting leads.
    static func waitingInQueue(_ leads: Int64) -> String {
        "в очереди \(form(leads, one: "ждёт", few: "ждут", many: "ждут")) "
            + self.count(leads, one: "заявка", few: "заявки", many: "заявок")
    }
}
