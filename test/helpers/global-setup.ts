/**
 * Prints the stack once before the test workers start (the sandbox's IAM reads the functions' roles
 * from `serverless print`, cached by content): otherwise every worker would print it at once.
 */
import { printStack } from '../../sandbox/iam/stack';

export default async function globalSetup(): Promise<void> {
  await printStack();
}
