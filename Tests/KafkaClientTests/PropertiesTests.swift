import KafkaClient
import Testing

/// client.properties and `--property` read a line as Java's Properties does; a line with no name is an
/// error naming its number, never dropped, and no error shows a value.
@Suite("Client properties")
struct PropertiesTests {
    @Test func everySeparatorJavaAccepts() {
        for line in ["sasl.password=S3cr3t", "sasl.password:S3cr3t", "sasl.password S3cr3t", "sasl.password = S3cr3t",
                     "  sasl.password\t: S3cr3t  "] {
            #expect(KafkaConfig.property(line)?.key == "sasl.password", "\(line)")
            #expect(KafkaConfig.property(line)?.value == "S3cr3t", "\(line)")
        }
        #expect(KafkaConfig.property("a=b=c")?.value == "b=c")
        #expect(KafkaConfig.property("ssl.endpoint.identification.algorithm=")?.value == "")
        #expect(KafkaConfig.property("=S3cr3t") == nil)
        #expect(KafkaConfig.property(": S3cr3t") == nil)
    }

    // Java's whitespace form was silently dropped: the password was quietly not used.
    @Test func theWhitespaceFormIsReadAndANamelessLineIsAnError() throws {
        let config = try KafkaConfig.load(propertiesFile: "# comment\n! also\n\nsasl.username kbdd\nsasl.password: S3cr3t\n")
        #expect(config["sasl.username"] == "kbdd" && config["sasl.password"] == "S3cr3t")
        do {
            _ = try KafkaConfig.load(propertiesFile: "client.id=x\n=S3cr3t\n")
            Issue.record("a line without a name was accepted")
        } catch {
            #expect("\(error)".contains("client properties line 2"), "\(error)")
            #expect(!"\(error)".contains("S3cr3t"))
        }
    }
}
