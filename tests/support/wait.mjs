// Waiting in tests: for a while, or until a (possibly async) check holds, within a bound.
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms for at most `seconds`; answers its last result. */
export async function until(check, seconds) {
  for (let i = 0; i < seconds * 10 && !(await check()); i++) await sleep(100);
  return check();
}
