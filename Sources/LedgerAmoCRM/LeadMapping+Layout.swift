import LedgerCore

extension LeadMapping {
    /// The mapping the settings describe: `LEADLEDGER_AMOCRM_PIPELINE_ID`/`_STATUS_ID` and the lead layout.
    public init(pipelineID: Int64?, statusID: Int64?, layout: AmoCRMLeadLayout) {
        let ids = layout.fieldIDs
        self.init(
            pipelineID: pipelineID, statusID: statusID, responsibleUserID: layout.responsibleUserID,
            namePrefix: layout.namePrefix ?? LeadMapping.defaultNamePrefix,
            fields: LeadCustomFields(
                ledgerLeadID: ids[.ledgerID], utmSource: ids[.utmSource], utmMedium: ids[.utmMedium],
                utmCampaign: ids[.utmCampaign], utmContent: ids[.utmContent], utmTerm: ids[.utmTerm],
                formID: ids[.formID], pageURL: ids[.pageURL], comment: ids[.comment]),
            tags: layout.tags)
    }
}
