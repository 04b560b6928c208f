/// The language of everything the owner reads (`LEADLEDGER_LOCALE`): Russian by default, the owner's language;
/// English for the rest. Alert texts are written into the log in the locale in force when they are raised, so an
/// alert keeps its words when the setting changes later.
public enum AlertLocale: String, Sendable, CaseIterable {
    case ru, en
}
