// The SDK warns once per process that releases after January 2027 need Node 22; the lockfile pins
// the SDK, and README says which Node versions are supported, so the warning is only noise in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
