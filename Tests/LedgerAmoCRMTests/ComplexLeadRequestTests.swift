import Foundation
import LedgerAmoCRM
import LedgerCore
import Testing

@Suite struct ComplexLeadRequestTests {
    @Test func theLedgerLeadIDIsTheRequestIDAndIsAlwaysInTheName() throws {
        let lead = Fixture.lead(1)
        let request = try ComplexLeadRequest(leads: [lead], mapping: LeadMapping())
        let body = Fixture.json(request.body)
        #expect(request.requestIDs == [lead.leadID.description])
        #expect(body.first?["request_id"] as? String == lead.leadID.description)
        #expect(body.first?["name"] as? String == "Заявка с сайта · callback · \(lead.leadID)")
    }

    @Test func theLedgerLeadIDAlsoGoesIntoItsCustomFieldWhenConfigured() throws {
        let lead = Fixture.lead(1)
        let mapping = LeadMapping(fields: LeadCustomFields(ledgerLeadID: 901))
        let body = Fixture.json(try ComplexLeadRequest(leads: [lead], mapping: mapping).body)
        let fields = body.first?["custom_fields_values"] as? [[String: Any]] ?? []
        let field = fields.first { $0["field_id"] as? Int == 901 }
        #expect((field?["values"] as? [[String: Any]])?.first?["value"] as? String == lead.leadID.description)
        #expect((body.first?["name"] as? String)?.contains(lead.leadID.description) == true)
    }

    @Test func cyrillicTextRoundTripsUnescapedAsUTF8() throws {
        let lead = Fixture.lead(1, name: "Ёлкина Алёна", comment: "Перезвоните после 18:00")
        let mapping = LeadMapping(namePrefix: "Заявка", fields: LeadCustomFields(comment: 77))
        let request = try ComplexLeadRequest(leads: [lead], mapping: mapping)
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(text.contains("Ёлкина Алёна"))
        #expect(text.contains("Перезвоните после 18:00"))
        let contact = ((Fixture.json(request.body).first?["_embedded"] as? [String: Any])?["contacts"] as? [[String: Any]])?.first
        #expect(contact?["first_name"] as? String == "Ёлкина Алёна")
    }

    @Test func phoneAndEmailAreWorkMultitextFieldsOfTheContact() throws {
        let body = Fixture.json(try ComplexLeadRequest(leads: [Fixture.lead(1)], mapping: LeadMapping()).body)
        let contact = ((body.first?["_embedded"] as? [String: Any])?["contacts"] as? [[String: Any]])?.first
        let fields = contact?["custom_fields_values"] as? [[String: Any]] ?? []
        let byCode = Dictionary(uniqueKeysWithValues: fields.map { ($0["field_code"] as? String ?? "", $0) })
        let phone = (byCode["PHONE"]?["values"] as? [[String: Any]])?.first
        let email = (byCode["EMAIL"]?["values"] as? [[String: Any]])?.first
        #expect(phone?["value"] as? String == "+79161234567")
        #expect(phone?["enum_code"] as? String == "WORK")
        #expect(email?["value"] as? String == "ivan@example.ru")
        #expect(email?["enum_code"] as? String == "WORK")
    }

    @Test func aContactWithoutANameIsCalledByItsPhone() throws {
        let body = Fixture.json(try ComplexLeadRequest(leads: [Fixture.lead(1, name: nil)], mapping: LeadMapping()).body)
        let contact = ((body.first?["_embedded"] as? [String: Any])?["contacts"] as? [[String: Any]])?.first
        #expect(contact?["first_name"] as? String == "+79161234567")
    }

    @Test func utmWithoutAFieldBecomesATagAndWithAFieldBecomesAValue() throws {
        let lead = Fixture.lead(1, utm: UTM(source: "yandex", medium: "cpc", campaign: "зима"))
        let mapping = LeadMapping(fields: LeadCustomFields(utmMedium: 501), tags: ["leadledger"])
        let body = Fixture.json(try ComplexLeadRequest(leads: [lead], mapping: mapping).body)
        let tags = ((body.first?["_embedded"] as? [String: Any])?["tags"] as? [[String: Any]] ?? []).compactMap {
            $0["name"] as? String
        }
        #expect(tags == ["leadledger", "utm_source:yandex", "utm_campaign:зима"])
        let fields = body.first?["custom_fields_values"] as? [[String: Any]] ?? []
        #expect(fields.count == 1)
        #expect(fields.first?["field_id"] as? Int == 501)
    }

    @Test func pipelineStatusAndOwnerAreSentOnlyWhenConfigured() throws {
        let bare = Fixture.json(try ComplexLeadRequest(leads: [Fixture.lead(1)], mapping: LeadMapping()).body)
        #expect(bare.first?["pipeline_id"] == nil)
        #expect(bare.first?["status_id"] == nil)
        let mapping = LeadMapping(pipelineID: 11, statusID: 22, responsibleUserID: 33)
        let set = Fixture.json(try ComplexLeadRequest(leads: [Fixture.lead(1)], mapping: mapping).body)
        #expect(set.first?["pipeline_id"] as? Int == 11)
        #expect(set.first?["status_id"] as? Int == 22)
        #expect(set.first?["responsible_user_id"] as? Int == 33)
        #expect(set.first?["created_at"] as? Int == 1_767_225_600)
    }

    @Test func commentAndPageWithoutAFieldGoToTheNoteNotTheRequest() throws {
        let lead = Fixture.lead(1, comment: "Нужен счёт", pageURL: "https://site.ru/promo")
        let request = try ComplexLeadRequest(leads: [lead], mapping: LeadMapping())
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(!text.contains("Нужен счёт"))
        #expect(!text.contains("metadata"))
        let note = try #require(LeadNoteRequest.text(for: lead, mapping: LeadMapping()))
        #expect(note == "Комментарий: Нужен счёт\nСтраница: https://site.ru/promo\nLeadLedger: \(lead.requestID)")
        #expect(LeadNoteRequest.carries(lead.requestID, in: note))
        #expect(!LeadNoteRequest.carries(Fixture.lead(2).requestID, in: note))
        let mapped = LeadMapping(fields: LeadCustomFields(pageURL: 5, comment: 6))
        #expect(LeadNoteRequest.text(for: lead, mapping: mapped) == nil)
    }

    @Test func aNoteBodyNamesTheCRMLeadAndTheLedgerLeadAndIsACommonNote() {
        let body = Fixture.json(LeadNoteRequest.body(notes: [(requestID: "lead-1", crmLeadID: 42, text: "Комментарий: да")]))
        #expect(body.first?["entity_id"] as? Int == 42)
        #expect(body.first?["request_id"] as? String == "lead-1")
        #expect(body.first?["note_type"] as? String == "common")
        #expect((body.first?["params"] as? [String: Any])?["text"] as? String == "Комментарий: да")
    }

    @Test func fiftyLeadsAreAcceptedAndFiftyOneAreRefused() throws {
        let fifty = (1...50).map { Fixture.lead($0) }
        let request = try ComplexLeadRequest(leads: fifty, mapping: LeadMapping())
        #expect(Fixture.json(request.body).count == 50)
        let fiftyOne = (1...51).map { Fixture.lead($0) }
        #expect(throws: ComplexLeadRequestError(.tooManyLeads(51))) {
            try ComplexLeadRequest(leads: fiftyOne, mapping: LeadMapping())
        }
    }

    @Test func anEmptyBatchAndADuplicatedLeadAreRefused() {
        #expect(throws: ComplexLeadRequestError(.empty)) { try ComplexLeadRequest(leads: [], mapping: LeadMapping()) }
        #expect(throws: ComplexLeadRequestError(.duplicateLead(Fixture.leadID(3)))) {
            try ComplexLeadRequest(leads: [Fixture.lead(3), Fixture.lead(3)], mapping: LeadMapping())
        }
    }

    @Test func aLongFormIDIsCutButTheLeadIDNeverIs() {
        let lead = Fixture.lead(1, formID: String(repeating: "ф", count: 400))
        let name = ComplexLeadRequest.leadName(for: lead, prefix: "Заявка с сайта")
        #expect(name.count <= AmoCRMAPI.maxLeadNameCharacters)
        #expect(name.hasSuffix(" · \(lead.leadID)"))
    }

    @Test func equalInputGivesEqualBytes() throws {
        let leads = [Fixture.lead(1, utm: UTM(source: "a", term: "b")), Fixture.lead(2)]
        let first = try ComplexLeadRequest(leads: leads, mapping: LeadMapping())
        let second = try ComplexLeadRequest(leads: leads, mapping: LeadMapping())
        #expect(first.body == second.body)
    }

    @Test func theSearchPathPercentEncodesTheNeedle() {
        #expect(AmoCRMAPI.leadSearchPath(query: "a b&c") == "/api/v4/leads?query=a%20b%26c&with=contacts&limit=50")
    }
}
