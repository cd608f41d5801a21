#include "luxi/error.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "util/pyrepr.h"

namespace rapid::luxi {
namespace {

// Every GenericError subclass of Ganeti 3.0's errors module.
constexpr std::array<std::string_view, 49> kGanetiErrorClasses = {
    "GenericError",
    "LockError",
    "PidFileLockError",
    "HypervisorError",
    "HotplugError",
    "ProgrammerError",
    "BlockDeviceError",
    "ConfigurationError",
    "ConfigVersionMismatch",
    "ConfigVerifyError",
    "AddressPoolError",
    "ReservationError",
    "RemoteError",
    "SignatureError",
    "ParameterError",
    "ResultValidationError",
    "OpPrereqError",
    "OpExecError",
    "OpResultError",
    "OpRetryNotSupportedError",
    "DeviceCreationError",
    "OpCodeUnknown",
    "JobLost",
    "JobCanceled",
    "JobFileCorrupted",
    "ResolverError",
    "HooksFailure",
    "HooksAbort",
    "UnitParseError",
    "ParseError",
    "TypeEnforcementError",
    "X509CertError",
    "TagError",
    "CommandError",
    "StorageError",
    "InotifyError",
    "JobQueueError",
    "JobQueueDrainError",
    "JobQueueFull",
    "ConfdMagicError",
    "ConfdClientError",
    "UdpDataSizeError",
    "NoCtypesError",
    "IPAddressError",
    "LuxiError",
    "QueryFilterParseError",
    "RapiTestResult",
    "FileStoragePathError",
    "SshUpdateError",
};

}  // namespace

bool is_ganeti_error_class(std::string_view name) {
  return std::find(kGanetiErrorClasses.begin(), kGanetiErrorClasses.end(), name) !=
         kGanetiErrorClasses.end();
}

Error Error::ganeti(std::string error_class, Json args) {
  std::string text;
  if (error_class == "DeviceCreationError" && !args.empty()) {
    text = python_str(args[0]);  // its __str__ is the message alone
  } else {
    std::vector<Json> items(args.begin(), args.end());
    text = python_exception_text(items);
  }
  Error error(ErrorKind::ganeti_error, std::move(text));
  error.error_class_ = std::move(error_class);
  error.args_ = std::move(args);
  return error;
}

}  // namespace rapid::luxi
