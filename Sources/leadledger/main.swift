import LedgerCLI

await LeadLedgerCommand.runAndExit()
