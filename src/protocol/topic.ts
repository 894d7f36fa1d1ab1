import { TopicRules } from './limits.ts';

/** Returns why `topic` is not a valid topic name, or undefined when it is. */
export function topicProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'topic must not be empty';
  if (topic.length > TopicRules.maxLength) return `topic is longer than ${TopicRules.maxLength} characters`;
  if (!TopicRules.pattern.test(topic)) {
    return 'topic may contain only letters, digits and _ - . : @ / + = ~';
  }
  // `..` would let a topic climb a path-like hierarchy in permission patterns.
  if (topic.includes('..')) return 'topic must not contain ".."';
  return undefined;
}
