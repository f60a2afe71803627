/**
 * Test-only hook for the crash test (test/mail/crash.test.ts): with
 * TICKETMIND_TEST_MAIL_HANG_AT=N the N-th mail this process stores hangs inside its transaction —
 * conversation written, position advanced, nothing committed — after printing a line the test
 * waits for before it kills the process with SIGKILL. Not a setting (config.ts holds those): unset
 * in every real run, where this costs one comparison per stored mail.
 */
const hangAt = Number(process.env.TICKETMIND_TEST_MAIL_HANG_AT ?? 0);
let stored = 0;

export async function testHangInsideStore(): Promise<void> {
  if (!hangAt) return;
  stored++;
  if (stored !== hangAt) return;
  process.stdout.write(`ticketmind-test: hanging inside the store of mail ${stored}\n`);
  await new Promise<never>(() => {});
}
