/**
 * Rejects with `message` when `p` takes longer than `ms`. If the time runs out first, `p` may
 * still reject later: that rejection is observed, so it never becomes an unhandled one.
 */
export async function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  p.catch(() => undefined);
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
