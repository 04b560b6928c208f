import Hummingbird
import NIOCore

/// `GET /openapi.yaml`: the API's own description, so a client, a code generator or schemathesis can read the
/// contract from the server it is talking to. `application/yaml` (RFC 9512), UTF-8.
enum OpenAPIEndpoint {
    static let contentType = "application/yaml; charset=utf-8"

    static func handle() -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }
}
