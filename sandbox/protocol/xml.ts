/**
 * A tiny XML writer for AWS responses. Services return plain objects; lists are marked with the
 * element name their protocol wraps items in (`item` for EC2, `member` for AWS query). Every text
 * value is escaped here, so no service can forget to.
 */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlObject | XmlList;
export interface XmlObject {
  [name: string]: XmlValue;
}
export interface XmlList {
  readonly xmlListItem: string;
  readonly items: readonly XmlValue[];
}

/** An EC2-style list: `<name><item>…</item></name>`. */
export function items(values: readonly XmlValue[]): XmlList {
  return { xmlListItem: 'item', items: values };
}

/** An AWS-query-style list: `<Name><member>…</member></Name>`. */
export function members(values: readonly XmlValue[]): XmlList {
  return { xmlListItem: 'member', items: values };
}

const TEXT_SPECIAL = /[<>&]/;
const ATTRIBUTE_SPECIAL = /[<>&'"]/;

/** Escapes text content; quotes too when the text goes into an attribute. */
export function escapeXml(text: string, attribute = false): string {
  const special = attribute ? ATTRIBUTE_SPECIAL : TEXT_SPECIAL;
  // Most values need no escaping; skipping the replace keeps 1000-item pages cheap.
  if (!special.test(text)) return text;
  return text.replace(attribute ? /[<>&'"]/g : /[<>&]/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === "'" ? '&apos;' : '&quot;',
  );
}

function isList(value: XmlValue): value is XmlList {
  return typeof value === 'object' && value !== null && 'xmlListItem' in value && 'items' in value;
}

/** Renders the children of an element (not the element itself). */
export function renderXmlContent(value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return escapeXml(value);
  if (typeof value !== 'object') return String(value);
  if (value instanceof Date) return value.toISOString();
  let out = '';
  if (isList(value)) {
    const open = `<${value.xmlListItem}>`;
    const close = `</${value.xmlListItem}>`;
    for (const item of value.items) out += open + renderXmlContent(item) + close;
    return out;
  }
  for (const name in value) {
    const child = value[name];
    if (child === undefined || child === null) continue;
    out += `<${name}>${renderXmlContent(child)}</${name}>`;
  }
  return out;
}

export function xmlDocument(rootName: string, xmlns: string | undefined, content: XmlValue): string {
  const ns = xmlns ? ` xmlns="${escapeXml(xmlns, true)}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${rootName}${ns}>${renderXmlContent(content)}</${rootName}>`;
}
