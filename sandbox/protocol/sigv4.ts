/**
 * Reads service and region from the SigV4 credential scope. Signatures are deliberately not
 * verified: the sandbox is a local test double, and dummy credentials must work.
 */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export function parseCredentialScope(authorization: string | undefined): CredentialScope | undefined {
  const match = authorization ? SCOPE.exec(authorization) : null;
  if (!match) return undefined;
  return { accessKeyId: match[1]!, date: match[2]!, region: match[3]!, service: match[4]! };
}
