/**
 * The CloudFormation template: its text (sent as-is as the change set's TemplateBody) and a parse
 * of it with the short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`…) turned into their long
 * JSON forms, so code and tests can read parameters and resources without a CloudFormation server.
 */
import { readFileSync } from 'node:fs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';
import { REPO_ROOT } from '../repoRoot.ts';

/** Path of the one template, relative to the repository root. */
export const TEMPLATE_PATH = 'templates/pushS3Template.yml';

/** A parsed template; only the parts the code reads are typed. */
export interface CfnTemplate {
  readonly AWSTemplateFormatVersion?: string;
  readonly Transform?: unknown;
  readonly Parameters: Record<string, CfnParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: string | number;
  readonly AllowedPattern?: string;
  readonly AllowedValues?: readonly (string | number)[];
  readonly MinLength?: number;
  readonly MaxLength?: number;
  readonly MinValue?: number;
  readonly MaxValue?: number;
  readonly NoEcho?: boolean;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
}

// The short forms CloudFormation accepts; each becomes `{ "Fn::X": value }` (or `{ Ref }`).
const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Condition'];

function cfnTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  const add = (tag: string, wrap: (value: unknown) => unknown) => {
    tags.push({ tag, resolve: (value: string) => wrap(value) });
    tags.push({ tag, collection: 'seq', resolve: (seq: { toJSON(): unknown }) => wrap(seq.toJSON()) } as unknown as CollectionTag);
    tags.push({ tag, collection: 'map', resolve: (map: { toJSON(): unknown }) => wrap(map.toJSON()) } as unknown as CollectionTag);
  };
  add('!Ref', (value) => ({ Ref: value }));
  // `!GetAtt A.B` is the short form of `Fn::GetAtt: [A, B]`.
  add('!GetAtt', (value) => {
    if (typeof value !== 'string') return { 'Fn::GetAtt': value };
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  });
  for (const fn of FUNCTIONS) add(`!${fn}`, (value) => (fn === 'Condition' ? { Condition: value } : { [`Fn::${fn}`]: value }));
  return tags;
}

/** Parses template text (YAML with short-form intrinsics, or JSON). */
export function parseTemplate(text: string): CfnTemplate {
  const doc = parse(text, { customTags: cfnTags(), uniqueKeys: true }) as CfnTemplate | null;
  if (!doc || typeof doc !== 'object' || !doc.Resources || !doc.Parameters) {
    throw new Error(`${TEMPLATE_PATH} has no Parameters or Resources`);
  }
  return doc;
}

/** The template as the change set receives it, and its parse. */
export interface LoadedTemplate {
  readonly body: string;
  readonly template: CfnTemplate;
}

/** Reads and parses `templates/pushS3Template.yml` from the repository. */
export function loadTemplate(path = `${REPO_ROOT}${TEMPLATE_PATH}`): LoadedTemplate {
  const body = readFileSync(path, 'utf8');
  return { body, template: parseTemplate(body) };
}
