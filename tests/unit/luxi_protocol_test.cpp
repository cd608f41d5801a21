// LUXI framing and envelopes: encode_request() writes the bytes the Python
// client wrote (checked against every request recorded between the real
// ganeti-rapi and luxid), decode_response() classifies every answer shape as
// lib/rpc/client.py's CallRPCMethod and lib/errors.py's MaybeRaise do.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "luxi/error.h"
#include "luxi/protocol.h"
#include "support/test_data.h"
#include "util/json.h"

namespace rapid::luxi {
namespace {

namespace fs = std::filesystem;
using rapid::testing::captures_dir;

// Runs decode_response and returns the error it throws (fails if none).
Error decode_error(std::string_view message) {
  try {
    decode_response(message);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error for " << message;
  return Error(ErrorKind::protocol, "<none>");
}

std::string failure(const std::string& result) {
  return R"({"success":false,"result":)" + result + "}";
}

TEST(LuxiEncode, MatchesEveryRecordedRequest) {
  std::size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(captures_dir())) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto capture = parse_json(text.str());
    ASSERT_TRUE(capture) << entry.path();
    for (const auto& message : (*capture)["luxi"]) {
      if (message["dir"] != "req") continue;
      const std::string raw = message["raw"].get<std::string>();
      auto request = parse_json(raw);
      ASSERT_TRUE(request) << raw;
      EXPECT_EQ(encode_request((*request)["method"].get<std::string>(), (*request)["args"]),
                raw + '\x03')
          << entry.path().filename();
      ++checked;
    }
  }
  // Every request ganeti-rapi sent luxid in the recordings.
  EXPECT_EQ(checked, 87u);
}

TEST(LuxiEncode, EnvelopeShape) {
  EXPECT_EQ(kLuxiVersion, 3000000);
  EXPECT_EQ(
      encode_request("QueryClusterInfo", Json::array()),
      std::string("{\"method\": \"QueryClusterInfo\", \"args\": [], \"version\": 3000000}\n\x03"));
  // Control characters (including 0x03) and non-ASCII text are escaped, so
  // the terminator can never appear inside a message.
  const std::string encoded =
      encode_request("QueryTags", Json::array({"instance", "a\x03\xc3\xa9"}));
  EXPECT_EQ(
      encoded,
      std::string("{\"method\": \"QueryTags\", \"args\": [\"instance\", \"a\\u0003\\u00e9\"], "
                  "\"version\": 3000000}\n\x03"));
  EXPECT_EQ(std::count(encoded.begin(), encoded.end(), '\x03'), 1);
}

TEST(LuxiDecode, SuccessReturnsResult) {
  EXPECT_EQ(decode_response(R"({"success":true,"result":41})"), Json(41));
  EXPECT_EQ(decode_response(R"({"success":true,"result":null})"), Json());
  EXPECT_EQ(decode_response(R"({"result":[["a"]],"success":true})"),
            Json::array({Json::array({"a"})}));
  // Whitespace and a trailing newline are fine.
  EXPECT_EQ(decode_response(" {\"success\": true, \"result\": \"x\"}\n"), Json("x"));
  // Python truthiness of "success".
  EXPECT_EQ(decode_response(R"({"success":1,"result":2})"), Json(2));
  EXPECT_EQ(decode_response(R"({"success":"yes","result":3})"), Json(3));
  // A matching version is accepted.
  EXPECT_EQ(decode_response(R"({"success":true,"result":4,"version":3000000})"), Json(4));
}

TEST(LuxiDecode, FalsySuccessIsAFailure) {
  for (const char* success : {"false", "0", "0.0", "\"\"", "[]", "{}", "null"}) {
    const std::string message =
        std::string(R"({"success":)") + success + R"(,"result":"Failed to parse request: x"})";
    const Error error = decode_error(message);
    EXPECT_EQ(error.kind(), ErrorKind::request_rejected) << message;
    EXPECT_EQ(error.detail(), "Failed to parse request: x") << message;
  }
}

// The Python client decodes the message as UTF-8 before parsing it; the
// UnicodeDecodeError becomes a 500 with its text.
TEST(LuxiDecode, NonUtf8IsUndecodable) {
  const Error error = decode_error("{\"success\":true,\"result\":\"\xac\"}");
  EXPECT_EQ(error.kind(), ErrorKind::undecodable);
  EXPECT_EQ(error.detail(),
            "'utf-8' codec can't decode byte 0xac in position 26: invalid start byte");
  EXPECT_EQ(decode_error("\xff\xfe").detail(),
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
}

TEST(LuxiDecode, GarbageIsAProtocolError) {
  for (const char* message : {"", "not json", "{\"success\":true,"}) {
    const Error error = decode_error(message);
    EXPECT_EQ(error.kind(), ErrorKind::protocol) << message;
    EXPECT_TRUE(error.detail().starts_with("Error while deserializing response: "))
        << error.detail();
  }
  // Valid JSON that is not a response: rpc/client.py's "%r" of the value.
  const std::pair<const char*, const char*> cases[] = {
      {"[1, 2]", "Invalid response from server: [1, 2]"},
      {"\"text\"", "Invalid response from server: 'text'"},
      {"42", "Invalid response from server: 42"},
      {"null", "Invalid response from server: None"},
      {R"({"success":true})", "Invalid response from server: {'success': True}"},
      {R"({"result":1})", "Invalid response from server: {'result': 1}"},
  };
  for (const auto& [message, text] : cases) {
    const Error error = decode_error(message);
    EXPECT_EQ(error.kind(), ErrorKind::protocol) << message;
    EXPECT_EQ(error.detail(), text);
  }
}

TEST(LuxiDecode, VersionMismatchIsALuxiError) {
  // CallRPCMethod: a response version other than the request's -> LuxiError.
  const Error error = decode_error(R"({"success":true,"result":1,"version":2160000})");
  EXPECT_EQ(error.kind(), ErrorKind::ganeti_error);
  EXPECT_EQ(error.error_class(), "LuxiError");
  EXPECT_EQ(error.detail(), "RPC version mismatch, client 3000000, response 2160000");
}

TEST(LuxiDecode, EncodedGanetiErrors) {
  struct Case {
    const char* result;
    const char* error_class;
    const char* text;
  };
  const Case cases[] = {
      // Errors as luxid encodes them (src/Ganeti/Errors.hs).
      {R"(["OpPrereqError",["Instance name foo not found","unknown_entity"]])", "OpPrereqError",
       "('Instance name foo not found', 'unknown_entity')"},
      {R"(["OpPrereqError",["Sync queries are not allowed","wrong_input"]])", "OpPrereqError",
       "('Sync queries are not allowed', 'wrong_input')"},
      {R"(["GenericError",["Queue drained"]])", "GenericError", "Queue drained"},
      {R"(["JobLost",["Can't load job file"]])", "JobLost", "Can't load job file"},
      {R"(["JobQueueFull",[]])", "JobQueueFull", ""},
      {R"(["ConfigurationError",["I do not have access to a valid configuration"]])",
       "ConfigurationError", "I do not have access to a valid configuration"},
      // Every argument shape of Ganeti.Errors.
      {R"(["ConfigVerifyError",["bad config",["e1","e2"]]])", "ConfigVerifyError",
       "('bad config', ['e1', 'e2'])"},
      {R"(["ConfigVersionMismatch",[3000000,2160000]])", "ConfigVersionMismatch",
       "(3000000, 2160000)"},
      {R"(["ResolverError",["host.example.com",-2,"Name or service not known"]])", "ResolverError",
       "('host.example.com', -2, 'Name or service not known')"},
      {R"(["HooksAbort",[[["node1","hook","failed"]]]])", "HooksAbort",
       "[['node1', 'hook', 'failed']]"},
      {R"(["X509CertError",["/path/cert.pem","expired"]])", "X509CertError",
       "('/path/cert.pem', 'expired')"},
      {R"(["OpPrereqError",["Instance 'x' not known","unknown_entity"]])", "OpPrereqError",
       "(\"Instance 'x' not known\", 'unknown_entity')"},
      {R"(["OpPrereqError",["caf\u00e9 \\ tab\t","wrong_input"]])", "OpPrereqError",
       "('caf\xc3\xa9 \\\\ tab\\t', 'wrong_input')"},
      {R"(["OpExecError",[]])", "OpExecError", ""},
      {R"(["QueryFilterParseError",["bad filter"]])", "QueryFilterParseError", "bad filter"},
      // DeviceCreationError's text is its message alone.
      {R"(["DeviceCreationError",["disk failed",[["node1","disk0"]]]])", "DeviceCreationError",
       "disk failed"},
  };
  for (const auto& c : cases) {
    const Error error = decode_error(failure(c.result));
    EXPECT_EQ(error.kind(), ErrorKind::ganeti_error) << c.result;
    EXPECT_EQ(error.error_class(), c.error_class) << c.result;
    EXPECT_EQ(error.detail(), c.text) << c.result;
    EXPECT_TRUE(error.args().is_array());
    EXPECT_FALSE(error.may_have_executed());
  }
  const Error error = decode_error(failure(R"(["OpPrereqError",["m","unknown_entity"]])"));
  EXPECT_EQ(error.args(), Json::array({"m", "unknown_entity"}));
}

TEST(LuxiDecode, OtherFailuresAreRequestErrors) {
  // errors.MaybeRaise does not recognise these: RequestError(result), whose
  // text is str(result).
  const std::pair<const char*, const char*> cases[] = {
      {R"("Failed to parse request: Cannot convert value")",
       "Failed to parse request: Cannot convert value"},
      {R"(["NoSuchError",["x"]])", "['NoSuchError', ['x']]"},
      {R"(["QuitGanetiException",[true,"x"]])", "['QuitGanetiException', [True, 'x']]"},
      {R"(["opprereqerror",["x","y"]])", "['opprereqerror', ['x', 'y']]"},
      {R"(["OpPrereqError","not a list"])", "['OpPrereqError', 'not a list']"},
      {R"(["OpPrereqError",{"a":1}])", "['OpPrereqError', {'a': 1}]"},
      {R"(["OpPrereqError",["x"],1])", "['OpPrereqError', ['x'], 1]"},
      {R"(["OpPrereqError"])", "['OpPrereqError']"},
      {R"([1,["x"]])", "[1, ['x']]"},
      {R"({"error":"x"})", "{'error': 'x'}"},
      {"null", "None"},
      {"12", "12"},
      {"1.5", "1.5"},
      {"false", "False"},
  };
  for (const auto& [result, text] : cases) {
    const Error error = decode_error(failure(result));
    EXPECT_EQ(error.kind(), ErrorKind::request_rejected) << result;
    EXPECT_EQ(error.detail(), text) << result;
  }
}

TEST(LuxiErrors, GanetiErrorClasses) {
  // Every GenericError subclass in Ganeti 3.0's errors module.
  for (const char* name : {"AddressPoolError",
                           "BlockDeviceError",
                           "CommandError",
                           "ConfdClientError",
                           "ConfdMagicError",
                           "ConfigVerifyError",
                           "ConfigVersionMismatch",
                           "ConfigurationError",
                           "DeviceCreationError",
                           "FileStoragePathError",
                           "GenericError",
                           "HooksAbort",
                           "HooksFailure",
                           "HotplugError",
                           "HypervisorError",
                           "IPAddressError",
                           "InotifyError",
                           "JobCanceled",
                           "JobFileCorrupted",
                           "JobLost",
                           "JobQueueDrainError",
                           "JobQueueError",
                           "JobQueueFull",
                           "LockError",
                           "LuxiError",
                           "NoCtypesError",
                           "OpCodeUnknown",
                           "OpExecError",
                           "OpPrereqError",
                           "OpResultError",
                           "OpRetryNotSupportedError",
                           "ParameterError",
                           "ParseError",
                           "PidFileLockError",
                           "ProgrammerError",
                           "QueryFilterParseError",
                           "RapiTestResult",
                           "RemoteError",
                           "ReservationError",
                           "ResolverError",
                           "ResultValidationError",
                           "SignatureError",
                           "SshUpdateError",
                           "StorageError",
                           "TagError",
                           "TypeEnforcementError",
                           "UdpDataSizeError",
                           "UnitParseError",
                           "X509CertError"}) {
    EXPECT_TRUE(is_ganeti_error_class(name)) << name;
  }
  // Other names in the module, other exceptions, near misses.
  for (const char* name :
       {"QuitGanetiException", "JobSubmittedException", "Exception", "ValueError", "ECODE_NOENT",
        "", "opprereqerror", "OpPrereqError ", "GetErrorClass"}) {
    EXPECT_FALSE(is_ganeti_error_class(name)) << name;
  }
}

TEST(LuxiErrors, GanetiFactory) {
  const Error error =
      Error::ganeti("OpPrereqError", Json::array({"Sync queries are not allowed", "wrong_input"}));
  EXPECT_EQ(error.kind(), ErrorKind::ganeti_error);
  EXPECT_EQ(error.detail(), "('Sync queries are not allowed', 'wrong_input')");
  EXPECT_EQ(Error::ganeti("JobLost", Json::array({"x"})).detail(), "x");
  EXPECT_EQ(Error::ganeti("JobQueueFull", Json::array()).detail(), "");
  EXPECT_EQ(Error::ganeti("OpExecError", Json::array({1})).detail(), "1");
  EXPECT_EQ(Error::ganeti("OpExecError", Json::array({Json::array({1, "a"})})).detail(),
            "[1, 'a']");
}

}  // namespace
}  // namespace rapid::luxi
