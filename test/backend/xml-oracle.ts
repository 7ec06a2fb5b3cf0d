/**
 * An independent XML reader for the tests (saxes, a strict XML 1.0 well-formedness parser — not
 * the product's fast-xml-parser): what a conforming reader of our files sees. Elements in
 * document order, each with its text (character references resolved by saxes) and children.
 */
import { SaxesParser } from 'saxes';

export interface OracleNode {
  name: string;
  text: string;
  children: OracleNode[];
}

/** Parses `xml` strictly; throws saxes' error for anything not well-formed. */
export function oracleParse(xml: string): OracleNode {
  const parser = new SaxesParser({ xmlns: false });
  const stack: OracleNode[] = [];
  let root: OracleNode | undefined;
  let error: Error | undefined;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (t) => {
    const node: OracleNode = { name: t.name, text: '', children: [] };
    stack[stack.length - 1]?.children.push(node);
    stack.push(node);
    root ??= node;
  });
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('cdata', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('closetag', () => {
    const n = stack.pop();
    if (n && n.children.length > 0) n.text = n.text.trim();
  });
  parser.write(xml).close();
  if (error) throw error;
  if (!root) throw new Error('no root');
  return root;
}

/** `Parent/Child` paths with their text, in document order (leaves only). */
export function oracleLeaves(node: OracleNode, prefix = ''): [string, string][] {
  const path = prefix ? `${prefix}/${node.name}` : node.name;
  if (node.children.length === 0) return [[path, node.text]];
  return node.children.flatMap((c) => oracleLeaves(c, path));
}

/** The element names of `node`'s children, in order. */
export function childNames(node: OracleNode): string[] {
  return node.children.map((c) => c.name);
}

export function find(node: OracleNode, path: string): OracleNode | undefined {
  let cur: OracleNode | undefined = node;
  for (const part of path.split('/')) cur = cur?.children.find((c) => c.name === part);
  return cur;
}
