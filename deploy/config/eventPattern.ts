/**
 * The push-on-write rule's event pattern, as the template renders it (a test holds the two equal),
 * so that deploy can check its size before any AWS call: EventBridge takes patterns of at most
 * 2,048 characters unless the account asked for more ("Event pattern size", Amazon EventBridge
 * quotas, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html). Pure.
 */
import { eventKeyPrefixForms } from '../../rules/prefix.ts';

/** EventBridge's default quota on an event pattern's size, in characters. */
export const MAX_EVENT_PATTERN_CHARS = 2048;

/**
 * The pattern of the rule for `bucket` and the format's fixed lead: `Object Created` events, and
 * with `exactDays` (S3_REPLICATE_EXACT_DAYS) `Object Deleted` too.
 */
export function objectCreatedPattern(bucket: string, lead: string, exactDays = false): Record<string, unknown> {
  const forms = eventKeyPrefixForms(lead);
  const prefixes = [forms.asWritten, forms.encoded, forms.slashEncoded].filter((p) => p !== '');
  return {
    source: ['aws.s3'],
    'detail-type': exactDays ? ['Object Created', 'Object Deleted'] : ['Object Created'],
    detail: {
      bucket: { name: [bucket] },
      ...(lead === '' ? {} : { object: { key: prefixes.map((prefix) => ({ prefix })) } }),
    },
  };
}
