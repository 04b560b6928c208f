import LedgerCLI

MallocArenas.limitToOne()
await LeadLedgerCommand.runAndExit()
