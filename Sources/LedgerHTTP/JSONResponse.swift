import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON responses with the exact bodies the HTTP API documents (schemas/openapi.yaml).
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func make(_ status: HTTPResponse.Status, object: [String: Any], headers: HTTPFields = [:]) -> Response {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return make(status, String(decoding: data, as: UTF8.self), headers: headers)
    }

    /// `{"error": …, "field": …}` for a request the server will not take.
    static func error(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, headers: HTTPFields = [:])
        -> Response
    {
        var object: [String: Any] = ["error": message]
        if let field { object["field"] = field }
        return make(status, object: object, headers: headers)
    }
}
