export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function xmlReply(status: number, body: string): HttpReply {
  return { status, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body };
}
